package io.convergence.engine.warehouse.duckdb;

import static io.convergence.engine.warehouse.duckdb.DuckDbFileStager.FILE;
import static io.convergence.engine.warehouse.duckdb.DuckDbFileStager.LINE;
import static io.convergence.engine.warehouse.duckdb.DuckDbFileStager.RAW;
import static io.convergence.engine.warehouse.duckdb.DuckDbFileStager.REASON;
import static io.convergence.engine.warehouse.duckdb.DuckDbFileStager.REJECT;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.CountedLoad;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.TableId;
import java.util.ArrayList;
import java.util.List;

/**
 * Files staged in two DuckDB tables beside the target: the rows to load ({@code staging}, the schema's
 * columns, plus an all-null bookkeeping column when rows were classified one by one) and the rejected
 * records ({@code rejects}); see {@link DuckDbFileStager} for the layout.
 */
final class DuckDbStagedLoad extends CountedLoad {
    private final DuckDbWarehouse warehouse;
    private final TableId staging;
    private final TableId rejects;
    private final List<SchemaField> schema;
    private boolean closed;

    DuckDbStagedLoad(DuckDbWarehouse warehouse, TableId staging, TableId rejects, List<SchemaField> schema, long read, long rejected) {
        super(read, rejected);
        this.warehouse = warehouse;
        this.staging = staging;
        this.rejects = rejects;
        this.schema = List.copyOf(schema);
    }

    @Override
    public List<Rejection> firstRejections(int limit) {
        try (DuckDbSession s = warehouse.session("reading rejected rows", new CancellationToken())) {
            return firstRejections(warehouse, s, rejects, limit);
        }
    }

