package io.convergence.engine.steps;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.exec.StepRunner;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.TableNames;
import io.convergence.engine.warehouse.Warehouse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Runs a SQL file into its target table. Refs become the tenant's physical tables, parameters are bound
 * (declared ones plus {@code @partition_start}/{@code @partition_end} in a partitioned run), and the
 * write is atomic: {@code replace} stages then swaps the table, {@code replace_partitions} stages the
 * partition, checks every staged row lies inside it, then deletes and inserts in one transaction.
 */
public final class TransformRunner implements StepRunner {
    private static final int EXAMPLES = 5;

    private final Warehouse warehouse;
    private final Function<StepContext, FenceCheck> fences;

    public TransformRunner(Warehouse warehouse, Function<StepContext, FenceCheck> fences) {
        this.warehouse = requireNonNull(warehouse, "warehouse is null");
        this.fences = requireNonNull(fences, "fences is null");
    }

    @Override
    public StepResult run(StepContext context) {
        TransformStep step = (TransformStep) context.step();
        TableNames names = warehouse.tableNames(context.tenant().config());
        TableId target = names.resolve(step.target());
        Path sqlFile = StepSupport.resolve(context, step.sql());
        String sql = StepSupport.readText(sqlFile, "SQL file");
        requireRefsOnly(step, sqlFile, sql);

        if (step.write() == WriteMode.REPLACE_PARTITIONS) {
            requirePartitioned(context, step);
        }
        Map<String, ParameterValue> parameters = new HashMap<>(context.parameters());
        context.partition().ifPresent(window -> {
            parameters.put("partition_start", PartitionRange.windowBound(window, true));
            parameters.put("partition_end", PartitionRange.windowBound(window, false));
        });
        BoundSql query = warehouse.compile(sql, names, parameters);
        warehouse.ensureDataset(target.dataset());
        if (!step.clusterBy().isEmpty()) {
            StepSupport.log(context, "DEBUG", "cluster_by " + step.clusterBy() + " applies on BigQuery only");
        }

        long rows;
        switch (step.write()) {
            case APPEND:
                rows = runningTheQuery(step, sql, query, () -> warehouse.appendFromQuery(target, query, context.cancellation()));
                break;
            case REPLACE:
                rows = runningTheQuery(step, sql, query, () -> warehouse.replaceTable(target, query, fences.apply(context), context.cancellation()));
                break;
            case REPLACE_PARTITIONS:
                rows = replacePartition(context, step, target, query, sql);
                break;
            default:
                throw new IllegalStateException("unknown write mode " + step.write());
        }
        StepSupport.log(context, "INFO", "wrote " + StepSupport.plural(rows, "row") + " to " + step.target() + " ("
                + step.write().name().toLowerCase(Locale.ROOT) + context.partition().map(p -> ", partition " + p.key()).orElse("") + ")");
        Map<String, String> details = new LinkedHashMap<>();
        details.put("target", target.toString());
        details.put("write", step.write().name().toLowerCase(Locale.ROOT));
        context.partition().ifPresent(p -> details.put("partition", p.key()));
        return new StepResult(rows, 0, details);
    }

