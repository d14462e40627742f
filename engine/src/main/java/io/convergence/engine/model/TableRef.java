package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;

/** A logical table {@code dataset.table} as written in YAML and in {@code ref()}; validated, so safe to quote. */
public record TableRef(String dataset, String table) {
    public TableRef {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(table, "table is null");
        if (!Ids.NAME_PATTERN.matcher(dataset).matches() || !Ids.NAME_PATTERN.matcher(table).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "invalid table reference: " + dataset + "." + table);
        }
    }

    /** Parses {@code dataset.table}; throws a USER error for anything else. */
    public static TableRef parse(String text) {
        requireNonNull(text, "text is null");
        if (!Ids.TABLE_REF_PATTERN.matcher(text).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID,
                    "'" + text + "' is not a table reference of the form dataset.table");
        }
        int dot = text.indexOf('.');
        return new TableRef(text.substring(0, dot), text.substring(dot + 1));
    }

    @Override
    public String toString() {
        return dataset + "." + table;
    }
}