    /** The first {@code limit} records of a rejects table, in file and line order. */
    static List<Rejection> firstRejections(DuckDbWarehouse warehouse, DuckDbSession s, TableId rejects, int limit) {
        QueryResult r = s.query(BoundSql.of("SELECT " + FILE + ", " + LINE + ", " + REASON + " FROM " + warehouse.quote(rejects)
                + " ORDER BY " + FILE + ", " + LINE + " LIMIT " + Math.max(0, limit)), limit);
        List<Rejection> out = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            out.add(new Rejection((String) row.get(0), row.get(1) == null ? 0 : ((Number) row.get(1)).longValue(), (String) row.get(2)));
        }
        return out;
    }

    @Override
    public long quarantineOnly(Quarantine quarantine, CancellationToken cancellation) {
        try (DuckDbSession s = warehouse.session("writing quarantine " + quarantine.table(), cancellation)) {
            prepareQuarantine(warehouse, s, quarantine);
            s.begin();
            long rows = insertQuarantine(warehouse, s, quarantine, rejects);
            s.commit();
            return rows;
        }
    }

    @Override
    public LoadOutcome publish(Quarantine quarantine, Publication publication, FenceCheck fence, CancellationToken cancellation) {
        TableId target = publication.target();
        try (DuckDbSession s = warehouse.session("loading " + target, cancellation)) {
            prepareQuarantine(warehouse, s, quarantine);
            warehouse.ensureDataset(target.dataset());
            WriteMode mode = publication.mode();
            if (mode == WriteMode.REPLACE || mode == WriteMode.APPEND && !DuckDbWarehouse.tableExists(s, target)) {
                return publishBySwap(s, quarantine, target, fence);
            }
            warehouse.createIfMissing(s, target, "CREATE TABLE IF NOT EXISTS " + warehouse.quote(target) + " (" + DuckDbTypes.columnDefinitions(schema, true) + ")");
            s.begin();
            long quarantined = insertQuarantine(warehouse, s, quarantine, rejects);
            String good = "SELECT " + DuckDbTypes.columnList(schema) + " FROM " + warehouse.quote(staging);
            long loaded;
            switch (mode) {
                case APPEND:
                    loaded = insertGood(s, target, good);
                    break;
                case REPLACE_PARTITIONS:
                    loaded = replacePartition(s, target, publication.partition().orElseThrow(), good);
                    break;
                default:
                    throw new IllegalStateException("unknown write mode " + mode);
            }
            requireBalanced(target, rowsRead(), rowsRejected(), loaded, quarantined);
            fence.verify();
            s.commit();
            return new LoadOutcome(loaded, quarantined);
        }
    }

    /**
     * Publishes without copying the good rows: the staging table (good rows only) loses its bookkeeping
     * column and then, in one transaction with the quarantine insert, takes the target's place. Used for
     * replace, and for an append that creates the target.
     */
    private LoadOutcome publishBySwap(DuckDbSession s, Quarantine quarantine, TableId target, FenceCheck fence) {
        String t = warehouse.quote(staging);
        // DuckDB refuses DML and ALTER on one table within a transaction; the staging table is private, so
        // these steps run before the publishing transaction
        s.update("ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + REJECT);
        for (SchemaField f : schema) {
            if (f.required()) {
                s.update("ALTER TABLE " + t + " ALTER COLUMN " + DuckDbTypes.quote(f.name()) + " SET NOT NULL");
            }
        }
        long loaded = warehouse.rowCount(s, staging);
        s.begin();
        long quarantined = insertQuarantine(warehouse, s, quarantine, rejects);
        s.update("DROP TABLE IF EXISTS " + warehouse.quote(target));
        s.update("ALTER TABLE " + t + " RENAME TO " + DuckDbTypes.quote(target.table()));
        requireBalanced(target, rowsRead(), rowsRejected(), loaded, quarantined);
        fence.verify();
        s.commit();
        return new LoadOutcome(loaded, quarantined);
    }

    /** Refuses to commit a load whose counts do not add up: every record read is loaded or quarantined. */
    static void requireBalanced(TableId target, long read, long rejected, long loaded, long quarantined) {
        if (loaded + quarantined != read || quarantined != rejected) {
            // checked before commit, so a broken accounting never becomes visible
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "row accounting for " + target + " does not add up: read "
                    + read + ", loaded " + loaded + ", quarantined " + quarantined + ", rejected " + rejected + "; nothing was written");
        }
    }

    private long replacePartition(DuckDbSession s, TableId target, PartitionRange range, String good) {
        String column = DuckDbTypes.quote(range.column());
        List<ParameterValue> bounds = List.of(range.start(), range.end());
        long outside = s.longValue(new BoundSql("SELECT count(*) FROM (" + good + ") WHERE " + column + " IS NULL OR NOT ("
                + column + " >= ? AND " + column + " < ?)", bounds));
        if (outside > 0) {
            throw new ConvergenceException(ErrorCode.STEP_FAILED, outside + " loaded rows fall outside partition "
                    + range.start().value() + " to " + range.end().value() + " of " + target + " (column " + range.column() + ")");
        }
        s.update(new BoundSql("DELETE FROM " + warehouse.quote(target) + " WHERE " + column + " >= ? AND " + column + " < ?", bounds));
        return insertGood(s, target, good);
    }

    private long insertGood(DuckDbSession s, TableId target, String good) {
        try {
            return s.update("INSERT INTO " + warehouse.quote(target) + " BY NAME " + good);
        } catch (ConvergenceException e) {
            if (e.code() == ErrorCode.SQL_ERROR) {
                throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, "table " + target
                        + " does not match the schema file (write: replace recreates it): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Creates the quarantine table (and its dataset) when missing. */
    static void prepareQuarantine(DuckDbWarehouse warehouse, DuckDbSession s, Quarantine quarantine) {
        warehouse.ensureDataset(quarantine.table().dataset());
        StringBuilder ddl = new StringBuilder();
        for (SchemaField f : Quarantine.SCHEMA) {
            ddl.append(ddl.length() == 0 ? "" : ", ").append(DuckDbTypes.quote(f.name())).append(' ').append(DuckDbTypes.of(f));
        }
        warehouse.createIfMissing(s, quarantine.table(), "CREATE TABLE IF NOT EXISTS " + warehouse.quote(quarantine.table()) + " (" + ddl + ")");
    }

    /** Copies every record of a rejects table into quarantine, in file and line order; returns how many. */
    static long insertQuarantine(DuckDbWarehouse warehouse, DuckDbSession s, Quarantine quarantine, TableId rejects) {
        return s.update(new BoundSql("INSERT INTO " + warehouse.quote(quarantine.table())
                + " (run_id, source_file, line_number, reason, raw_record, rejected_at) SELECT ?, " + FILE + ", " + LINE + ", "
                + REASON + ", " + RAW + ", ? FROM " + warehouse.quote(rejects) + " ORDER BY " + FILE + ", " + LINE,
                List.of(new ParameterValue(ParameterType.STRING, quarantine.runId()),
                        new ParameterValue(ParameterType.TIMESTAMP, quarantine.rejectedAt()))));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        warehouse.dropTable(staging);
        warehouse.dropTable(rejects);
    }
}
