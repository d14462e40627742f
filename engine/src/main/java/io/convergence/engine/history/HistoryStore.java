package io.convergence.engine.history;

import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Run history: append-only run, step, partition, check, log and lock events plus a latest-status
 * row per run. Written through {@link HistoryRecorder}; read by the CLI, the UI and {@code --resume}.
 */
public interface HistoryStore extends AutoCloseable {
    /** Stores events atomically, in order. */
    void append(List<RunEvent> events);

    /** Runs matching the query, newest first. */
    List<RunSummary> runs(HistoryQuery query);

    /** How many runs match the query's filters (ignores limit, offset and cursor). */
    long countRuns(HistoryQuery query);

    Optional<RunDetail> run(String runId);

    /** The newest run of a pipeline. */
    Optional<RunSummary> latestRun(String tenant, String pipeline);

    /**
     * Units a resume of {@code runId} need not redo: those that succeeded in it, and those it skipped
     * because the run it resumed had them. Throws RUN_NOT_FOUND for an unknown run.
     */
    Set<UnitKey> succeededUnits(String runId);

    /** Marks a run that is still QUEUED or RUNNING as INTERRUPTED (zombie detection); false if it was already over. */
    boolean markInterrupted(String runId, Instant at, String reason);

    @Override
    void close();
}
