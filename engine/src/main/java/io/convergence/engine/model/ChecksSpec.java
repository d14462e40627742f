package io.convergence.engine.model;

import java.util.List;

/** The checks of a quality step: a file path (YAML string) or an inline list (YAML sequence). */
public sealed interface ChecksSpec permits ChecksSpec.File, ChecksSpec.Inline {

    /** Checks kept in a checks file, relative to pipeline.yml. */
    record File(String path) implements ChecksSpec {
        public File {
            java.util.Objects.requireNonNull(path, "path is null");
        }
    }

    /** Checks written inline in pipeline.yml. */
    record Inline(List<Check> checks) implements ChecksSpec {
        public Inline {
            checks = List.copyOf(checks);
        }
    }
}
