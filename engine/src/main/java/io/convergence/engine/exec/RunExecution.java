package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.Step;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanUnit;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The state machine of one run. Every transition happens under this object's monitor and publishes
 * its events (which only enqueues) before releasing it, so each run's events reach listeners in
 * transition order. Runners execute on worker threads without the monitor; retries, timeouts and
 * grace periods are timers, never sleeping threads.
 */
final class RunExecution {
    private static final Logger log = LoggerFactory.getLogger(RunExecution.class);

    /** Why a run stops early, and the states its units get. */
    enum Abort {
        CANCEL(RunState.CANCELLED, RunState.CANCELLED, ErrorCode.RUN_CANCELLED),
        INTERRUPT(RunState.INTERRUPTED, RunState.INTERRUPTED, null),
        TIMEOUT(RunState.CANCELLED, RunState.FAILED, ErrorCode.STEP_TIMEOUT);

        private final RunState queuedUnits;
        private final RunState runningUnits;
        private final ErrorCode code;

        Abort(RunState queuedUnits, RunState runningUnits, ErrorCode code) {
            this.queuedUnits = queuedUnits;
            this.runningUnits = runningUnits;
            this.code = code;
        }

        RunState runState() {
            return this == CANCEL ? RunState.CANCELLED : this == INTERRUPT ? RunState.INTERRUPTED : RunState.FAILED;
        }
    }

    /** How a unit reached its terminal state, which decides what happens to its successors. */
    private enum Outcome {
        /** Succeeded, or completed by an earlier run: successors may start. */
        DONE,
        /** Failed, or skipped because of a failure: successors are skipped. */
        BLOCKED,
        /** Cancelled, interrupted or timed out with the run: the abort handles everything else. */
        ABORTED
    }

    private final Executor.Services services;
    private final RunSpec spec;
    private final Plan plan;
    private final String runId;
    private final List<RunEventListener> runListeners;
    private final Consumer<RunExecution> onFinished;
    private final CompletableFuture<RunResult> completion = new CompletableFuture<>();
    private final int unitCount;
    private final int maxParallel;

    // Everything below is guarded by this.
    private final RunState[] state;
    private final int[] remaining;
    private final int[] attempts;
    private final long[] rows;
    private final long[] bytes;
    private final Instant[] started;
    private final String[] errorCode;
    private final String[] errorMessage;
    private final Attempt[] current;
    private final ScheduledFuture<?>[] backoff;
    private final BitSet ready = new BitSet();
    private final StepProgress[] steps;
    private int running;
    private int terminal;
    private Abort abort;
    private String abortReason;
    private String failureCode;
    private String failureMessage;
    private Instant startedAt;
    private ScheduledFuture<?> runTimeout;
    private ScheduledFuture<?> abortGrace;
    private boolean finished;
    private volatile RunState runState = RunState.QUEUED;

    RunExecution(Executor.Services services, RunSpec spec, String runId, Consumer<RunExecution> onFinished) {
        this.services = requireNonNull(services, "services is null");
        this.spec = requireNonNull(spec, "spec is null");
        this.plan = spec.plan();
        this.runId = requireNonNull(runId, "runId is null");
        this.runListeners = spec.listeners();
        this.onFinished = requireNonNull(onFinished, "onFinished is null");
        this.unitCount = plan.unitCount();
        this.maxParallel = plan.maxParallel();
        this.state = new RunState[unitCount];
        this.remaining = new int[unitCount];
        this.attempts = new int[unitCount];
        this.rows = new long[unitCount];
        this.bytes = new long[unitCount];
        this.started = new Instant[unitCount];
        this.errorCode = new String[unitCount];
        this.errorMessage = new String[unitCount];
        this.current = new Attempt[unitCount];
        this.backoff = new ScheduledFuture<?>[unitCount];
        this.steps = new StepProgress[plan.steps().size()];
        for (int s = 0; s < steps.length; s++) {
            Step step = plan.steps().get(s);
            steps[s] = new StepProgress(step.id(), plan.isPartitioned(step.id()));
        }
        for (int i = 0; i < unitCount; i++) {
            state[i] = RunState.QUEUED;
            remaining[i] = plan.predecessorCount(i);
            steps[plan.stepPositionOfUnit(i)].units++;
        }
    }

