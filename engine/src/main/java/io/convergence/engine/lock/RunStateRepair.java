package io.convergence.engine.lock;

/**
 * Lets the lock layer repair run history without depending on it: a run whose lease expired (its
 * process crashed or hung) is marked INTERRUPTED. Implemented by the history store.
 */
@FunctionalInterface
public interface RunStateRepair {
    /** Does nothing; for callers without history (tests, one-off tools). */
    RunStateRepair NONE = (runId, reason) -> { };

    /**
     * Marks {@code runId} INTERRUPTED with {@code reason} if it is not yet in a terminal state.
     * Must be idempotent: the same run may be reported more than once (by the reaper and by the run
     * that takes the lock over). Throwing leaves the lock in place so the repair is tried again.
     */
    void markInterrupted(String runId, String reason);
}
