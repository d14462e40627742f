package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Controls one started run. {@link #completion()} completes after the run's {@code RunFinished}
 * event has been delivered to every listener, so a caller that waits sees listeners up to date.
 */
public final class RunHandle {
    private final RunExecution execution;

    RunHandle(RunExecution execution) {
        this.execution = requireNonNull(execution, "execution is null");
    }

    public String runId() {
        return execution.runId();
    }

    /** The run's state now: RUNNING until it reaches a terminal state. */
    public RunState state() {
        return execution.state();
    }

    /** Cancels the run: queued units become CANCELLED, running ones are asked to stop; the run ends CANCELLED. */
    public void cancel() {
        execution.abort(RunExecution.Abort.CANCEL, "the run was cancelled");
    }

    /** Interrupts the run (engine shutdown, window closed): like cancel, but the run ends INTERRUPTED. */
    public void interrupt(String reason) {
        execution.abort(RunExecution.Abort.INTERRUPT, requireNonNull(reason, "reason is null"));
    }

    public CompletableFuture<RunResult> completion() {
        return execution.completion().copy();
    }

    /** Waits for the run to finish. */
    public RunResult await() throws InterruptedException {
        try {
            return execution.completion().get();
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("run " + runId() + " ended abnormally", e.getCause());
        }
    }

    /** Waits at most {@code timeout}; empty if the run is still going. */
    public Optional<RunResult> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(execution.completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        catch (TimeoutException e) {
            return Optional.empty();
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("run " + runId() + " ended abnormally", e.getCause());
        }
    }

    @Override
    public String toString() {
        return "RunHandle[" + runId() + ", " + state() + "]";
    }
}
