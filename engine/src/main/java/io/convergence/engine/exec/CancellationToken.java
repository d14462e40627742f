package io.convergence.engine.exec;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Cooperative cancellation: work checks it, and warehouse calls register a hook that aborts them. */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Cancels once; runs every registered hook. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            for (Runnable hook : hooks) {
                try {
                    hook.run();
                } catch (RuntimeException ignored) {
                    // a failing hook must not stop the others from cancelling their work
                }
            }
        }
    }

    /** Registers a hook, run at once if already cancelled; returns a handle that unregisters it. */
    public AutoCloseable onCancel(Runnable hook) {
        hooks.add(hook);
        if (cancelled.get()) {
            hook.run();
        }
        return () -> hooks.remove(hook);
    }

    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new io.convergence.engine.error.ConvergenceException(
                    io.convergence.engine.error.ErrorCode.RUN_CANCELLED, "run was cancelled");
        }
    }
}
