package io.convergence.engine.lock;

/** Why a holder no longer holds its lock. */
public enum LossReason {
    /** The lease ran out before it was renewed (a stalled process, a slow or unreachable store). */
    EXPIRED,
    /** Another run holds the lock now, with a newer epoch. */
    TAKEN_OVER,
    /** Nobody holds it: it was force-released, or released for a run marked interrupted. */
    RELEASED
}
