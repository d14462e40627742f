package io.convergence.engine.warehouse;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.sql.SqlTemplate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The one way steps reach a warehouse (embedded DuckDB or BigQuery). Implementations are thread safe:
 * parallel steps and partitions call one instance at once. SQL arrives as {@link BoundSql} in the
 * warehouse's dialect (see {@link #compile}); values are always bound, never spliced into text. Tables
 * are physical {@link TableId}s, already validated; implementations quote them.
 *
 * <p>Errors are {@link ConvergenceException}s: {@code SQL_ERROR} for a query the warehouse refuses,
 * {@code WAREHOUSE_TRANSIENT} for failures worth retrying (such as a write conflict), {@code RUN_CANCELLED}
 * when the cancellation token stopped the work, {@code WAREHOUSE_UNAVAILABLE} when it cannot be reached.
 *
 * <p>Optional abilities are {@link WarehouseCapability capabilities}; their methods have defaults that
 * throw {@code FEATURE_NOT_AVAILABLE}, and callers ask {@link #supports} first.
 */
public interface Warehouse extends AutoCloseable {
    /** The name prefix of every staging table ({@link #newStagingTable}), how leftovers of killed runs are found. */
    String STAGING_PREFIX = "_cvg_stage_";

    /** Short description for logs and errors, such as {@code duckdb:/path/warehouse.duckdb}. */
    String name();

    Set<WarehouseCapability> capabilities();

    default boolean supports(WarehouseCapability capability) {
        return capabilities().contains(capability);
    }

    SqlDialect dialect();

    /** The logical-to-physical table mapping of a tenant on this warehouse. */
    default TableNames tableNames(TenantConfig tenant) {
        return TableNames.forTenant(tenant, dialect());
    }

    /**
     * Turns a BigQuery SQL file into runnable SQL: translated to this dialect, each
     * {@code {{ ref('dataset.table') }}} replaced by the quoted physical table, each {@code @name} by a
     * placeholder bound to {@code values.get(name)}. A parameter without a value is {@code PARAMETER_INVALID}.
     */
    default BoundSql compile(String bigQuerySql, TableNames names, Map<String, ParameterValue> values) {
        SqlTemplate template = SqlTemplate.parse(dialect().translate(bigQuerySql));
        if (!template.badTemplates().isEmpty()) {
            SqlTemplate.BadTemplate bad = template.badTemplates().get(0);
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "malformed template " + bad.text()
                    + "; tables are written as {{ ref('dataset.table') }}");
        }
        if (template.statementCount() > 1) {
            throw new ConvergenceException(ErrorCode.SQL_ERROR,
                    "a SQL file must hold one statement, found " + template.statementCount());
        }
        return BoundSql.of(template.render(names::quoted, true), values);
    }

    /** Creates the dataset (schema) if it does not exist; idempotent and safe to call in parallel. */
    void ensureDataset(String dataset);

    boolean tableExists(TableId table);

    /** Table names of a dataset, sorted; empty when the dataset does not exist. */
    List<String> listTables(String dataset);

    /** Columns of a table with BigQuery types and modes (REQUIRED for NOT NULL), or empty if it does not exist. */
    Optional<List<SchemaField>> tableSchema(TableId table);

    /** Runs a query and keeps at most {@code maxRows} rows; {@link QueryResult#truncated()} tells if more existed. */
    QueryResult query(BoundSql query, int maxRows, CancellationToken cancellation);

    /** Runs a query and streams its rows; the caller must close the stream. */
    RowStream stream(BoundSql query, CancellationToken cancellation);

    /** Number of rows {@code query} returns, counted inside the warehouse. */
    long count(BoundSql query, CancellationToken cancellation);

    /** Runs one statement (DML or DDL); returns affected rows, or -1 when the warehouse does not say. */
    long execute(BoundSql statement, CancellationToken cancellation);

    /** Creates or replaces {@code table} with the result of {@code query} in one statement; returns rows written. */
    long createOrReplaceTable(TableId table, BoundSql query, CancellationToken cancellation);

    /**
     * Appends the result of {@code query} to {@code table}, matching columns by name, creating the table
     * if it does not exist; returns rows written. One statement, so atomic.
     */
    long appendFromQuery(TableId table, BoundSql query, CancellationToken cancellation);

    /**
     * Replaces {@code table} atomically with the result of {@code query}: the query runs into a staging
     * table, then the staging table takes the target's place in one transaction, after {@code fence}
     * was verified. Readers see the old table or the new one, never a mix. Returns rows written.
     */
    long replaceTable(TableId table, BoundSql query, FenceCheck fence, CancellationToken cancellation);

    /**
     * Replaces one partition of {@code table} atomically: in one transaction, deletes the rows of
     * {@code partition}, inserts every row of {@code staging} (matched by name), verifies {@code fence},
     * commits. Creates {@code table} like {@code staging} when missing. Fails without a change when a
     * staged row falls outside the partition. Returns rows inserted.
     */
    long replacePartition(TableId table, PartitionRange partition, TableId staging, FenceCheck fence,
                          CancellationToken cancellation);

    long rowCount(TableId table);

    /** Drops the table if it exists. */
    void dropTable(TableId table);

    /** A fresh, unused name for a staging table beside {@code target} (same dataset, so it can be swapped in). */
    default TableId newStagingTable(TableId target) {
        String token = UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        String base = target.table();
        int room = 128 - STAGING_PREFIX.length() - "_".length() - token.length();
        if (base.length() > room) {
            base = base.substring(0, room);
        }
        return target.sibling(STAGING_PREFIX + base + "_" + token);
    }

    /** Estimates a query without running it. Needs {@link WarehouseCapability#DRY_RUN}. */
    default DryRunEstimate dryRun(BoundSql query) {
        throw unsupported(WarehouseCapability.DRY_RUN);
    }

    /**
     * Reads files into a staging area with the schema enforced, classifying every record as good or
     * rejected. Needs {@link WarehouseCapability#LOCAL_FILES} (or {@code CLOUD_STORAGE_FILES} for gs://).
     */
    default StagedLoad stageFiles(FileLoad load, CancellationToken cancellation) {
        throw unsupported(WarehouseCapability.LOCAL_FILES);
    }

    /**
     * As {@link #stageFiles(FileLoad, CancellationToken)}, told how the rows will be published and where
     * rejected records go, so that the warehouse may take a shorter way (DuckDB appends files whose rows
     * all pass the schema straight to the target, inside the transaction that publishing commits). The
     * load returned must be published with that same publication and quarantine.
     */
    default StagedLoad stageFiles(FileLoad load, Publication publication, Quarantine quarantine, CancellationToken cancellation) {
        return stageFiles(load, cancellation);
    }

    /**
     * Reads cloud storage objects ({@code gs://}) into a staging area with the schema enforced and every record
     * classified, like {@link #stageFiles}; the warehouse reads them itself (no bytes pass through this process).
     * Needs {@link WarehouseCapability#CLOUD_STORAGE_FILES}.
     */
    default StagedLoad stageCloudFiles(CloudFileLoad load, CancellationToken cancellation) {
        throw unsupported(WarehouseCapability.CLOUD_STORAGE_FILES);
    }

    /** Releases connections; running work fails. */
    @Override
    void close();

    /** The error a capability default throws. */
    default ConvergenceException unsupported(WarehouseCapability capability) {
        return new ConvergenceException(ErrorCode.FEATURE_NOT_AVAILABLE,
                name() + " does not support " + capability.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
}
