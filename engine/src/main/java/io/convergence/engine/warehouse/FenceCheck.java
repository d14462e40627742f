package io.convergence.engine.warehouse;

/**
 * Runs inside a publishing transaction, just before it commits: a lock holder whose lease was lost or
 * force-released must not publish. Throwing (normally {@code FENCING_REJECTED}) rolls the publication
 * back and leaves the old table or partition visible.
 */
@FunctionalInterface
public interface FenceCheck {
    /** No lock to verify; publications commit unconditionally. */
    FenceCheck NONE = () -> {
    };

    void verify();
}
