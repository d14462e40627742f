package io.convergence.designer.task;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs work off the UI thread and delivers the outcome back on it. The designer takes one so validation and
 * layout of big graphs never block the FX thread; tests pass {@link CurrentThreadTaskExecutor}.
 */
public interface TaskExecutor extends AutoCloseable {
    /** Runs {@code work} in the background, then exactly one of {@code onSuccess} or {@code onFailure} on the UI thread. */
    <T> void execute(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure);

    /** Stops accepting work; running work is interrupted. */
    @Override
    default void close() {
    }
}
