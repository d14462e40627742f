package io.convergence.engine.warehouse;

import java.util.Iterator;
import java.util.List;

/**
 * Rows of a query read one at a time with bounded memory; close it to release the warehouse cursor.
 * Values: INT64 Long, FLOAT64 Double, NUMERIC BigDecimal, BOOL Boolean, STRING String, DATE LocalDate,
 * DATETIME LocalDateTime, TIMESTAMP Instant, TIME LocalTime, BYTES byte[], ARRAY List, STRUCT a Map of field
 * name to value (local warehouse); other types as their text.
 */
public interface RowStream extends Iterator<List<Object>>, AutoCloseable {
    List<QueryResult.Column> columns();

    @Override
    void close();
}
