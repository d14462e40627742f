package io.convergence.engine.lock;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;

/**
 * What a warehouse asks before it publishes (swaps in a partition or table) on behalf of a run.
 *
 * <p>Protocol (ADR 0006): the warehouse keeps a fence row per (tenant, pipeline). When a run starts it
 * advances the row to {@link #epoch()} (refusing if the row is already ahead). Every publish calls
 * {@link #check()} and then, in the same warehouse transaction as the swap, reads the fence row and
 * calls {@link #checkWarehouseFence(long)}. A holder that lost its lease can therefore never publish
 * over a newer holder, even if it wakes up from a long pause in the middle of a publish.
 */
public interface FenceGuard {
    LockKey key();

    /** The fencing token of the run that publishes. */
    long epoch();

    /** Throws {@code ConvergenceException(FENCING_REJECTED)} unless this epoch still holds the lock. */
    void check();

    /** Throws {@code FENCING_REJECTED} unless the warehouse fence row is at this epoch. */
    default void checkWarehouseFence(long fenceEpoch) {
        if (fenceEpoch != epoch()) {
            throw new ConvergenceException(ErrorCode.FENCING_REJECTED, "publish to " + key() + " refused: the"
                    + " warehouse fence is at epoch " + fenceEpoch + " but this run holds epoch " + epoch()
                    + (fenceEpoch > epoch() ? "; a newer run has taken the pipeline over" : ""));
        }
    }

    /** A guard that is always valid at a fixed epoch: for tests and tools that run without locks. */
    static FenceGuard fixed(LockKey key, long epoch) {
        return new FenceGuard() {
            @Override
            public LockKey key() {
                return key;
            }

            @Override
            public long epoch() {
                return epoch;
            }

            @Override
            public void check() {
            }
        };
    }
}
