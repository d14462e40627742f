package io.convergence.engine.warehouse;

import io.convergence.engine.exec.CancellationToken;
import java.util.List;

/**
 * Files read into a staging area with every record classified: good (typed per the schema) or rejected
 * with its file, line and reason. Nothing is visible in the target until {@link #publish}; closing drops
 * the staging area.
 */
public interface StagedLoad extends AutoCloseable {
    /** Records read from all files, including rejected ones (blank NDJSON lines are not records). */
    long rowsRead();

    long rowsRejected();

    /** The first rejected records in file and line order. */
    List<Rejection> firstRejections(int limit);

    /** Writes only the rejected records to quarantine (used when the load is refused); returns their count. */
    long quarantineOnly(Quarantine quarantine, CancellationToken cancellation);

    /**
     * In one transaction: rejected records to quarantine, good records to the target as {@code publication}
     * says, then {@code fence} verified before commit.
     */
    LoadOutcome publish(Quarantine quarantine, Publication publication, FenceCheck fence, CancellationToken cancellation);

    @Override
    void close();

    /** One rejected record. */
    record Rejection(String sourceFile, long lineNumber, String reason) {
    }

    /** Rows written by {@link #publish}. */
    record LoadOutcome(long loaded, long quarantined) {
    }
}
