package io.convergence.engine.lock;

/**
 * Told once when a {@link LockHandle} loses its lock. The run must stop itself (cancel, record
 * INTERRUPTED) rather than go on unlocked. Called on the heartbeat thread or the thread that checked
 * the fence: keep it short (cancel a token), never block on the lock store.
 */
@FunctionalInterface
public interface LockLossListener {
    LockLossListener NONE = (handle, loss) -> { };

    void lockLost(LockHandle handle, LockLoss loss);
}
