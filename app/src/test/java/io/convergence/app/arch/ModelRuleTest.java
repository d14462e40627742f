package io.convergence.app.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Names;
import org.junit.jupiter.api.Test;

/** The hand-written model rule accepts what the model may hold and rejects what it may not. */
class ModelRuleTest {
    static final class MutableHolder {
        int count;
    }

    static final class HelperWithPublicConstructor {
        static int twice(int n) {
            return 2 * n;
        }
    }

    @Test
    void acceptsRecordsEnumsInterfacesAnnotationsAndStaticHelpers() {
        JavaClasses allowed = new ClassFileImporter().importClasses(
                Pipeline.class, FileFormat.class, Step.class, Doc.class, Ids.class, Durations.class, Names.class);
        classes().should(ArchitectureTest.beImmutableDataOrStaticHelpers()).check(allowed);
        assertThat(allowed).hasSize(7);
    }

    @Test
    void rejectsClassesWithStateOrInstances() {
        assertThatThrownBy(() -> classes().should(ArchitectureTest.beImmutableDataOrStaticHelpers())
                .check(new ClassFileImporter().importClasses(MutableHolder.class)))
                .hasMessageContaining("MutableHolder is a mutable-capable class");
        assertThatThrownBy(() -> classes().should(ArchitectureTest.beImmutableDataOrStaticHelpers())
                .check(new ClassFileImporter().importClasses(HelperWithPublicConstructor.class)))
                .hasMessageContaining("HelperWithPublicConstructor");
    }
}
