package io.convergence.engine.model;

import java.util.List;

/** A column of a BigQuery JSON schema file (the format of {@code bq show --schema}). */
public record SchemaField(String name, String type, String mode, String description, List<SchemaField> fields) {
    /** Types BigQuery accepts in a JSON schema, including legacy aliases. */
    public static final List<String> TYPES = List.of(
            "STRING", "BYTES", "INTEGER", "INT64", "FLOAT", "FLOAT64", "NUMERIC", "BIGNUMERIC",
            "BOOLEAN", "BOOL", "TIMESTAMP", "DATE", "TIME", "DATETIME", "GEOGRAPHY", "JSON",
            "RECORD", "STRUCT", "INTERVAL", "RANGE");
    public static final List<String> MODES = List.of("NULLABLE", "REQUIRED", "REPEATED");
    /** Layout of every quarantine table (rejected rows of an ingest step). */
    public static final List<SchemaField> QUARANTINE = List.of(
            new SchemaField("run_id", "STRING", "REQUIRED", "Run that rejected the row.", null),
            new SchemaField("source_file", "STRING", "NULLABLE", "File the row came from.", null),
            new SchemaField("line_number", "INT64", "NULLABLE",
                    "Record number in the file, 1-based, counting the header and skipped lines (row number for parquet).", null),
            new SchemaField("reason", "STRING", "REQUIRED", "Each failing column and why, separated by '; '.", null),
            new SchemaField("raw_record", "STRING", "NULLABLE", "The record as text.", null),
            new SchemaField("rejected_at", "TIMESTAMP", "REQUIRED", "When the row was rejected.", null));

    public SchemaField {
        java.util.Objects.requireNonNull(name, "name is null");
        java.util.Objects.requireNonNull(type, "type is null");
        mode = mode == null ? "NULLABLE" : mode;
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    public boolean required() {
        return "REQUIRED".equals(mode);
    }
}
