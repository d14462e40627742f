package io.convergence.app.ui;

/** The designer's same-thread executor, typed for the app's view models: for tests, where the calling thread is the "UI thread". */
public final class CurrentThreadTaskExecutor extends io.convergence.designer.task.CurrentThreadTaskExecutor implements TaskExecutor {
}
