package io.convergence.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed schemas (docs/schema) and config reference (docs/reference.md) are exactly what the model
 * generates. Run with {@code -Dconvergence.regenerate=true} to rewrite them.
 */
class GeneratedDocsTest {
    static final String REGENERATE = "mvn -B -o test -pl engine -Dtest=GeneratedDocsTest -Dconvergence.regenerate=true";

    @Test
    void committedDocsAreGeneratedFromTheModel() throws IOException {
        Path root = SchemaTestSupport.repoRoot();
        if (Boolean.getBoolean("convergence.regenerate")) {
            GenerateDocs.write(root);
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> file : GenerateDocs.files().entrySet()) {
            Path path = root.resolve(file.getKey());
            // A checkout with CRLF line ends (Windows, core.autocrlf) is still up to date.
            String committed = Files.isRegularFile(path)
                    ? Files.readString(path, StandardCharsets.UTF_8).replace("\r\n", "\n")
                    : null;
            if (!file.getValue().equals(committed)) {
                stale.add(file.getKey() + (committed == null ? " (missing)" : ""));
            }
        }
        assertThat(stale)
                .as("generated docs differ from the model. Regenerate them with%n  %s%n"
                        + "(or run io.convergence.engine.schema.GenerateDocs with the repository root) and commit the result",
                        REGENERATE)
                .isEmpty();
    }

    @Test
    void generatedFilesCoverEveryKindAndTheReference() {
        assertThat(GenerateDocs.files().keySet()).containsExactly(
                "docs/schema/workspace.schema.json",
                "docs/schema/tenant.schema.json",
                "docs/schema/pipeline.schema.json",
                "docs/schema/checks.schema.json",
                "docs/reference.md");
    }

    @Test
    void writeOnlyTouchesFilesThatChanged(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        assertThat(GenerateDocs.write(dir)).isEqualTo(5);
        assertThat(GenerateDocs.write(dir)).isZero();
        Files.writeString(dir.resolve("docs/reference.md"), "stale");
        assertThat(GenerateDocs.write(dir)).isEqualTo(1);
        assertThat(dir.resolve("docs/reference.md")).content(StandardCharsets.UTF_8).startsWith("# Configuration reference");
    }
}
