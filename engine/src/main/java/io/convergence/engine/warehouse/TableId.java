package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Ids;

/**
 * A physical table: the warehouse dataset (a DuckDB schema, a BigQuery dataset) and the table name.
 * Both parts are checked against {@link Ids#NAME}, so a {@code TableId} is always safe to quote.
 */
public record TableId(String dataset, String table) {
    public TableId {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(table, "table is null");
        requireName(dataset, "dataset");
        requireName(table, "table");
    }

    /** A table in the same dataset. */
    public TableId sibling(String otherTable) {
        return new TableId(dataset, otherTable);
    }

    /** Checks a dataset or table name; a USER error names the offending text. */
    public static String requireName(String name, String what) {
        if (name == null || !Ids.NAME_PATTERN.matcher(name).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID,
                    "'" + name + "' is not a valid " + what + " name (letters, digits and _, at most 128, not starting with a digit)");
        }
        return name;
    }

    @Override
    public String toString() {
        return dataset + "." + table;
    }
}
