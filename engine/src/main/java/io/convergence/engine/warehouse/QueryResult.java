package io.convergence.engine.warehouse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A bounded query result: column schema (BigQuery types), at most the requested number of rows, and
 * whether more rows were left unread. Values are plain Java objects (see {@link RowStream}).
 */
public record QueryResult(List<Column> columns, List<List<Object>> rows, boolean truncated) {
    public QueryResult {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            // rows may hold NULLs, which List.copyOf refuses
            copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
        }
        rows = Collections.unmodifiableList(copy);
    }

    /** The single value of a one-row, one-column result (such as a count), or null when there is no row. */
    public Object scalar() {
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    /** A result column: name and BigQuery type name (INT64, STRING, ...). */
    public record Column(String name, String type) {
        public Column {
            java.util.Objects.requireNonNull(name, "name is null");
            java.util.Objects.requireNonNull(type, "type is null");
        }
    }
}
