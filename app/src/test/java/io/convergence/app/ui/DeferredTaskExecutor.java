package io.convergence.app.ui;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** Holds submitted work until the test runs it, in any order: shows what a view model does while work is pending. */
final class DeferredTaskExecutor implements TaskExecutor {
    private final Deque<Runnable> pending = new ArrayDeque<>();

    @Override
    public <T> void execute(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        pending.add(() -> new CurrentThreadTaskExecutor().execute(work, onSuccess, onFailure));
    }

    int pending() {
        return pending.size();
    }

    void runOldest() {
        pending.removeFirst().run();
    }

    void runNewest() {
        pending.removeLast().run();
    }
}
