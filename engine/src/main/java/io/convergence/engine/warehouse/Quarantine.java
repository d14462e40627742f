package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.SchemaField;
import java.time.Instant;
import java.util.List;

/**
 * Where rejected rows of one load go: the quarantine table (created on first use with {@link #SCHEMA}),
 * the run that rejected them and when.
 */
public record Quarantine(TableId table, String runId, Instant rejectedAt) {
    /** Layout of every quarantine table. */
    public static final List<SchemaField> SCHEMA = SchemaField.QUARANTINE;

    public Quarantine {
        requireNonNull(table, "table is null");
        requireNonNull(runId, "runId is null");
        requireNonNull(rejectedAt, "rejectedAt is null");
    }
}