    String runId() {
        return runId;
    }

    RunState state() {
        return runState;
    }

    CompletableFuture<RunResult> completion() {
        return completion;
    }

    /** Publishes the start of the run, marks resumed units, and launches the first units. */
    synchronized void start() {
        Instant now = services.clock().instant();
        startedAt = now;
        runState = RunState.RUNNING;
        publish(Executor.runStarted(runId, now, spec.tenant().id(), plan, spec.target(), spec.pipelineVersion().orElse(null),
                spec.parameters(), spec.host().orElse(null), spec.user().orElse(null), spec.resumedFrom().orElse(null)));
        // announce every unit as QUEUED so listeners learn the run's shape (which steps are partitioned) from events alone
        for (StepProgress step : steps) {
            publish(new RunEvent.StepStateChanged(runId, now, step.stepId, RunState.QUEUED, 0, 0, 0, null, null, null));
        }
        for (int i = 0; i < unitCount; i++) {
            PlanUnit unit = plan.unit(i);
            if (unit.partition().isPresent()) {
                publish(new RunEvent.PartitionStateChanged(runId, now, unit.stepId(), unit.partition().get().key(),
                        RunState.QUEUED, 0, 0, 0, null, null, null));
            }
        }
        for (int i = 0; i < unitCount; i++) {
            if (remaining[i] == 0) {
                ready.set(i);
            }
        }
        String resumedReason = "already succeeded in run " + spec.resumedFrom().orElse("(earlier run)");
        for (int i = 0; i < unitCount; i++) {
            if (plan.unit(i).resumed()) {
                errorMessage[i] = resumedReason;
                finishUnit(i, RunState.SKIPPED, Outcome.DONE);
            }
        }
        plan.timeout().ifPresent(timeout -> runTimeout = services.timers().schedule(
                () -> abort(Abort.TIMEOUT, "the run exceeded its timeout of " + Durations.format(timeout)),
                timeout.toNanos(), TimeUnit.NANOSECONDS));
        dispatch();
        maybeFinish();
    }

