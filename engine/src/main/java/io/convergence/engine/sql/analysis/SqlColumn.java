package io.convergence.engine.sql.analysis;

import static java.util.Objects.requireNonNull;

/** A column of a table or query result: its name and its BigQuery type as BigQuery writes it ({@code ARRAY<STRING>}). */
public record SqlColumn(String name, String type) {
    public SqlColumn {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
