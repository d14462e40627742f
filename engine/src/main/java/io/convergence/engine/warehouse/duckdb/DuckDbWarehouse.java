package io.convergence.engine.warehouse.duckdb;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.RowStream;
import io.convergence.engine.warehouse.SqlDialect;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseCapability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded local warehouse: one DuckDB file per workspace, a dataset is a DuckDB schema (so
 * {@code jaffle_mart.orders} is readable by any DuckDB client once Convergence has closed the file).
 * DuckDB allows one read-write process per file and many connections inside it, so every operation
 * runs on its own {@link DuckDBConnection#duplicate() duplicated} connection and parallel steps do not
 * share state. Times are UTC.
 */
public final class DuckDbWarehouse implements Warehouse {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbWarehouse.class);
    private static final int CREATE_ATTEMPTS = 5;
    /** Files opened by this JVM, with how many warehouses hold each; staging cleanup runs only on the first. */
    private static final java.util.Map<Path, Integer> OPEN_FILES = new java.util.HashMap<>();

    private final Path file;
    private final DuckDBConnection root;
    private final Object rootLock = new Object();
    private volatile boolean closed;

    private DuckDbWarehouse(Path file, DuckDBConnection root) {
        this.file = file;
        this.root = root;
    }

    /** Opens (creating if needed) the warehouse of a workspace; {@code target.path()} is relative to the workspace root. */
    public static DuckDbWarehouse open(Path workspaceRoot, DuckDbTarget target) {
        Path file = workspaceRoot.resolve(target.path()).toAbsolutePath().normalize();
        return open(file, target.threads(), target.memoryLimit());
    }

    /**
     * Opens the DuckDB file at {@code file}. {@code threads} 0 means one per core; {@code memoryLimit} null or
     * empty means DuckDB's default.
     */
    public static DuckDbWarehouse open(Path file, int threads, String memoryLimit) {
        requireNonNull(file, "file is null");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot create the folder of " + file + ": " + e.getMessage(), e);
        }
        Properties props = new Properties();
        if (threads > 0) {
            props.setProperty("threads", Integer.toString(threads));
        }
        if (memoryLimit != null && !memoryLimit.isBlank()) {
            props.setProperty("memory_limit", Math.max(1, DataSize.parse(memoryLimit).bytes() / 1024) + "KiB");
        }
        // bounded memory for table reads: results come in chunks instead of all at once
        props.setProperty("jdbc_stream_results", "true");
        // no network: every extension Convergence needs is built into the driver
        props.setProperty("autoinstall_known_extensions", "false");
        DuckDBConnection root;
        try {
            root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), props);
        } catch (SQLException e) {
            throw DuckDbErrors.translate(e, "opening " + file, null);
        }
        DuckDbWarehouse warehouse = new DuckDbWarehouse(file, root);
        boolean first;
        synchronized (OPEN_FILES) {
            first = OPEN_FILES.merge(warehouse.key(), 1, Integer::sum) == 1;
        }
        try {
            warehouse.initialize(first);
        } catch (RuntimeException e) {
            warehouse.close();
            throw e;
        }
        LOG.info("opened DuckDB warehouse {} (threads={}, memory_limit={})", file,
                threads > 0 ? threads : "auto", memoryLimit == null || memoryLimit.isBlank() ? "default" : memoryLimit);
        return warehouse;
    }

    private Path key() {
        return file.toAbsolutePath().normalize();
    }

    private void initialize(boolean onlyOpener) {
        try (DuckDbSession s = session("initializing " + file, new CancellationToken())) {
            // BigQuery TIMESTAMP semantics: zone-less text and DATETIME conversions are UTC
            s.update("SET GLOBAL TimeZone = 'UTC'");
            // line numbers of rejected rows rely on insertion order matching file order
            s.update("SET GLOBAL preserve_insertion_order = true");
            // BigQuery sorts NULLs first in ascending order and last in descending order (ORDER BY, windows)
            s.update("SET GLOBAL default_null_order = 'nulls_first_on_asc_last_on_desc'");
            for (DuckDbMacros.Macro macro : DuckDbMacros.ALL) {
                s.update(macro.createStatement());
            }
            if (onlyOpener) {
                dropLeftoverStagingTables(s);
            }
        }
    }

    /**
     * DuckDB lets one process write a file, so when this JVM opens it first, no load is running: any
     * staging table left is from a crashed run, invisible to readers of the targets, and can go.
     */
    private void dropLeftoverStagingTables(DuckDbSession s) {
        QueryResult leftovers = s.query(BoundSql.of("SELECT table_schema, table_name FROM information_schema.tables"
                + " WHERE table_catalog = current_database() AND table_name LIKE '" + STAGING_PREFIX.replace("_", "\\_") + "%' ESCAPE '\\'"),
                Integer.MAX_VALUE);
        for (List<Object> row : leftovers.rows()) {
            TableId table = new TableId((String) row.get(0), (String) row.get(1));
            LOG.info("dropping staging table {} left by an interrupted run", table);
            s.update("DROP TABLE IF EXISTS " + quote(table));
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public String name() {
        return "duckdb:" + file;
    }

    @Override
    public Set<WarehouseCapability> capabilities() {
        return EnumSet.of(WarehouseCapability.CANCEL, WarehouseCapability.LOCAL_FILES);
    }

    @Override
    public SqlDialect dialect() {
        return DuckDbDialect.INSTANCE;
    }

    DuckDbSession session(String what, CancellationToken cancellation) {
        if (closed) {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, name() + " is closed");
        }
        Connection connection;
        synchronized (rootLock) {
            try {
                connection = root.duplicate();
            } catch (SQLException e) {
                throw DuckDbErrors.translate(e, what, cancellation);
            }
        }
        return new DuckDbSession(connection, cancellation, what);
    }

    String quote(TableId table) {
        return dialect().quoteTable(table);
    }

    private static ParameterValue string(String value) {
        return new ParameterValue(ParameterType.STRING, value);
    }

    @Override
    public void ensureDataset(String dataset) {
        TableId.requireName(dataset, "dataset");
        String quoted = "\"" + dataset + "\"";
        retryOnConflict("creating dataset " + dataset, () -> {
            try (DuckDbSession s = session("creating dataset " + dataset, new CancellationToken())) {
                s.update("CREATE SCHEMA IF NOT EXISTS " + quoted);
            }
        });
    }

    @Override
    public boolean tableExists(TableId table) {
        try (DuckDbSession s = session("looking up " + table, new CancellationToken())) {
            return tableExists(s, table);
        }
    }

    static boolean tableExists(DuckDbSession s, TableId table) {
        return s.longValue(BoundSql.of("SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database()"
                + " AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
                string(table.dataset()), string(table.table()))) > 0;
    }

    @Override
    public List<String> listTables(String dataset) {
        TableId.requireName(dataset, "dataset");
        try (DuckDbSession s = session("listing " + dataset, new CancellationToken())) {
            QueryResult r = s.query(BoundSql.of("SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
                    + " AND lower(table_schema) = lower(?) ORDER BY table_name", string(dataset)), Integer.MAX_VALUE);
            List<String> names = new ArrayList<>();
            for (List<Object> row : r.rows()) {
                names.add((String) row.get(0));
            }
            return names;
        }
    }

    @Override
    public Optional<List<SchemaField>> tableSchema(TableId table) {
        try (DuckDbSession s = session("reading the schema of " + table, new CancellationToken())) {
            return tableSchema(s, table);
        }
    }

    static Optional<List<SchemaField>> tableSchema(DuckDbSession s, TableId table) {
        QueryResult r = s.query(BoundSql.of("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                + " WHERE table_catalog = current_database() AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)"
                + " ORDER BY ordinal_position", string(table.dataset()), string(table.table())), Integer.MAX_VALUE);
        if (r.rows().isEmpty()) {
            return Optional.empty();
        }
        List<SchemaField> fields = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            fields.add(DuckDbTypes.toField((String) row.get(0), (String) row.get(1), "YES".equals(row.get(2))));
        }
        return Optional.of(List.copyOf(fields));
    }

    @Override
    public QueryResult query(BoundSql query, int maxRows, CancellationToken cancellation) {
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows is negative");
        }
        try (DuckDbSession s = session("query", cancellation)) {
            return s.query(query, maxRows);
        }
    }

    @Override
    public RowStream stream(BoundSql query, CancellationToken cancellation) {
        DuckDbSession s = session("query", cancellation);
        PreparedStatement ps = null;
        try {
            ps = s.prepareForStreaming(query);
            ResultSet rs = ps.executeQuery();
            return new DuckDbRowStream(s, ps, rs);
        } catch (SQLException e) {
            closeQuietly(ps);
            ConvergenceException error = s.error(e);
            s.close();
            throw error;
        } catch (RuntimeException e) {
            closeQuietly(ps);
            s.close();
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already failing; the first error is the one worth reporting
            }
        }
    }

    @Override
    public long count(BoundSql query, CancellationToken cancellation) {
        try (DuckDbSession s = session("counting rows", cancellation)) {
            return s.longValue(new BoundSql("SELECT count(*) FROM (" + query.sql() + ") AS _cvg_counted", query.parameters()));
        }
    }

    @Override
    public long execute(BoundSql statement, CancellationToken cancellation) {
        try (DuckDbSession s = session("statement", cancellation)) {
            return s.update(statement);
        }
    }

    @Override
    public long createOrReplaceTable(TableId table, BoundSql query, CancellationToken cancellation) {
        try (DuckDbSession s = session("writing " + table, cancellation)) {
            s.update(new BoundSql("CREATE OR REPLACE TABLE " + quote(table) + " AS " + query.sql(), query.parameters()));
            return rowCount(s, table);
        }
    }

    @Override
    public long appendFromQuery(TableId table, BoundSql query, CancellationToken cancellation) {
        try (DuckDbSession s = session("appending to " + table, cancellation)) {
            if (!tableExists(s, table)) {
                try {
                    s.update(new BoundSql("CREATE TABLE " + quote(table) + " AS " + query.sql(), query.parameters()));
                    return rowCount(s, table);
                } catch (ConvergenceException e) {
                    // another step created it first; append like it had existed
                    if (!tableExists(s, table)) {
                        throw e;
                    }
                }
            }
            return s.update(new BoundSql("INSERT INTO " + quote(table) + " BY NAME " + query.sql(), query.parameters()));
        }
    }

    @Override
    public long replaceTable(TableId table, BoundSql query, FenceCheck fence, CancellationToken cancellation) {
        TableId staging = newStagingTable(table);
        try (DuckDbSession s = session("replacing " + table, cancellation)) {
            try {
                s.update(new BoundSql("CREATE TABLE " + quote(staging) + " AS " + query.sql(), query.parameters()));
                long rows = rowCount(s, staging);
                s.begin();
                s.update("DROP TABLE IF EXISTS " + quote(table));
                s.update("ALTER TABLE " + quote(staging) + " RENAME TO \"" + table.table() + "\"");
                fence.verify();
                s.commit();
                return rows;
            } catch (RuntimeException e) {
                s.rollbackQuietly();
                dropQuietly(staging);
                throw e;
            }
        }
    }

    @Override
    public long replacePartition(TableId table, PartitionRange partition, TableId staging, FenceCheck fence,
                                 CancellationToken cancellation) {
        try (DuckDbSession s = session("replacing partition of " + table, cancellation)) {
            createIfMissing(s, table, "CREATE TABLE IF NOT EXISTS " + quote(table) + " AS SELECT * FROM " + quote(staging) + " LIMIT 0");
            String column = dialect().quoteIdentifier(partition.column());
            try {
                s.begin();
                long outside = s.longValue(new BoundSql("SELECT count(*) FROM " + quote(staging) + " WHERE " + column + " IS NULL OR NOT ("
                        + column + " >= ? AND " + column + " < ?)", List.of(partition.start(), partition.end())));
                if (outside > 0) {
                    throw new ConvergenceException(ErrorCode.STEP_FAILED, outside + " staged rows of " + table
                            + " fall outside the partition being replaced (" + partition.column() + " from "
                            + partition.start().value() + " to " + partition.end().value() + ")");
                }
                s.update(new BoundSql("DELETE FROM " + quote(table) + " WHERE " + column + " >= ? AND " + column + " < ?",
                        List.of(partition.start(), partition.end())));
                long rows = s.update("INSERT INTO " + quote(table) + " BY NAME SELECT * FROM " + quote(staging));
                fence.verify();
                s.commit();
                return rows;
            } catch (RuntimeException e) {
                s.rollbackQuietly();
                throw e;
            }
        }
    }

    /**
     * Creates a table outside the caller's transaction: DuckDB refuses concurrent creates of one name
     * with a write-write conflict, so parallel partitions race here, not in their publishing transactions.
     */
    void createIfMissing(DuckDbSession s, TableId table, String createSql) {
        for (int attempt = 1; ; attempt++) {
            if (tableExists(s, table)) {
                return;
            }
            try {
                s.update(createSql);
                return;
            } catch (ConvergenceException e) {
                if (e.code() != ErrorCode.WAREHOUSE_TRANSIENT || attempt >= CREATE_ATTEMPTS) {
                    throw e;
                }
                pause(attempt);
            }
        }
    }

    private void retryOnConflict(String what, Runnable work) {
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return;
            } catch (ConvergenceException e) {
                if (e.code() != ErrorCode.WAREHOUSE_TRANSIENT || attempt >= CREATE_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("{} collided with a concurrent change, attempt {}", what, attempt);
                pause(attempt);
            }
        }
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvergenceException(ErrorCode.RUN_CANCELLED, "interrupted while retrying", e);
        }
    }

    @Override
    public long rowCount(TableId table) {
        try (DuckDbSession s = session("counting rows of " + table, new CancellationToken())) {
            return rowCount(s, table);
        }
    }

    long rowCount(DuckDbSession s, TableId table) {
        return s.longValue(BoundSql.of("SELECT count(*) FROM " + quote(table)));
    }

    @Override
    public void dropTable(TableId table) {
        try (DuckDbSession s = session("dropping " + table, new CancellationToken())) {
            s.update("DROP TABLE IF EXISTS " + quote(table));
        }
    }

    /**
     * Drops a staging table after a failure, on a fresh session: the failed one may belong to a cancelled
     * run, and a cancelled session refuses every statement.
     */
    void dropQuietly(TableId table) {
        try {
            dropTable(table);
        } catch (RuntimeException e) {
            LOG.warn("could not drop staging table {}: {}", table, e.getMessage());
        }
    }

    @Override
    public StagedLoad stageFiles(FileLoad load, CancellationToken cancellation) {
        return DuckDbFileStager.stage(this, load, cancellation);
    }

    /** An append of files whose rows all pass the schema goes straight to the target; anything else is staged. */
    @Override
    public StagedLoad stageFiles(FileLoad load, Publication publication, Quarantine quarantine, CancellationToken cancellation) {
        if (publication.mode() == WriteMode.APPEND && publication.target().equals(load.target())) {
            return DuckDbFileStager.stageForAppend(this, load, quarantine, cancellation);
        }
        return stageFiles(load, cancellation);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (OPEN_FILES) {
            OPEN_FILES.computeIfPresent(key(), (k, n) -> n > 1 ? n - 1 : null);
        }
        synchronized (rootLock) {
            try {
                root.close();
            } catch (SQLException e) {
                LOG.warn("closing {} failed: {}", file, e.getMessage());
            }
        }
    }

    /** Streams rows of one query; owns its session. */
    private static final class DuckDbRowStream implements RowStream {
        private final DuckDbSession session;
        private final PreparedStatement statement;
        private final ResultSet rs;
        private final List<QueryResult.Column> columns;
        private Boolean hasNext;
        private boolean closed;

        DuckDbRowStream(DuckDbSession session, PreparedStatement statement, ResultSet rs) throws SQLException {
            this.session = session;
            this.statement = statement;
            this.rs = rs;
            this.columns = List.copyOf(DuckDbSession.columns(rs.getMetaData()));
        }

        @Override
        public List<QueryResult.Column> columns() {
            return columns;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            if (hasNext == null) {
                try {
                    hasNext = rs.next();
                } catch (SQLException e) {
                    ConvergenceException error = session.error(e);
                    close();
                    throw error;
                }
            }
            return hasNext;
        }

        @Override
        public List<Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            hasNext = null;
            try {
                return java.util.Collections.unmodifiableList(DuckDbSession.row(rs, columns.size()));
            } catch (SQLException e) {
                throw session.error(e);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(rs);
            closeQuietly(statement);
            session.close();
        }
    }
}
