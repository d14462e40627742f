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