    /** Stops the run early; the first abort wins, later ones are ignored. */
    void abort(Abort kind, String reason) {
        List<CancellationToken> toCancel = new ArrayList<>();
        synchronized (this) {
            if (finished || abort != null) {
                return;
            }
            abort = kind;
            abortReason = reason;
            log.info("Run {} stopping: {}", runId, reason);
            if (runTimeout != null) {
                runTimeout.cancel(false);
            }
            publish(new RunEvent.LogLine(runId, services.clock().instant(), null, null, "WARN", reason));
            String code = kind.code == null ? null : kind.code.display();
            for (int i = 0; i < unitCount; i++) {
                if (state[i] == RunState.QUEUED) {
                    errorCode[i] = code;
                    errorMessage[i] = reason;
                    finishUnit(i, kind.queuedUnits, Outcome.ABORTED);
                }
                else if (state[i] == RunState.RUNNING && current[i] == null) {
                    // waiting to retry: nothing runs, so it stops at once
                    backoff[i].cancel(false);
                    backoff[i] = null;
                    errorCode[i] = code;
                    errorMessage[i] = reason;
                    finishUnit(i, kind.runningUnits, Outcome.ABORTED);
                }
                else if (current[i] != null) {
                    toCancel.add(current[i].token);
                }
            }
            if (!toCancel.isEmpty()) {
                abortGrace = services.timers().schedule(this::forceStop, services.options().cancelGrace().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
            maybeFinish();
        }
        for (CancellationToken token : toCancel) {
            cancelLater(token);
        }
    }

    private void dispatch() {
        while (abort == null && running < maxParallel) {
            int i = ready.nextSetBit(0);
            if (i < 0) {
                return;
            }
            ready.clear(i);
            launch(i);
        }
    }

    private void launch(int i) {
        PlanUnit unit = plan.unit(i);
        attempts[i]++;
        Attempt attempt = new Attempt(i, attempts[i]);
        current[i] = attempt;
        running++;
        Instant now = services.clock().instant();
        if (started[i] == null) {
            started[i] = now;
        }
        state[i] = RunState.RUNNING;
        StepProgress step = steps[plan.stepPositionOfUnit(i)];
        if (!step.started) {
            step.started = true;
            step.startedAt = now;
            if (step.partitioned) {
                publish(new RunEvent.StepStateChanged(runId, now, step.stepId, RunState.RUNNING, 1, 0, 0, null, null, null));
            }
        }
        publishUnit(i, RunState.RUNNING, null, now);
        Duration timeout = unit.step().timeout();
        if (timeout != null && !timeout.isZero() && !timeout.isNegative()) {
            attempt.timeout = services.timers().schedule(() -> onAttemptTimeout(attempt, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        try {
            services.workers().execute(() -> runAttempt(attempt));
        }
        catch (RejectedExecutionException e) {
            attemptFinished(attempt, null, new ConvergenceException(ErrorCode.INTERNAL_ERROR, "the engine is shutting down", e));
        }
    }

    /** Runs on a worker thread, without the monitor. */
    private void runAttempt(Attempt attempt) {
        PlanUnit unit = plan.unit(attempt.unit);
        MDC.put(MdcKeys.TENANT, spec.tenant().id());
        MDC.put(MdcKeys.PIPELINE, plan.pipeline().pipeline().id());
        MDC.put(MdcKeys.RUN, runId);
        MDC.put(MdcKeys.STEP, unit.stepId());
        if (unit.partition().isPresent()) {
            MDC.put(MdcKeys.PARTITION, unit.partition().get().key());
        }
        try {
            StepRunner runner = services.runners().runnerFor(unit.step());
            StepResult result = runner.run(new StepContext(runId, spec.tenant(), plan.pipeline(), unit.step(), unit.partition(),
                    spec.parameters(), attempt.number, attempt.token, attempt, services.clock()));
            if (result == null) {
                throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "the " + unit.step().typeName() + " runner returned no result");
            }
            attemptFinished(attempt, result, null);
        }
        catch (RuntimeException e) {
            attemptFinished(attempt, null, e);
        }
        catch (Error e) {
            attemptFinished(attempt, null, e);
            throw e;
        }
        finally {
            MDC.remove(MdcKeys.TENANT);
            MDC.remove(MdcKeys.PIPELINE);
            MDC.remove(MdcKeys.RUN);
            MDC.remove(MdcKeys.STEP);
            MDC.remove(MdcKeys.PARTITION);
        }
    }

    private synchronized void attemptFinished(Attempt attempt, StepResult result, Throwable failure) {
        if (attempt.closed) {
            log.debug("Attempt {} of {} returned after it was given up; ignoring its outcome", attempt.number, plan.unit(attempt.unit));
            return;
        }
        close(attempt);
        int i = attempt.unit;
        PlanUnit unit = plan.unit(i);
        if (failure == null) {
            rows[i] = result.rows();
            bytes[i] = result.bytes();
            errorCode[i] = null;
            errorMessage[i] = null;
            finishUnit(i, RunState.SUCCEEDED, Outcome.DONE);
        }
        else {
            ErrorCode code;
            String message;
            if (attempt.timedOut) {
                code = ErrorCode.STEP_TIMEOUT;
                message = "step " + unit + " timed out after " + Durations.format(unit.step().timeout()) + " (attempt " + attempt.number + ")";
            }
            else if (failure instanceof ConvergenceException ce) {
                code = ce.code();
                message = ce.getMessage();
            }
            else {
                code = ErrorCode.INTERNAL_ERROR;
                message = "unexpected error in step " + unit + ": " + failure;
                log.error("Step {} of run {} failed unexpectedly", unit, runId, failure);
            }
            errorCode[i] = code.display();
            errorMessage[i] = message;
            if (abort != null) {
                if (abort.code != null) {
                    errorCode[i] = abort.code.display();
                }
                errorMessage[i] = abortReason;
                finishUnit(i, abort.runningUnits, Outcome.ABORTED);
            }
            else if (services.options().retry().isRetryable(code) && attempt.number <= unit.step().retries()) {
                Duration delay = services.options().retry().delayBefore(attempt.number + 1);
                String text = "attempt " + attempt.number + " of " + unit + " failed (" + code.display() + ": " + message
                        + "); retrying in " + Durations.format(delay);
                log.warn("Run {}: {}", runId, text);
                publish(new RunEvent.LogLine(runId, services.clock().instant(), unit.stepId(), unit.partitionKey().orElse(null), "WARN", text));
                backoff[i] = services.timers().schedule(() -> retryDue(i), delay.toNanos(), TimeUnit.NANOSECONDS);
            }
            else {
                log.info("Run {}: step {} failed: {}: {}", runId, unit, code.display(), message);
                // the run's own log says why, so the app's log pane and `runs show` carry the reason beside the state
                publish(new RunEvent.LogLine(runId, services.clock().instant(), unit.stepId(), unit.partitionKey().orElse(null), "ERROR",
                        "step " + unit + " failed (" + code.display() + "): " + message));
                finishUnit(i, RunState.FAILED, Outcome.BLOCKED);
            }
        }
        dispatch();
        maybeFinish();
    }

    private synchronized void retryDue(int i) {
        backoff[i] = null;
        if (state[i] != RunState.RUNNING || abort != null) {
            return;
        }
        ready.set(i);
        dispatch();
    }

    private void onAttemptTimeout(Attempt attempt, Duration timeout) {
        synchronized (this) {
            if (attempt.closed) {
                return;
            }
            attempt.timedOut = true;
            PlanUnit unit = plan.unit(attempt.unit);
            publish(new RunEvent.LogLine(runId, services.clock().instant(), unit.stepId(), unit.partitionKey().orElse(null), "WARN",
                    "step " + unit + " exceeded its timeout of " + Durations.format(timeout) + "; cancelling it"));
            attempt.grace = services.timers().schedule(() -> {
                log.warn("Run {}: step {} did not stop within {} of its timeout; recording it as timed out", runId, unit,
                        Durations.format(services.options().cancelGrace()));
                attemptFinished(attempt, null, new ConvergenceException(ErrorCode.STEP_TIMEOUT, "timed out"));
            }, services.options().cancelGrace().toNanos(), TimeUnit.NANOSECONDS);
        }
        cancelLater(attempt.token);
    }

    /** After an abort's grace period: records attempts that never returned as stopped. */
    private synchronized void forceStop() {
        for (int i = 0; i < unitCount; i++) {
            Attempt attempt = current[i];
            if (attempt != null) {
                log.warn("Run {}: step {} did not stop within {}; recording it as stopped", runId, plan.unit(i),
                        Durations.format(services.options().cancelGrace()));
                close(attempt);
                errorCode[i] = abort.code == null ? null : abort.code.display();
                errorMessage[i] = abortReason + " (the step did not stop within " + Durations.format(services.options().cancelGrace()) + ")";
                finishUnit(i, abort.runningUnits, Outcome.ABORTED);
            }
        }
        maybeFinish();
    }

    private void close(Attempt attempt) {
        attempt.closed = true;
        if (attempt.timeout != null) {
            attempt.timeout.cancel(false);
        }
        if (attempt.grace != null) {
            attempt.grace.cancel(false);
        }
        running--;
        current[attempt.unit] = null;
    }

    /** Records a unit's terminal state, rolls it up into its step, and releases or skips what follows it. */
    private void finishUnit(int first, RunState firstState, Outcome firstOutcome) {
        Deque<Integer> blocked = new ArrayDeque<>();
        finishOne(first, firstState, false);
        if (firstOutcome == Outcome.DONE) {
            for (int k = 0; k < plan.successorCount(first); k++) {
                int next = plan.successor(first, k);
                if (--remaining[next] == 0 && state[next] == RunState.QUEUED) {
                    ready.set(next);
                }
            }
            return;
        }
        if (firstOutcome == Outcome.ABORTED) {
            return;
        }
        String reason = "skipped because " + plan.unit(first) + " failed";
        blocked.push(first);
        while (!blocked.isEmpty()) {
            int unit = blocked.pop();
            for (int k = 0; k < plan.successorCount(unit); k++) {
                int next = plan.successor(unit, k);
                if (state[next] == RunState.QUEUED) {
                    errorCode[next] = null;
                    errorMessage[next] = reason;
                    finishOne(next, RunState.SKIPPED, true);
                    blocked.push(next);
                }
            }
        }
    }

    private void finishOne(int i, RunState terminalState, boolean skippedForFailure) {
        Instant now = services.clock().instant();
        state[i] = terminalState;
        ready.clear(i);
        terminal++;
        Duration duration = started[i] == null ? null : Duration.between(started[i], now);
        publishUnit(i, terminalState, duration, now);
        if (terminalState == RunState.FAILED && failureCode == null) {
            failureCode = errorCode[i];
            failureMessage = errorMessage[i];
        }
        StepProgress step = steps[plan.stepPositionOfUnit(i)];
        step.record(terminalState, skippedForFailure, attempts[i], rows[i], bytes[i], errorCode[i], errorMessage[i],
                plan.unit(i).partitionKey());
        if (step.terminal == step.units && step.partitioned) {
            RunState stepState = step.finalState();
            Duration stepDuration = step.startedAt == null ? null : Duration.between(step.startedAt, now);
            publish(new RunEvent.StepStateChanged(runId, now, step.stepId, stepState, step.maxAttempt, step.rows, step.bytes,
                    stepDuration, stepState == RunState.SUCCEEDED ? null : step.errorCode,
                    stepState == RunState.SUCCEEDED ? null : step.errorMessage));
        }
    }

    private void publishUnit(int i, RunState unitState, Duration duration, Instant now) {
        PlanUnit unit = plan.unit(i);
        if (unit.partition().isPresent()) {
            publish(new RunEvent.PartitionStateChanged(runId, now, unit.stepId(), unit.partition().get().key(), unitState,
                    attempts[i], rows[i], bytes[i], duration, errorCode[i], errorMessage[i]));
        }
        else {
            publish(new RunEvent.StepStateChanged(runId, now, unit.stepId(), unitState, attempts[i], rows[i], bytes[i], duration,
                    errorCode[i], errorMessage[i]));
        }
    }

    private void maybeFinish() {
        if (finished || terminal < unitCount) {
            return;
        }
        finished = true;
        Instant now = services.clock().instant();
        RunState finalState;
        String code;
        String message;
        if (abort != null) {
            finalState = abort.runState();
            code = abort.code == null ? null : abort.code.display();
            message = abortReason;
        }
        else if (failureCode != null) {
            finalState = RunState.FAILED;
            code = failureCode;
            message = failureMessage;
        }
        else {
            finalState = RunState.SUCCEEDED;
            code = null;
            message = null;
        }
        if (runTimeout != null) {
            runTimeout.cancel(false);
        }
        if (abortGrace != null) {
            abortGrace.cancel(false);
        }
        runState = finalState;
        publish(new RunEvent.RunFinished(runId, now, finalState, Duration.between(startedAt, now), code, message));
        List<UnitResult> units = new ArrayList<>(unitCount);
        for (int i = 0; i < unitCount; i++) {
            Instant unitStart = started[i];
            units.add(new UnitResult(plan.unit(i).key(), state[i], attempts[i], rows[i], bytes[i],
                    Optional.ofNullable(unitStart == null ? null : Duration.between(unitStart, now)),
                    Optional.ofNullable(errorCode[i]), Optional.ofNullable(errorMessage[i])));
        }
        RunResult result = new RunResult(runId, finalState, startedAt, now, Optional.ofNullable(code), Optional.ofNullable(message), units);
        onFinished.accept(this);
        services.bus().afterDelivery(() -> completion.complete(result));
    }

    private void publish(RunEvent event) {
        services.bus().publish(event, runListeners);
    }

    private void cancelLater(CancellationToken token) {
        // cancellation hooks may call out to a warehouse; keep them off the run's monitor and off the timer thread
        try {
            services.cancellers().execute(token::cancel);
        }
        catch (RejectedExecutionException e) {
            token.cancel();
        }
    }

    /** One attempt of one unit; also the event sink its runner publishes logs and check results through. */
    private final class Attempt implements RunEventListener {
        final int unit;
        final int number;
        final CancellationToken token = new CancellationToken();
        ScheduledFuture<?> timeout;
        ScheduledFuture<?> grace;
        boolean timedOut;
        boolean closed;

        Attempt(int unit, int number) {
            this.unit = unit;
            this.number = number;
        }

        @Override
        public void onEvent(RunEvent event) {
            if (!runId.equals(event.runId())) {
                throw new IllegalArgumentException("event for run " + event.runId() + " published in run " + runId);
            }
            synchronized (RunExecution.this) {
                // an attempt that was given up (timeout, cancel) must not add events after its unit's final state
                if (!closed) {
                    publish(event);
                }
            }
        }
    }

    /** Rolls a step's units up into the step's own state. */
    private static final class StepProgress {
        final String stepId;
        final boolean partitioned;
        int units;
        int terminal;
        int failed;
        int cancelled;
        int interrupted;
        int skipped;
        int skippedForFailure;
        boolean started;
        Instant startedAt;
        long rows;
        long bytes;
        int maxAttempt;
        String errorCode;
        String errorMessage;

        StepProgress(String stepId, boolean partitioned) {
            this.stepId = stepId;
            this.partitioned = partitioned;
        }

        void record(RunState unitState, boolean forFailure, int attempt, long unitRows, long unitBytes, String code, String message,
                Optional<String> partition) {
            terminal++;
            rows += unitRows;
            bytes += unitBytes;
            maxAttempt = Math.max(maxAttempt, attempt);
            switch (unitState) {
                case FAILED -> failed++;
                case CANCELLED -> cancelled++;
                case INTERRUPTED -> interrupted++;
                case SKIPPED -> {
                    skipped++;
                    if (forFailure) {
                        skippedForFailure++;
                    }
                }
                default -> {
                }
            }
            // the step reports its first failure, else the first other reason (skip, cancel)
            boolean firstFailure = unitState == RunState.FAILED && failed == 1;
            if (message != null && unitState != RunState.SUCCEEDED && (firstFailure || errorMessage == null)) {
                errorCode = code;
                errorMessage = partition.map(p -> p + ": " + message).orElse(message);
            }
        }

        RunState finalState() {
            if (failed > 0) {
                return RunState.FAILED;
            }
            if (interrupted > 0) {
                return RunState.INTERRUPTED;
            }
            if (cancelled > 0) {
                return RunState.CANCELLED;
            }
            if (skippedForFailure > 0 || skipped == units) {
                return RunState.SKIPPED;
            }
            return RunState.SUCCEEDED;
        }
    }
}
