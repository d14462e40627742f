package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.TableId;

/**
 * The fence rows of ADR 0006 in a tenant's metadata dataset: {@code fences(tenant, pipeline, epoch)}. A run advances
 * its pipeline's row to its lock epoch before it publishes anything; every publish asserts the row still shows that
 * epoch, so a holder that lost its lock can never publish over a newer one.
 */
public final class WarehouseFences {
    static final Schema SCHEMA = Schema.of(
            Field.newBuilder("tenant", StandardSQLTypeName.STRING).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("pipeline", StandardSQLTypeName.STRING).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("epoch", StandardSQLTypeName.INT64).setMode(Field.Mode.REQUIRED).build());

    private final BigQueryWarehouse warehouse;
    private final TableId table;

    public WarehouseFences(BigQueryWarehouse warehouse, String metadataDataset) {
        this.warehouse = requireNonNull(warehouse, "warehouse is null");
        this.table = new TableId(metadataDataset, MetadataDataset.FENCES);
    }

    public TableId table() {
        return table;
    }

    /**
     * Moves the fence row of {@code key} up to {@code epoch} (creating it) and returns the token publishes assert.
     * A row already past {@code epoch} means a newer run owns the pipeline: FENCING_REJECTED.
     */
    public FenceToken advance(LockKey key, long epoch) {
        warehouse.ensureDataset(table.dataset());
        warehouse.createTable(table, SCHEMA);
        String t = warehouse.dialect().quoteTable(table);
        ParameterValue tenant = new ParameterValue(ParameterType.STRING, key.tenant());
        ParameterValue pipeline = new ParameterValue(ParameterType.STRING, key.pipeline());
        ParameterValue mine = new ParameterValue(ParameterType.INT64, epoch);
        CancellationToken none = new CancellationToken();
        // bookkeeping, not pipeline work: without maximum_bytes_billed, so a small cap fails a step, not the run's start
        warehouse.run(warehouse.jobs().bookkeepingQuery(BoundSql.builder()
                .append("MERGE " + t + " AS f USING (SELECT ").bind(tenant).append(" AS tenant, ").bind(pipeline)
                .append(" AS pipeline, ").bind(mine).append(" AS epoch) AS s ON f.tenant = s.tenant AND f.pipeline = s.pipeline")
                .append(" WHEN MATCHED AND f.epoch <= s.epoch THEN UPDATE SET epoch = s.epoch")
                .append(" WHEN NOT MATCHED THEN INSERT (tenant, pipeline, epoch) VALUES (s.tenant, s.pipeline, s.epoch)")
                .build()).build(), "advancing the fence of " + key, none, true);
        long current = current(key);
        if (current != epoch) {
            throw new ConvergenceException(ErrorCode.FENCING_REJECTED, "the warehouse fence of " + key + " is at epoch " + current
                    + ", past this run's epoch " + epoch + ": a newer run owns the pipeline (if the lock store was reset, raise the"
                    + " lock epoch above " + current + " or delete the row from " + table + ")");
        }
        return new FenceToken(table, key, epoch);
    }

    /** The epoch the fence row shows, 0 when there is none. */
    public long current(LockKey key) {
        Object epoch = warehouse.quickQuery(warehouse.jobs().bookkeepingQuery(BoundSql.of("SELECT COALESCE(MAX(epoch), 0) FROM "
                + warehouse.dialect().quoteTable(table) + " WHERE tenant = ? AND pipeline = ?",
                new ParameterValue(ParameterType.STRING, key.tenant()), new ParameterValue(ParameterType.STRING, key.pipeline()))), 1).scalar();
        return epoch == null ? 0 : ((Number) epoch).longValue();
    }
}
