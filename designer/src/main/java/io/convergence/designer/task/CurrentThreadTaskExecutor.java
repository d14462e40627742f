package io.convergence.designer.task;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** Runs work and its callback at once on the calling thread: for tests, where that thread is the "UI thread". */
public class CurrentThreadTaskExecutor implements TaskExecutor {
    @Override
    public <T> void execute(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        T result;
        try {
            result = work.call();
        } catch (Exception | LinkageError | AssertionError e) {
            onFailure.accept(e);
            return;
        }
        onSuccess.accept(result);
    }
}
