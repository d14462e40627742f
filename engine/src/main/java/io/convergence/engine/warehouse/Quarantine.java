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
    public static final List<SchemaField> SCHEMA = List.of(
            new SchemaField("run_id", "STRING", "REQUIRED", "Run that rejected the row.", null),
            new SchemaField("source_file", "STRING", "NULLABLE", "File the row came from.", null),
            new SchemaField("line_number", "INT64", "NULLABLE",
                    "Record number in the file, 1-based, counting the header and skipped lines (row number for parquet).", null),
            new SchemaField("reason", "STRING", "REQUIRED", "Each failing column and why, separated by '; '.", null),
            new SchemaField("raw_record", "STRING", "NULLABLE", "The record as text.", null),
            new SchemaField("rejected_at", "TIMESTAMP", "REQUIRED", "When the row was rejected.", null));

    public Quarantine {
        requireNonNull(table, "table is null");
        requireNonNull(runId, "runId is null");
        requireNonNull(rejectedAt, "rejectedAt is null");
    }
}