    private static void requirePartitioned(StepContext context, TransformStep step) {
        if (step.partitionBy() == null) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "step " + step.id()
                    + " uses write: replace_partitions without partition_by: name the DATE or TIMESTAMP column");
        }
        if (context.partition().isEmpty()) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "step " + step.id()
                    + " replaces partitions, but the run has none: add 'partitions:' to the pipeline or use write: replace");
        }
    }

    /**
     * Runs a warehouse call that runs the user's query; when the warehouse refuses the SQL, the error points
     * at the user's file, line and column ({@link SqlErrorLocator}) instead of quoting the statement the
     * warehouse ran (Convergence's staging tables and wrappers), in the warehouse's own words (the cause).
     */
    private static long runningTheQuery(TransformStep step, String sql, BoundSql query, LongSupplier call) {
        try {
            return call.getAsLong();
        } catch (ConvergenceException e) {
            if (e.code() != ErrorCode.SQL_ERROR) {
                throw e;
            }
            String message = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage().strip() : e.getMessage();
            throw new ConvergenceException(ErrorCode.SQL_ERROR, SqlErrorLocator.describe(step.sql(), message, query.sql(), sql), e);
        }
    }

    private long replacePartition(StepContext context, TransformStep step, TableId target, BoundSql query, String sql) {
        PartitionBy partitionBy = step.partitionBy();
        PartitionWindow window = context.partition().orElseThrow();
        TableId staging = warehouse.newStagingTable(target);
        try {
            // only this statement runs the user's query; publishing the partition below is Convergence's own SQL
            runningTheQuery(step, sql, query, () -> warehouse.createOrReplaceTable(staging, query, context.cancellation()));
            List<SchemaField> columns = warehouse.tableSchema(staging).orElseThrow();
            SchemaField column = columns.stream().filter(c -> c.name().equalsIgnoreCase(partitionBy.field())).findFirst()
                    .orElseThrow(() -> new ConvergenceException(ErrorCode.CONFIG_INVALID, "step " + step.id() + ": the query has no column '"
                            + partitionBy.field() + "' (partition_by.field); its columns are "
                            + columns.stream().map(SchemaField::name).collect(Collectors.joining(", "))));
            PartitionRange range = PartitionRange.of(column.name(), column.type(), window);
            requireInside(context, step, staging, range, window);
            return warehouse.replacePartition(target, range, staging, fences.apply(context), context.cancellation());
        } finally {
            warehouse.dropTable(staging);
        }
    }

    /** Fails with examples when the query wrote rows that belong to another partition (or none). */
    private void requireInside(StepContext context, TransformStep step, TableId staging, PartitionRange range, PartitionWindow window) {
        String column = warehouse.dialect().quoteIdentifier(range.column());
        BoundSql outside = BoundSql.builder()
                .append("SELECT " + column + " FROM " + warehouse.dialect().quoteTable(staging) + " WHERE " + column + " IS NULL OR NOT ("
                        + column + " >= ").bind(range.start()).append(" AND " + column + " < ").bind(range.end()).append(")")
                .build();
        long count = warehouse.count(outside, context.cancellation());
        if (count == 0) {
            return;
        }
        QueryResult examples = warehouse.query(outside, EXAMPLES, context.cancellation());
        String values = examples.rows().stream().map(r -> String.valueOf(r.get(0))).distinct().collect(Collectors.joining(", "));
        throw new ConvergenceException(ErrorCode.STEP_FAILED, "step " + step.id() + ": " + StepSupport.plural(count, "row")
                + " of the query fall outside partition " + window.key() + " (" + range.column() + " from " + range.start().value()
                + " to before " + range.end().value() + "), e.g. " + values + "; filter the query with @partition_start and @partition_end."
                + " The partition was left unchanged.");
    }

    /** Tables only through refs: a table named directly would bypass tenant mapping and validation. */
    static void requireRefsOnly(TransformStep step, Path sqlFile, String sql) {
        SqlTemplate template = SqlTemplate.parse(sql);
        if (!template.rawTables().isEmpty()) {
            SqlTemplate.RawTable raw = template.rawTables().get(0);
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, sqlFile.getFileName() + ":" + raw.line() + ":" + raw.column()
                    + ": table " + raw.text() + " is named directly; write {{ ref('dataset.table') }} (step " + step.id() + ")");
        }
        if (!template.badTemplates().isEmpty()) {
            SqlTemplate.BadTemplate bad = template.badTemplates().get(0);
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, sqlFile.getFileName() + ":" + bad.line() + ":" + bad.column()
                    + ": " + bad.text() + " is not a valid ref; write {{ ref('dataset.table') }} (step " + step.id() + ")");
        }
        if (template.statementCount() != 1) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, sqlFile.getFileName() + " must hold exactly one query, found "
                    + template.statementCount() + " (step " + step.id() + ")");
        }
    }
}
