package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.warehouse.CountedLoad;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import java.util.List;

/**
 * Files already appended to their target by {@link DuckDbFileStager#stageForAppend}, inside a
 * transaction this load holds open: the rows are invisible to every other session until {@link #publish}
 * commits them together with the quarantine insert, after the same balance and fence checks as a staged
 * load. Closing without publishing rolls them back (a crash does the same: DuckDB never makes an
 * uncommitted transaction visible). Rejected records are only those the reader could not parse, with
 * their lines, in a rejects table beside the target.
 */
final class DuckDbDirectAppend extends CountedLoad {
    private final DuckDbWarehouse warehouse;
    private final DuckDbSession session;
    private final FileLoad load;
    private final Quarantine quarantine;
    private final TableId rejects;
    private boolean closed;

    DuckDbDirectAppend(DuckDbWarehouse warehouse, DuckDbSession session, FileLoad load, Quarantine quarantine, TableId rejects,
                       long read, long rejected) {
        super(read, rejected);
        this.warehouse = warehouse;
        this.session = session;
        this.load = load;
        this.quarantine = quarantine;
        this.rejects = rejects;
    }

    @Override
    public List<Rejection> firstRejections(int limit) {
        return DuckDbStagedLoad.firstRejections(warehouse, session, rejects, limit);
    }

    /**
     * The load is refused: the appended rows are rolled back, and the rejected records (rolled back with
     * them) are read again the usual way and quarantined. Rare, so the second reading costs little overall.
     */
    @Override
    public long quarantineOnly(Quarantine refused, CancellationToken cancellation) {
        session.rollbackQuietly();
        try (StagedLoad staged = DuckDbFileStager.stage(warehouse, load, cancellation)) {
            return staged.quarantineOnly(refused, cancellation);
        }
    }

    @Override
    public LoadOutcome publish(Quarantine into, Publication publication, FenceCheck fence, CancellationToken cancellation) {
        if (publication.mode() != WriteMode.APPEND || !publication.target().equals(load.target()) || !into.table().equals(quarantine.table())) {
            throw new IllegalStateException("files appended to " + load.target() + " with quarantine " + quarantine.table()
                    + " cannot be published as " + publication + " into " + into.table());
        }
        long quarantined = DuckDbStagedLoad.insertQuarantine(warehouse, session, into, rejects);
        long loaded = rowsRead() - rowsRejected();
        DuckDbStagedLoad.requireBalanced(load.target(), rowsRead(), rowsRejected(), loaded, quarantined);
        fence.verify();
        session.commit();
        return new LoadOutcome(loaded, quarantined);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close(); // rolls back unless published
        warehouse.dropTable(rejects);
    }
}
