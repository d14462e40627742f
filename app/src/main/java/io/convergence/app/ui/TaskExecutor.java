package io.convergence.app.ui;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs work off the UI thread and delivers the outcome back on it. View models take one so they
 * never block the FX thread, and tests pass {@link CurrentThreadTaskExecutor} to run without FX. It is the
 * designer's executor seam too, so the app hands its pool to embedded designers.
 */
public interface TaskExecutor extends io.convergence.designer.task.TaskExecutor {
    /**
     * Runs {@code work} in the background, then exactly one of {@code onSuccess} or {@code onFailure}
     * on the UI thread.
     */
    <T> void execute(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure);

    /** Stops accepting work; running work is interrupted. */
    @Override
    default void close() {
    }
}
