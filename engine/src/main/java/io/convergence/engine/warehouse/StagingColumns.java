package io.convergence.engine.warehouse;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.SchemaField;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Column names a staged load can hold: each once (case-insensitively, as in BigQuery), none with Convergence's prefix. */
public final class StagingColumns {
    /** Staging tables add their bookkeeping columns under this prefix. */
    public static final String PREFIX = "_cvg_";

    private StagingColumns() {
    }

    public static void check(List<SchemaField> schema) {
        Set<String> seen = new HashSet<>();
        for (SchemaField f : schema) {
            String lower = f.name().toLowerCase(Locale.ROOT);
            if (!seen.add(lower)) {
                throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, "the schema names column '" + f.name() + "' twice");
            }
            if (lower.startsWith(PREFIX)) {
                throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH,
                        "column '" + f.name() + "' uses the prefix _cvg_, which Convergence keeps for its own columns");
            }
        }
    }
}
