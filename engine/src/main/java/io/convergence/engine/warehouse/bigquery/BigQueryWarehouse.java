package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.api.gax.paging.Page;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableDefinition;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.TableResult;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.DryRunEstimate;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.RowStream;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseCapability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BigQuery target through the official client. Work is pushed down as query jobs (see {@link BigQueryJobs} for
 * job ids, reattaching, retries, the bytes-billed cap and cancellation); datasets and tables are managed through
 * the REST API; table reads stream Arrow through the Storage Read API when it is reachable, else page through
 * {@code tabledata.list}.
 *
 * <p>Publishing: a table replace builds the new table in a staging table beside the target, then swaps it in
 * with one {@code CREATE OR REPLACE TABLE ... AS SELECT} statement; a partition replace is one multi-statement
 * transaction ({@code BEGIN TRANSACTION; DELETE partition; INSERT staged rows; COMMIT}). Both verify the
 * {@link FenceCheck} just before they are sent and, with a {@link FenceToken}, assert the warehouse fence row in
 * the same script. Tables the pipeline declares a layout for ({@link #declareLayouts}) are created with their
 * time partitioning and clustering.
 *
 * <p>Every staging table ({@code _cvg_stage_*}) is created with an expiration time (the target's
 * {@code staging_expiration}): the work that made it drops it at once, and BigQuery deletes the ones a killed run
 * left behind.
 */
public final class BigQueryWarehouse implements Warehouse {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryWarehouse.class);
    private static final int PAGE_SIZE = 10_000;
    private static final DateTimeFormatter TIMESTAMP_LITERAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private final BigQueryConnection connection;
    private final BigQuery bigquery;
    private final BigQueryDialect dialect;
    private final BigQueryJobs jobs;
    private final Path tempDir;
    private final Clock clock;
    private final Set<String> knownDatasets = ConcurrentHashMap.newKeySet();
    private final Map<TableId, TableLayout> layouts = new ConcurrentHashMap<>();
    private volatile Optional<FenceToken> fence = Optional.empty();
    private volatile boolean closed;

    private BigQueryWarehouse(BigQueryConnection connection, Backoff backoff, Path tempDir, Clock clock) {
        this.connection = connection;
        this.clock = clock;
        this.bigquery = connection.bigquery();
        this.dialect = new BigQueryDialect(connection.project());
        this.jobs = new BigQueryJobs(connection, backoff);
        this.tempDir = tempDir;
    }

    /**
     * Opens the warehouse of {@code target} for work in {@code location} (a tenant's; null means the target's).
     * {@code workspaceRoot} resolves a key-file path; local files are staged under the system temp folder.
     */
    public static BigQueryWarehouse open(BigQueryTarget target, Path workspaceRoot, String location) {
        return open(BigQueryConnection.open(target, workspaceRoot, location), Backoff.defaults());
    }

    public static BigQueryWarehouse open(BigQueryConnection connection, Backoff backoff) {
        return open(connection, backoff, Clock.systemUTC());
    }

    /** {@code clock} dates the expiration of staging tables. */
    public static BigQueryWarehouse open(BigQueryConnection connection, Backoff backoff, Clock clock) {
        return new BigQueryWarehouse(requireNonNull(connection, "connection is null"), requireNonNull(backoff, "backoff is null"),
                Path.of(System.getProperty("java.io.tmpdir")), requireNonNull(clock, "clock is null"));
    }

    public BigQueryConnection connection() {
        return connection;
    }

    /** Jobs inserted by this warehouse so far; a reattached insert is not a new job. */
    public long jobsStarted() {
        return jobs.jobsStarted();
    }

    /** Time partitioning and clustering to apply when Convergence creates these tables. */
    public void declareLayouts(Map<TableId, TableLayout> byTable) {
        byTable.forEach((table, layout) -> {
            if (!layout.isEmpty()) {
                layouts.put(table, layout);
            }
        });
    }

    /** From now on every publish also asserts the warehouse fence row (ADR 0006). */
    public void useFence(FenceToken token) {
        this.fence = Optional.of(requireNonNull(token, "token is null"));
    }

    @Override
    public String name() {
        String endpoint = connection.target().endpoint();
        return "bigquery:" + connection.project() + (endpoint == null || endpoint.isBlank() ? "" : "@" + endpoint);
    }

    @Override
    public Set<WarehouseCapability> capabilities() {
        return EnumSet.of(WarehouseCapability.DRY_RUN, WarehouseCapability.CANCEL, WarehouseCapability.LOCAL_FILES,
                WarehouseCapability.CLOUD_STORAGE_FILES);
    }

    @Override
    public BigQueryDialect dialect() {
        return dialect;
    }

    private void requireOpen() {
        if (closed) {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, name() + " is closed");
        }
    }

    com.google.cloud.bigquery.TableId clientId(TableId table) {
        return com.google.cloud.bigquery.TableId.of(connection.project(), table.dataset(), table.table());
    }

    BigQueryJobs jobs() {
        return jobs;
    }

    Path tempDir() {
        return tempDir;
    }

    // ---- datasets and tables -------------------------------------------------------------------------------

    @Override
    public void ensureDataset(String dataset) {
        TableId.requireName(dataset, "dataset");
        requireOpen();
        if (knownDatasets.contains(dataset)) {
            return;
        }
        DatasetId id = DatasetId.of(connection.project(), dataset);
        jobs.call(() -> {
            if (bigquery.getDataset(id) == null) {
                try {
                    bigquery.create(DatasetInfo.newBuilder(id).setLocation(connection.location()).build());
                    LOG.info("created dataset {} in {}", dataset, connection.location());
                } catch (BigQueryException e) {
                    // a parallel step created it first: that is what we wanted (409, or another error if it raced)
                    if (e.getCode() != 409 && bigquery.getDataset(id) == null) {
                        throw e;
                    }
                }
            }
            return null;
        }, "creating dataset " + dataset);
        knownDatasets.add(dataset);
    }

    @Override
    public boolean tableExists(TableId table) {
        return table(table).isPresent();
    }

    Optional<Table> table(TableId table) {
        requireOpen();
        return Optional.ofNullable(jobs.call(() -> bigquery.getTable(clientId(table)), "looking up " + table));
    }

    @Override
    public List<String> listTables(String dataset) {
        TableId.requireName(dataset, "dataset");
        requireOpen();
        return jobs.call(() -> {
            List<String> names = new ArrayList<>();
            try {
                Page<Table> page = bigquery.listTables(DatasetId.of(connection.project(), dataset), BigQuery.TableListOption.pageSize(1000));
                for (Table t : page.iterateAll()) {
                    names.add(t.getTableId().getTable());
                }
            } catch (BigQueryException e) {
                if (e.getCode() == 404) {
                    return List.<String>of();
                }
                throw e;
            }
            names.sort(null);
            return List.copyOf(names);
        }, "listing tables of " + dataset);
    }

    @Override
    public Optional<List<SchemaField>> tableSchema(TableId table) {
        return table(table).map(t -> {
            TableDefinition definition = t.getDefinition();
            Schema schema = definition.getSchema();
            return schema == null ? List.<SchemaField>of() : BigQueryValues.schemaFields(schema);
        });
    }

    /** Partition ids of a time-partitioned table ({@code 20240301}, {@code __NULL__}), from INFORMATION_SCHEMA.PARTITIONS. */
    public List<String> partitions(TableId table) {
        String sql = "SELECT partition_id FROM `" + connection.project() + "." + table.dataset() + ".INFORMATION_SCHEMA.PARTITIONS`"
                + " WHERE table_name = ? AND partition_id IS NOT NULL ORDER BY partition_id";
        QueryResult r = query(BoundSql.of(sql, new ParameterValue(ParameterType.STRING, table.table())), Integer.MAX_VALUE - 1,
                new CancellationToken());
        List<String> ids = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            ids.add(String.valueOf(row.get(0)));
        }
        return ids;
    }

    /** Whether {@code table} is a staging table, which is created to expire. */
    static boolean isStaging(TableId table) {
        return table.table().startsWith(STAGING_PREFIX);
    }

    /** When a staging table created now expires: {@code staging_expiration} from now. */
    Instant stagingExpiry() {
        return clock.instant().plus(connection.target().stagingExpiration()).truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * {@code OPTIONS(expiration_timestamp = ...)} for a staging table created by DDL, else empty: the expiration is part
     * of the statement that creates the table, so no crash can leave the table without it.
     */
    String tableOptions(TableId table) {
        if (!isStaging(table)) {
            return "";
        }
        return " OPTIONS(expiration_timestamp = TIMESTAMP '" + TIMESTAMP_LITERAL.format(stagingExpiry()) + "+00')";
    }

    /** Creates {@code table} with {@code schema} and its declared layout unless it exists; safe in parallel. */
    void createTable(TableId table, Schema schema) {
        StandardTableDefinition.Builder definition = StandardTableDefinition.newBuilder().setSchema(schema);
        TableLayout layout = layouts.getOrDefault(table, TableLayout.NONE);
        layout.timePartitioning().ifPresent(definition::setTimePartitioning);
        layout.clustering().ifPresent(definition::setClustering);
        TableInfo.Builder info = TableInfo.newBuilder(clientId(table), definition.build());
        if (isStaging(table)) {
            info.setExpirationTime(stagingExpiry().toEpochMilli());
        }
        jobs.call(() -> {
            try {
                bigquery.create(info.build());
                LOG.debug("created table {}{}", table, layout.isEmpty() ? "" : " with " + layout);
            } catch (BigQueryException e) {
                // 409: a parallel step created it first, which is what we wanted; anything else counts only if the
                // table is still missing (a racing create may also surface as another error)
                if (e.getCode() != 409 && bigquery.getTable(clientId(table)) == null) {
                    throw e;
                }
            }
            return null;
        }, "creating table " + table);
    }

    @Override
    public void dropTable(TableId table) {
        requireOpen();
        jobs.call(() -> bigquery.delete(clientId(table)), "dropping " + table);
    }

    private void dropQuietly(TableId table) {
        try {
            jobs.call(() -> bigquery.delete(clientId(table)), "dropping " + table);
        } catch (RuntimeException e) {
            LOG.warn("could not drop staging table {}: {}", table, e.getMessage());
        }
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    Job run(BoundSql sql, String what, CancellationToken cancellation) {
        return run(jobs.query(sql).build(), what, cancellation, false);
    }

    Job run(com.google.cloud.bigquery.JobConfiguration config, String what, CancellationToken cancellation, boolean retryConflicts) {
        requireOpen();
        return jobs.run(config, what, cancellation, retryConflicts);
    }

    @Override
    public QueryResult query(BoundSql query, int maxRows, CancellationToken cancellation) {
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows is negative");
        }
        Job job = run(query, "query", cancellation);
        TableResult result = results(job, (int) Math.min(PAGE_SIZE, (long) maxRows + 1), cancellation);
        return toQueryResult(result, maxRows);
    }

    /**
     * A read-only query through {@code jobs.query}: one round trip when the answer is quick, and no deterministic
     * job id (reading twice is harmless). For metadata reads (locks, history, counts), not for step work.
     */
    QueryResult quickQuery(BoundSql query, int maxRows) {
        return quickQuery(jobs.query(query), maxRows);
    }

    /** {@link #quickQuery(BoundSql, int)} of a prepared configuration (such as {@link BigQueryJobs#bookkeepingQuery}). */
    QueryResult quickQuery(QueryJobConfiguration.Builder query, int maxRows) {
        requireOpen();
        QueryJobConfiguration config = query.setMaxResults((long) Math.min(PAGE_SIZE, (long) maxRows + 1)).build();
        TableResult result = jobs.call(() -> {
            try {
                return bigquery.query(config);
            } catch (com.google.cloud.bigquery.JobException e) {
                List<com.google.cloud.bigquery.BigQueryError> errors = e.getErrors();
                throw errors == null || errors.isEmpty() ? new ConvergenceException(ErrorCode.SQL_ERROR, "query failed: " + e.getMessage(), e)
                        : BigQueryErrors.translate(errors.get(0), "query");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConvergenceException(ErrorCode.RUN_CANCELLED, "interrupted while querying", e);
            }
        }, "query");
        return toQueryResult(result, maxRows);
    }

    /** At most {@code maxRows} rows of {@code result} (pages fetched as needed), truncated when there are more. */
    private static QueryResult toQueryResult(TableResult result, int maxRows) {
        Schema schema = result.getSchema();
        List<List<Object>> rows = new ArrayList<>();
        boolean truncated = false;
        if (schema != null) {
            for (FieldValueList values : result.iterateAll()) {
                if (rows.size() == maxRows) {
                    truncated = true;
                    break;
                }
                rows.add(BigQueryValues.row(values, schema));
            }
        }
        return new QueryResult(BigQueryValues.columns(schema), rows, truncated);
    }

    private TableResult results(Job job, int pageSize, CancellationToken cancellation) {
        try {
            return job.getQueryResults(BigQuery.QueryResultsOption.pageSize(Math.max(1, pageSize)));
        } catch (BigQueryException e) {
            throw BigQueryErrors.translate(e, "reading the results of job " + job.getJobId().getJob());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvergenceException(ErrorCode.RUN_CANCELLED, "interrupted while reading query results", e);
        }
    }

    @Override
    public RowStream stream(BoundSql query, CancellationToken cancellation) {
        Job job = run(query, "query", cancellation);
        if (connection.storageReadAvailable()) {
            com.google.cloud.bigquery.TableId destination = ((QueryJobConfiguration) job.getConfiguration()).getDestinationTable();
            if (destination != null) {
                List<QueryResult.Column> known = null;
                JobStatistics stats = job.getStatistics();
                if (stats instanceof JobStatistics.QueryStatistics && ((JobStatistics.QueryStatistics) stats).getSchema() != null) {
                    known = BigQueryValues.columns(((JobStatistics.QueryStatistics) stats).getSchema());
                }
                try {
                    return StorageReadStream.open(connection.storage(), destination.getProject(), destination.getDataset(),
                            destination.getTable(), known);
                } catch (com.google.api.gax.rpc.ApiException e) {
                    throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "reading query results through the Storage"
                            + " Read API failed: " + e.getMessage(), e);
                }
            }
        }
        return pagedStream(results(job, PAGE_SIZE, cancellation));
    }

    /** Reads a whole table through the Storage Read API (or REST pages when it is off); rows in table order. */
    public RowStream readTable(TableId table) {
        requireOpen();
        if (connection.storageReadAvailable()) {
            return StorageReadStream.open(connection.storage(), connection.project(), table.dataset(), table.table(), null);
        }
        Table t = table(table).orElseThrow(() -> new ConvergenceException(ErrorCode.SQL_ERROR, "table " + table + " does not exist"));
        Schema schema = t.getDefinition().getSchema();
        TableResult result = jobs.call(() -> bigquery.listTableData(clientId(table), schema,
                BigQuery.TableDataListOption.pageSize(PAGE_SIZE)), "reading " + table);
        return pagedStream(result);
    }

    private static RowStream pagedStream(TableResult result) {
        Schema schema = result.getSchema();
        Iterator<FieldValueList> rows = result.iterateAll().iterator();
        List<QueryResult.Column> columns = List.copyOf(BigQueryValues.columns(schema));
        return new RowStream() {
            private boolean closed;

            @Override
            public List<QueryResult.Column> columns() {
                return columns;
            }

            @Override
            public boolean hasNext() {
                return !closed && rows.hasNext();
            }

            @Override
            public List<Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return java.util.Collections.unmodifiableList(BigQueryValues.row(rows.next(), schema));
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    @Override
    public long count(BoundSql query, CancellationToken cancellation) {
        return longValue(new BoundSql("SELECT COUNT(*) FROM (" + query.sql() + ") AS _cvg_counted", query.parameters()), cancellation);
    }

    long longValue(BoundSql sql, CancellationToken cancellation) {
        cancellation.throwIfCancelled();
        Object value = quickQuery(sql, 1).scalar();
        return value == null ? 0 : ((Number) value).longValue();
    }

    @Override
    public long execute(BoundSql statement, CancellationToken cancellation) {
        return jobs.affectedRows(run(statement, "statement", cancellation)).orElse(-1L);
    }

    @Override
    public long rowCount(TableId table) {
        return longValue(BoundSql.of("SELECT COUNT(*) FROM " + dialect.quoteTable(table)), new CancellationToken());
    }

    // ---- writes ----------------------------------------------------------------------------------------------

    @Override
    public long createOrReplaceTable(TableId table, BoundSql query, CancellationToken cancellation) {
        TableLayout layout = layouts.getOrDefault(table, TableLayout.NONE);
        if (!layout.isEmpty()) {
            // the layout's partition expression depends on the column's type: build, then swap in with the layout
            return replaceTable(table, query, FenceCheck.NONE, cancellation);
        }
        run(new BoundSql("CREATE OR REPLACE TABLE " + dialect.quoteTable(table) + tableOptions(table) + " AS " + query.sql(),
                query.parameters()), "writing " + table, cancellation);
        return rowCount(table);
    }

    @Override
    public long appendFromQuery(TableId table, BoundSql query, CancellationToken cancellation) {
        TableId staging = newStagingTable(table);
        try {
            run(new BoundSql("CREATE TABLE " + dialect.quoteTable(staging) + tableOptions(staging) + " AS " + query.sql(), query.parameters()),
                    "staging rows for " + table, cancellation);
            Table staged = table(staging).orElseThrow(() -> new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE,
                    "staging table " + staging + " vanished"));
            Schema schema = staged.getDefinition().getSchema();
            createTable(table, schema);
            String columns = schema.getFields().stream().map(f -> dialect.quoteIdentifier(f.getName())).collect(Collectors.joining(", "));
            long stagedRows = rowCount(staging);
            Job job = run(jobs.query(BoundSql.of("INSERT INTO " + dialect.quoteTable(table) + " (" + columns + ") SELECT " + columns
                    + " FROM " + dialect.quoteTable(staging))).build(), "appending to " + table, cancellation, true);
            return jobs.affectedRows(job).orElse(stagedRows);
        } finally {
            dropQuietly(staging);
        }
    }

    @Override
    public long replaceTable(TableId table, BoundSql query, FenceCheck fence, CancellationToken cancellation) {
        TableId staging = newStagingTable(table);
        try {
            run(new BoundSql("CREATE TABLE " + dialect.quoteTable(staging) + tableOptions(staging) + " AS " + query.sql(), query.parameters()),
                    "building the new " + table, cancellation);
            long rows = rowCount(staging);
            swapIn(table, staging, fence, cancellation);
            return rows;
        } finally {
            dropQuietly(staging);
        }
    }

    /** Replaces {@code table} by a copy of {@code staging} in one statement, after the fence checks. */
    void swapIn(TableId table, TableId staging, FenceCheck fence, CancellationToken cancellation) {
        Schema schema = table(staging).orElseThrow().getDefinition().getSchema();
        BoundSql.Builder script = BoundSql.builder();
        fenceAssertion(script);
        script.append("CREATE OR REPLACE TABLE " + dialect.quoteTable(table) + layoutClause(table, schema) + " AS SELECT * FROM "
                + dialect.quoteTable(staging));
        fence.verify();
        run(jobs.query(script.build()).build(), "publishing " + table, cancellation, true);
    }

    /** {@code PARTITION BY ... CLUSTER BY ...} of a declared layout, for the column types in {@code schema}. */
    String layoutClause(TableId table, Schema schema) {
        TableLayout layout = layouts.getOrDefault(table, TableLayout.NONE);
        StringBuilder out = new StringBuilder();
        layout.partitionBy().ifPresent(p -> {
            String column = dialect.quoteIdentifier(p.field());
            String type = schema.getFields().stream().filter(f -> f.getName().equalsIgnoreCase(p.field())).findFirst()
                    .map(BigQueryValues::typeName).orElseThrow(() -> new ConvergenceException(ErrorCode.CONFIG_INVALID,
                            "table " + table + " has no column '" + p.field() + "' (partition_by.field)"));
            out.append(" PARTITION BY ").append(partitionExpression(column, type, p.type()));
        });
        if (!layout.clusterBy().isEmpty()) {
            out.append(" CLUSTER BY ").append(layout.clusterBy().stream().map(dialect::quoteIdentifier).collect(Collectors.joining(", ")));
        }
        return out.toString();
    }

    static String partitionExpression(String column, String type, io.convergence.engine.model.PartitionGrain grain) {
        String unit = grain.name();
        switch (type) {
            case "DATE":
                return grain == io.convergence.engine.model.PartitionGrain.DAY ? column : "DATE_TRUNC(" + column + ", " + unit + ")";
            case "TIMESTAMP":
                return grain == io.convergence.engine.model.PartitionGrain.DAY ? "DATE(" + column + ")" : "TIMESTAMP_TRUNC(" + column + ", " + unit + ")";
            case "DATETIME":
                return grain == io.convergence.engine.model.PartitionGrain.DAY ? "DATE(" + column + ")" : "DATETIME_TRUNC(" + column + ", " + unit + ")";
            default:
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "partition column " + column + " is " + type
                        + "; time partitioning needs a DATE, DATETIME or TIMESTAMP column");
        }
    }

    @Override
    public long replacePartition(TableId table, PartitionRange partition, TableId staging, FenceCheck fence,
                                 CancellationToken cancellation) {
        Table staged = table(staging).orElseThrow(() -> new ConvergenceException(ErrorCode.SQL_ERROR, "staging table " + staging
                + " does not exist"));
        createTable(table, staged.getDefinition().getSchema());
        String column = dialect.quoteIdentifier(partition.column());
        String range = column + " >= ? AND " + column + " < ?";
        long outside = longValue(BoundSql.builder().append("SELECT COUNT(*) FROM " + dialect.quoteTable(staging) + " WHERE " + column
                + " IS NULL OR NOT (" + column + " >= ").bind(partition.start()).append(" AND " + column + " < ").bind(partition.end())
                .append(")").build(), cancellation);
        if (outside > 0) {
            throw new ConvergenceException(ErrorCode.STEP_FAILED, outside + " staged rows of " + table
                    + " fall outside the partition being replaced (" + partition.column() + " from "
                    + partition.start().value() + " to " + partition.end().value() + ")");
        }
        long rows = rowCount(staging);
        String columns = staged.getDefinition().getSchema().getFields().stream().map(f -> dialect.quoteIdentifier(f.getName()))
                .collect(Collectors.joining(", "));
        BoundSql.Builder script = BoundSql.builder().append("BEGIN TRANSACTION;\n");
        fenceAssertion(script);
        script.append("DELETE FROM " + dialect.quoteTable(table) + " WHERE " + column + " >= ").bind(partition.start())
                .append(" AND " + column + " < ").bind(partition.end()).append(";\n")
                .append("INSERT INTO " + dialect.quoteTable(table) + " (" + columns + ") SELECT " + columns + " FROM "
                        + dialect.quoteTable(staging) + ";\n")
                .append("COMMIT TRANSACTION");
        fence.verify();
        run(jobs.query(script.build()).build(), "replacing partition of " + table, cancellation, true);
        return rows;
    }

    /** Appends {@code ASSERT <fence row shows our epoch>;} when this warehouse fences its publishes. */
    void fenceAssertion(BoundSql.Builder script) {
        if (fence.isEmpty()) {
            return;
        }
        FenceToken token = fence.get();
        script.append("ASSERT (SELECT MAX(epoch) FROM " + dialect.quoteTable(token.fences()) + " WHERE tenant = ")
                .bind(new ParameterValue(ParameterType.STRING, token.key().tenant()))
                .append(" AND pipeline = ").bind(new ParameterValue(ParameterType.STRING, token.key().pipeline()))
                .append(") = ").bind(new ParameterValue(ParameterType.INT64, token.epoch()))
                .append(" AS '" + BigQueryErrors.FENCE_MARKER + ": epoch " + token.epoch() + " of " + token.key() + " is no longer current';\n");
    }

    // ---- estimates and files ---------------------------------------------------------------------------------

    @Override
    public DryRunEstimate dryRun(BoundSql query) {
        requireOpen();
        JobStatistics.QueryStatistics stats = jobs.dryRun(jobs.query(query).build());
        long processed = stats.getTotalBytesProcessed() == null ? 0 : stats.getTotalBytesProcessed();
        long billed = stats.getTotalBytesBilled() == null ? processed : stats.getTotalBytesBilled();
        List<TableId> referenced = new ArrayList<>();
        if (stats.getReferencedTables() != null) {
            for (com.google.cloud.bigquery.TableId t : stats.getReferencedTables()) {
                try {
                    referenced.add(new TableId(t.getDataset(), t.getTable()));
                } catch (ConvergenceException e) {
                    // a table name Convergence would not write (another project's): leave it out of the list
                }
            }
        }
        return new DryRunEstimate(processed, billed, referenced);
    }

    @Override
    public StagedLoad stageFiles(FileLoad load, CancellationToken cancellation) {
        requireOpen();
        return BigQueryStagedLoad.stage(this, load, cancellation);
    }

    @Override
    public StagedLoad stageCloudFiles(io.convergence.engine.warehouse.CloudFileLoad load, CancellationToken cancellation) {
        requireOpen();
        return BigQueryCloudLoad.stage(this, load, cancellation);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        jobs.cancelAll();
        connection.close();
    }
}
