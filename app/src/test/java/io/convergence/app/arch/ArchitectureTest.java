package io.convergence.app.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The layering rules of ARCHITECTURE.md, checked on the production classes of all modules (the app's
 * test classpath sees engine and designer too).
 */
@AnalyzeClasses(packages = "io.convergence",
        importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.DoNotIncludeTestJars.class})
class ArchitectureTest {
    /** Also skips the engine's test-jar (contract suites and fixtures), which DoNotIncludeTests does not recognise. */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule engineHasNoUserInterface = noClasses()
            .that().resideInAPackage("io.convergence.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "java.awt..", "javax.swing..")
            .because("the engine runs headless in the CLI, in CI and on servers; UI belongs to designer and app");

    @ArchTest
    static final ArchRule modelIsImmutableData = classes()
            .that().resideInAPackage("io.convergence.engine.model..")
            .should(beImmutableDataOrStaticHelpers())
            .because("the model is immutable data shared across threads, the designer and the YAML writer;"
                    + " edits go through withX(...) copies, behaviour lives in services");

    @ArchTest
    static final ArchRule onlyTheCliPrintsToStandardStreams = noClasses()
            .that().resideOutsideOfPackage("io.convergence.app.cli..")
            .should().accessField(System.class, "out")
            .orShould().accessField(System.class, "err")
            .orShould().callMethod(Throwable.class, "printStackTrace")
            .because("SLF4J should be used for logging, with MDC context; only the CLI writes to the terminal");

    @ArchTest
    static final ArchRule cliDoesNotTouchJavaFx = noClasses()
            .that().resideInAPackage("io.convergence.app.cli..")
            .should().dependOnClassesThat().resideInAPackage("javafx..")
            .because("CLI commands run without a display; the GUI is reached only through the GuiLauncher seam");

    @ArchTest
    static final ArchRule engineDependsOnNoUpperModule = noClasses()
            .that().resideInAPackage("io.convergence.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("io.convergence.designer..", "io.convergence.app..")
            .because("dependencies point app -> designer -> engine, never back");

    @ArchTest
    static final ArchRule designerDependsOnNoAppClass = noClasses()
            .that().resideInAPackage("io.convergence.designer..")
            .should().dependOnClassesThat().resideInAPackage("io.convergence.app..")
            .because("the designer is a reusable component; the app composes it, not the other way round")
            // The designer is being built alongside this rule; an empty designer must not fail the build.
            .allowEmptyShould(true);

    /**
     * Records, enums, interfaces and annotations, plus final classes with only static members and
     * private constructors (Ids, Durations, Names). Synthetic classes the compiler makes (enum switch
     * maps) are not ours to judge.
     */
    static ArchCondition<JavaClass> beImmutableDataOrStaticHelpers() {
        return new ArchCondition<>("be a record, enum, interface or annotation, or a final class with only static members") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                boolean ok = javaClass.isRecord()
                        || javaClass.isEnum()
                        || javaClass.isInterface()
                        || javaClass.isAnnotation()
                        || javaClass.getModifiers().contains(JavaModifier.SYNTHETIC)
                        || isStaticHelper(javaClass);
                events.add(new SimpleConditionEvent(javaClass, ok, javaClass.getName()
                        + (ok ? " is data or a static helper" : " is a mutable-capable class; make it a record, enum or"
                                + " final class with only static members")));
            }
        };
    }

    private static boolean isStaticHelper(JavaClass javaClass) {
        if (!javaClass.getModifiers().contains(JavaModifier.FINAL)) {
            return false;
        }
        boolean onlyStatic = javaClass.getFields().stream().allMatch(ArchitectureTest::isStatic)
                && javaClass.getMethods().stream().allMatch(ArchitectureTest::isStatic);
        boolean notInstantiable = javaClass.getConstructors().stream()
                .allMatch(c -> c.getModifiers().contains(JavaModifier.PRIVATE));
        return onlyStatic && notInstantiable;
    }

    private static boolean isStatic(JavaMember member) {
        return member.getModifiers().contains(JavaModifier.STATIC);
    }
}
