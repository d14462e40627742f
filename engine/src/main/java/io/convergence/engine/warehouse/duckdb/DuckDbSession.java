package io.convergence.engine.warehouse.duckdb;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.QueryResult;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Struct;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One unit of work on its own duplicated DuckDB connection: statements run one at a time, the
 * cancellation token interrupts the running one, and every SQLException becomes a ConvergenceException.
 * Not thread safe; a session belongs to one thread.
 */
final class DuckDbSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbSession.class);
    private final Connection connection;
    private final CancellationToken cancellation;
    private final AtomicReference<PreparedStatement> running = new AtomicReference<>();
    private final AutoCloseable cancelHook;
    private final String what;
    private boolean inTransaction;

    DuckDbSession(Connection connection, CancellationToken cancellation, String what) {
        this.connection = requireNonNull(connection, "connection is null");
        this.cancellation = requireNonNull(cancellation, "cancellation is null");
        this.what = requireNonNull(what, "what is null");
        this.cancelHook = cancellation.onCancel(this::interrupt);
    }

    private void interrupt() {
        PreparedStatement statement = running.get();
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException ignored) {
                // the statement finished meanwhile; nothing left to interrupt
            }
        }
    }

    /**
     * Marks {@code ps} as the statement to interrupt. A cancel that arrived while DuckDB was still
     * preparing found nothing to interrupt, so it is honoured here instead.
     */
    private void start(PreparedStatement ps) {
        running.set(ps);
        if (cancellation.isCancelled()) {
            running.set(null);
            cancellation.throwIfCancelled();
        }
    }

    /** Runs a statement; returns the update count (-1 when DuckDB reports none). */
    long update(BoundSql sql) {
        cancellation.throwIfCancelled();
        long started = System.nanoTime();
        // DuckDB closes a statement that failed, so each SQL gets a fresh one
        try (PreparedStatement ps = prepare(sql)) {
            start(ps);
            boolean hasResult = ps.execute();
            if (hasResult) {
                try (ResultSet rs = ps.getResultSet()) {
                    // DDL/DML in DuckDB may answer with a one-row "Count" result
                    if (rs.next() && rs.getMetaData().getColumnCount() == 1) {
                        Object v = rs.getObject(1);
                        return v instanceof Number ? ((Number) v).longValue() : -1;
                    }
                    return -1;
                }
            }
            return ps.getUpdateCount();
        } catch (SQLException e) {
            throw error(e);
        } finally {
            running.set(null);
            logTiming(started, sql);
        }
    }

    long update(String sql) {
        return update(new BoundSql(sql, List.of()));
    }

    /** The first column of the first row, or null. */
    Object scalar(BoundSql sql) {
        QueryResult r = query(sql, 1);
        return r.scalar();
    }

    long longValue(BoundSql sql) {
        Object v = scalar(sql);
        return v == null ? 0 : ((Number) v).longValue();
    }

    QueryResult query(BoundSql sql, int maxRows) {
        cancellation.throwIfCancelled();
        long started = System.nanoTime();
        try (PreparedStatement ps = prepare(sql)) {
            start(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<QueryResult.Column> columns = columns(rs.getMetaData());
                List<List<Object>> rows = new ArrayList<>();
                boolean truncated = false;
                while (rs.next()) {
                    if (rows.size() >= maxRows) {
                        truncated = true;
                        break;
                    }
                    rows.add(row(rs, columns.size()));
                }
                return new QueryResult(columns, rows, truncated);
            }
        } catch (SQLException e) {
            throw error(e);
        } finally {
            running.set(null);
            logTiming(started, sql);
        }
    }

    /** Statement timings at DEBUG: where a slow step spends its time, without a profiler. */
    private static void logTiming(long startedNanos, BoundSql sql) {
        if (LOG.isDebugEnabled()) {
            String text = sql.sql().replaceAll("\\s+", " ");
            LOG.debug("{} ms: {}", (System.nanoTime() - startedNanos) / 1_000_000, text.length() > 300 ? text.substring(0, 300) + "..." : text);
        }
    }

    /** Opens a result set for streaming; the caller closes statement and result set. */
    PreparedStatement prepareForStreaming(BoundSql sql) {
        cancellation.throwIfCancelled();
        try {
            PreparedStatement ps = prepare(sql);
            try {
                start(ps);
            } catch (RuntimeException e) {
                ps.close();
                throw e;
            }
            return ps;
        } catch (SQLException e) {
            throw error(e);
        }
    }

    void begin() {
        try {
            connection.setAutoCommit(false);
            inTransaction = true;
        } catch (SQLException e) {
            throw error(e);
        }
    }

    void commit() {
        cancellation.throwIfCancelled();
        try {
            connection.commit();
            connection.setAutoCommit(true);
            inTransaction = false;
        } catch (SQLException e) {
            throw error(e);
        }
    }

    void rollbackQuietly() {
        if (!inTransaction) {
            return;
        }
        try {
            connection.rollback();
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is closed right after; DuckDB discards the transaction with it
        }
        inTransaction = false;
    }

    Connection connection() {
        return connection;
    }

    CancellationToken cancellation() {
        return cancellation;
    }

    private PreparedStatement prepare(BoundSql sql) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql.sql());
        int index = 1;
        for (ParameterValue p : sql.parameters()) {
            bind(ps, index++, p);
        }
        return ps;
    }

    static void bind(PreparedStatement ps, int index, ParameterValue p) throws SQLException {
        Object v = p.value();
        if (v == null) {
            ps.setNull(index, sqlType(p));
            return;
        }
        switch (p.type()) {
            case STRING:
                ps.setString(index, v.toString());
                break;
            case INT64:
                ps.setLong(index, ((Number) v).longValue());
                break;
            case FLOAT64:
                if (v instanceof BigDecimal) {
                    ps.setBigDecimal(index, (BigDecimal) v);
                } else {
                    ps.setDouble(index, ((Number) v).doubleValue());
                }
                break;
            case BOOL:
                ps.setBoolean(index, (Boolean) v);
                break;
            case DATE:
                ps.setObject(index, v instanceof LocalDateTime ? ((LocalDateTime) v).toLocalDate() : (LocalDate) v);
                break;
            case TIMESTAMP:
                ps.setObject(index, offsetDateTime(v));
                break;
            default:
                throw new IllegalStateException("unknown parameter type " + p.type());
        }
    }

    private static OffsetDateTime offsetDateTime(Object v) {
        if (v instanceof Instant) {
            return ((Instant) v).atOffset(ZoneOffset.UTC);
        }
        if (v instanceof OffsetDateTime) {
            return (OffsetDateTime) v;
        }
        if (v instanceof LocalDateTime) {
            // a zone-less value in a TIMESTAMP parameter is read as UTC, like BigQuery does
            return ((LocalDateTime) v).atOffset(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("TIMESTAMP parameter needs an Instant, got " + v.getClass().getSimpleName());
    }

    private static int sqlType(ParameterValue p) {
        switch (p.type()) {
            case INT64:
                return Types.BIGINT;
            case FLOAT64:
                return Types.DOUBLE;
            case BOOL:
                return Types.BOOLEAN;
            case DATE:
                return Types.DATE;
            case TIMESTAMP:
                return Types.TIMESTAMP_WITH_TIMEZONE;
            default:
                return Types.VARCHAR;
        }
    }

    static List<QueryResult.Column> columns(ResultSetMetaData md) throws SQLException {
        List<QueryResult.Column> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(new QueryResult.Column(md.getColumnLabel(i),
                    DuckDbTypes.toField(md.getColumnLabel(i), md.getColumnTypeName(i), true).type()));
        }
        return columns;
    }

    static List<Object> row(ResultSet rs, int columns) throws SQLException {
        List<Object> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
            row.add(value(rs, i));
        }
        return row;
    }

    /** Plain Java values, as RowStream documents them. */
    static Object value(ResultSet rs, int i) throws SQLException {
        Object v = rs.getObject(i);
        return plain(v);
    }

    private static Object plain(Object v) throws SQLException {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
                || v instanceof BigDecimal || v instanceof LocalDate || v instanceof java.time.LocalTime) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger) {
            // DuckDB sums integers into HUGEINT; BigQuery's INT64 reads back as a Long
            java.math.BigInteger big = (java.math.BigInteger) v;
            return big.bitLength() < 64 ? (Object) big.longValue() : new BigDecimal(big);
        }
        if (v instanceof Float) {
            return ((Float) v).doubleValue();
        }
        if (v instanceof OffsetDateTime) {
            return ((OffsetDateTime) v).toInstant();
        }
        if (v instanceof Timestamp) {
            return ((Timestamp) v).toLocalDateTime();
        }
        if (v instanceof java.sql.Date) {
            return ((java.sql.Date) v).toLocalDate();
        }
        if (v instanceof Blob) {
            Blob b = (Blob) v;
            return b.getBytes(1, (int) b.length());
        }
        if (v instanceof Array) {
            Object[] items = (Object[]) ((Array) v).getArray();
            List<Object> list = new ArrayList<>(items.length);
            for (Object item : items) {
                list.add(plain(item));
            }
            return list;
        }
        if (v instanceof org.duckdb.DuckDBStruct struct) {
            java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
            for (java.util.Map.Entry<String, Object> field : struct.getMap().entrySet()) {
                fields.put(field.getKey(), plain(field.getValue()));
            }
            return fields;
        }
        if (v instanceof Struct) {
            return v.toString();
        }
        return v.toString();
    }

    /** Maps a DuckDB failure to a stable error code; values never enter the message. */
    ConvergenceException error(SQLException e) {
        return DuckDbErrors.translate(e, what, cancellation);
    }

    @Override
    public void close() {
        rollbackQuietly();
        try {
            cancelHook.close();
        } catch (Exception ignored) {
            // removing a hook from a list cannot meaningfully fail
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a duplicated connection only releases its client context
        }
    }

    static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
