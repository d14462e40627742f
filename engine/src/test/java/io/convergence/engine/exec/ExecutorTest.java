package io.convergence.engine.exec;

import static io.convergence.engine.testing.Fixtures.dailyPipeline;
import static io.convergence.engine.testing.Fixtures.loaded;
import static io.convergence.engine.testing.Fixtures.pipeline;
import static io.convergence.engine.testing.Fixtures.tenant;
import static io.convergence.engine.testing.Fixtures.transform;
import static io.convergence.engine.testing.Fixtures.withRetries;
import static io.convergence.engine.testing.Fixtures.withTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.plan.PartitionRanges;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanRequest;
import io.convergence.engine.plan.Planner;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import io.convergence.engine.testing.EventLog;
import io.convergence.engine.testing.ScriptedRunners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ExecutorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T12:00:00Z"), ZoneOffset.UTC);

    private final ScriptedRunners runners = new ScriptedRunners();
    private final AtomicInteger runNumber = new AtomicInteger();
    private final List<Executor> executors = new ArrayList<>();

    @AfterEach
    void closeExecutors() {
        executors.forEach(Executor::close);
    }

    private Executor executor() {
        ExecutorOptions options = ExecutorOptions.defaults()
                .withRetry(RetryPolicy.defaults().withInitialDelay(Duration.ofMillis(1)))
                .withCancelGrace(Duration.ofSeconds(10));
        return executor(options);
    }

    private Executor executor(ExecutorOptions options) {
        Executor executor = new Executor(runners, CLOCK, () -> "run-" + runNumber.incrementAndGet(), options);
        executors.add(executor);
        return executor;
    }

    private static RunSpec spec(Pipeline pipeline) {
        return spec(pipeline, PlanRequest.allSteps());
    }

    private static RunSpec spec(Pipeline pipeline, PlanRequest request) {
        LoadedPipeline loaded = loaded(pipeline);
        Plan plan = new Planner().plan(loaded, request);
        return RunSpec.of(tenant(loaded), plan, "local");
    }

    private static RunResult run(Executor executor, RunSpec spec) throws InterruptedException {
        return executor.start(spec).await(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("run did not finish"));
    }

    private static RunState stateOf(RunResult result, String stepId) {
        return result.unit(UnitKey.of(stepId)).orElseThrow().state();
    }

    @Test
    void serialRunPublishesEventsInADeterministicOrder() throws Exception {
        Pipeline p = pipeline("p", 1, transform("a"), transform("b", "a"), transform("c", "a"));
        List<List<String>> twoRuns = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Executor executor = executor();
            EventLog log = new EventLog();
            executor.addListener(log);
            assertThat(run(executor, spec(p)).state()).isEqualTo(RunState.SUCCEEDED);
            twoRuns.add(log.lines());
        }
        assertThat(twoRuns.get(0)).containsExactly(
                "run started [a, b, c] []",
                "step a QUEUED", "step b QUEUED", "step c QUEUED",
                "step a RUNNING #1", "step a SUCCEEDED #1",
                "step b RUNNING #1", "step b SUCCEEDED #1",
                "step c RUNNING #1", "step c SUCCEEDED #1",
                "run SUCCEEDED");
        assertThat(twoRuns.get(1)).isEqualTo(twoRuns.get(0));
    }

    @Test
    void reportsRowsBytesAndTimesFromTheClock() throws Exception {
        runners.script("a", context -> StepResult.of(42, 4200));
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(pipeline("p", 1, transform("a"))));

        RunEvent.StepStateChanged done = log.of(RunEvent.StepStateChanged.class).get(2);
        assertThat(done.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(done.rows()).isEqualTo(42);
        assertThat(done.bytes()).isEqualTo(4200);
        assertThat(done.at()).isEqualTo(CLOCK.instant());
        assertThat(done.duration()).isEqualTo(Duration.ZERO);
        assertThat(result.runId()).isEqualTo("run-1");
        assertThat(result.startedAt()).isEqualTo(CLOCK.instant());
        RunEvent.RunStarted started = log.of(RunEvent.RunStarted.class).get(0);
        assertThat(started.tenant()).isEqualTo("acme");
        assertThat(started.pipeline()).isEqualTo("p");
        assertThat(started.target()).isEqualTo("local");
    }

    @Test
    void parallelUnitsStayWithinMaxParallel() throws Exception {
        Step[] steps = new Step[10];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = transform("s" + i);
        }
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        CountDownLatch threeStarted = new CountDownLatch(3);
        CountDownLatch gate = new CountDownLatch(1);
        for (Step step : steps) {
            runners.script(step.id(), context -> {
                maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                threeStarted.countDown();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                active.decrementAndGet();
                return StepResult.of(1, 1);
            });
        }
        Executor executor = executor();
        RunHandle handle = executor.start(spec(pipeline("wide", 3, steps)));
        assertThat(threeStarted.await(30, TimeUnit.SECONDS)).isTrue();
        gate.countDown();
        RunResult result = handle.await(Duration.ofSeconds(30)).orElseThrow();

        assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(result.unitsIn(RunState.SUCCEEDED)).hasSize(10);
        assertThat(maxActive.get()).isEqualTo(3);
    }

    @Test
    void failureSkipsDownstreamAndLetsIndependentBranchesFinish() throws Exception {
        runners.script("b", context -> {
            throw new ConvergenceException(ErrorCode.SQL_ERROR, "column x not found");
        });
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(pipeline("p", 1,
                transform("a"), transform("b", "a"), transform("c", "b"), transform("d", "a"))));

        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.errorCode()).contains("CVG-2004");
        assertThat(result.errorMessage()).contains("column x not found");
        assertThat(stateOf(result, "b")).isEqualTo(RunState.FAILED);
        assertThat(stateOf(result, "c")).isEqualTo(RunState.SKIPPED);
        assertThat(result.unit(UnitKey.of("c")).orElseThrow().errorMessage()).contains("skipped because b failed");
        assertThat(stateOf(result, "d")).isEqualTo(RunState.SUCCEEDED);
        assertThat(runners.callNames()).containsExactly("a#1", "b#1", "d#1");
        assertThat(log.lines()).containsSubsequence("log ERROR step b failed (CVG-2004): column x not found",
                "step b FAILED #1 (column x not found)", "step c SKIPPED #0 (skipped because b failed)",
                "step d RUNNING #1", "run FAILED CVG-2004");
    }

    @Test
    void unexpectedExceptionsFailTheStepAsInternalErrors() throws Exception {
        runners.script("a", context -> {
            throw new IllegalStateException("bug");
        });
        RunResult result = run(executor(), spec(pipeline("p", 1, transform("a"))));
        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.errorCode()).contains("CVG-9001");
        assertThat(result.errorMessage().orElseThrow()).contains("bug");
    }

    @Test
    void retriesTransientFailuresThenSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        runners.script("a", context -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ConvergenceException(ErrorCode.WAREHOUSE_TRANSIENT, "rate limited");
            }
            return StepResult.of(5, 50);
        });
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(pipeline("p", 1, withRetries(transform("a"), 2), transform("b", "a"))));

        assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(result.unit(UnitKey.of("a")).orElseThrow().attempts()).isEqualTo(3);
        assertThat(runners.callNames()).containsExactly("a#1", "a#2", "a#3", "b#1");
        assertThat(log.lines()).containsSubsequence(
                "step a RUNNING #1",
                "log WARN attempt 1 of a failed (CVG-4002: rate limited); retrying in 1ms",
                "step a RUNNING #2 (rate limited)",
                "log WARN attempt 2 of a failed (CVG-4002: rate limited); retrying in 2ms",
                "step a RUNNING #3 (rate limited)",
                "step a SUCCEEDED #3",
                "step b RUNNING #1");
    }

    @Test
    void givesUpWhenRetriesAreExhausted() throws Exception {
        runners.script("a", context -> {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_TRANSIENT, "backend error");
        });
        RunResult result = run(executor(), spec(pipeline("p", 1, withRetries(transform("a"), 1))));

        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.unit(UnitKey.of("a")).orElseThrow().attempts()).isEqualTo(2);
        assertThat(result.errorCode()).contains("CVG-4002");
    }

    @Test
    void doesNotRetryUserErrors() throws Exception {
        runners.script("a", context -> {
            throw new ConvergenceException(ErrorCode.SQL_ERROR, "syntax error");
        });
        RunResult result = run(executor(), spec(pipeline("p", 1, withRetries(transform("a"), 3))));
        assertThat(runners.callNames()).containsExactly("a#1");
        assertThat(result.state()).isEqualTo(RunState.FAILED);
    }

    @Test
    void retriesConfiguredCodesToo() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        runners.script("a", context -> {
            if (attempts.incrementAndGet() == 1) {
                throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "connection reset");
            }
            return StepResult.of(1, 1);
        });
        ExecutorOptions options = ExecutorOptions.defaults().withRetry(RetryPolicy.defaults().withInitialDelay(Duration.ofMillis(1))
                .withRetryableCodes(Set.of(ErrorCode.WAREHOUSE_TRANSIENT, ErrorCode.WAREHOUSE_UNAVAILABLE)));
        RunResult result = run(executor(options), spec(pipeline("p", 1, withRetries(transform("a"), 1))));
        assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(runners.callNames()).containsExactly("a#1", "a#2");
    }

    @Test
    void stepTimeoutCancelsTheAttemptAndFailsIt() throws Exception {
        runners.script("a", ScriptedRunners::waitForCancel);
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(pipeline("p", 1, withTimeout(transform("a"), Duration.ofMillis(50)), transform("b", "a"))));

        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.errorCode()).contains("CVG-2006");
        assertThat(result.unit(UnitKey.of("a")).orElseThrow().errorMessage().orElseThrow()).contains("timed out after 50ms");
        assertThat(stateOf(result, "b")).isEqualTo(RunState.SKIPPED);
        assertThat(log.lines()).contains("log WARN step a exceeded its timeout of 50ms; cancelling it");
    }

    @Test
    void stepThatIgnoresCancellationIsRecordedAfterTheGracePeriodAndItsLateReturnIgnored() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        runners.script("a", context -> {
            try {
                release.await(30, TimeUnit.SECONDS);
                context.events().onEvent(new RunEvent.LogLine(context.runId(), CLOCK.instant(), "a", null, "INFO", "too late"));
                return StepResult.of(1, 1);
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            finally {
                returned.countDown();
            }
        });
        Executor executor = executor(ExecutorOptions.defaults().withCancelGrace(Duration.ofMillis(50)));
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(pipeline("p", 1, withTimeout(transform("a"), Duration.ofMillis(20)))));
        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.errorCode()).contains("CVG-2006");

        release.countDown();
        assertThat(returned.await(30, TimeUnit.SECONDS)).isTrue();
        // a later run flushes the dispatcher: nothing of run-1 may follow its RunFinished
        run(executor, spec(pipeline("q", 1, transform("x"))));
        List<RunEvent> firstRun = log.events().stream().filter(e -> e.runId().equals("run-1")).toList();
        assertThat(firstRun.get(firstRun.size() - 1)).isInstanceOf(RunEvent.RunFinished.class);
        assertThat(log.lines()).doesNotContain("log INFO too late");
    }

    @Test
    void runTimeoutStopsTheRun() throws Exception {
        runners.script("a", ScriptedRunners::waitForCancel);
        Pipeline p = io.convergence.engine.testing.Fixtures.pipeline("p", null, 1, Duration.ofMillis(50), transform("a"), transform("b", "a"));
        RunResult result = run(executor(), spec(p));

        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.errorCode()).contains("CVG-2006");
        assertThat(result.errorMessage()).contains("the run exceeded its timeout of 50ms");
        assertThat(stateOf(result, "a")).isEqualTo(RunState.FAILED);
        assertThat(stateOf(result, "b")).isEqualTo(RunState.CANCELLED);
    }

    @Test
    void cancelStopsRunningUnitsAndCancelsQueuedOnes() throws Exception {
        CountDownLatch aStarted = new CountDownLatch(1);
        runners.script("a", context -> {
            aStarted.countDown();
            return ScriptedRunners.waitForCancel(context);
        });
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunHandle handle = executor.start(spec(pipeline("p", 1, transform("a"), transform("b", "a"), transform("c"))));
        assertThat(aStarted.await(30, TimeUnit.SECONDS)).isTrue();
        handle.cancel();
        RunResult result = handle.await(Duration.ofSeconds(30)).orElseThrow();

        assertThat(result.state()).isEqualTo(RunState.CANCELLED);
        assertThat(handle.state()).isEqualTo(RunState.CANCELLED);
        assertThat(result.errorCode()).contains("CVG-2005");
        assertThat(stateOf(result, "a")).isEqualTo(RunState.CANCELLED);
        assertThat(stateOf(result, "b")).isEqualTo(RunState.CANCELLED);
        assertThat(stateOf(result, "c")).isEqualTo(RunState.CANCELLED);
        assertThat(runners.callNames()).containsExactly("a#1");
        assertThat(log.lines()).endsWith("step a CANCELLED #1 (the run was cancelled)", "run CANCELLED CVG-2005");
    }

    @Test
    void aListenerMayCancelTheRunFromInsideOnEvent() throws Exception {
        runners.script("a", ScriptedRunners::waitForCancel);
        Executor executor = executor();
        executor.addListener(event -> {
            if (event instanceof RunEvent.StepStateChanged s && s.state() == RunState.RUNNING) {
                executor.activeRun(event.runId()).ifPresent(RunHandle::cancel);
            }
        });
        RunResult result = run(executor, spec(pipeline("p", 1, transform("a"))));
        assertThat(result.state()).isEqualTo(RunState.CANCELLED);
    }

    @Test
    void closingTheExecutorInterruptsActiveRuns() throws Exception {
        CountDownLatch aStarted = new CountDownLatch(1);
        runners.script("a", context -> {
            aStarted.countDown();
            return ScriptedRunners.waitForCancel(context);
        });
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunHandle handle = executor.start(spec(pipeline("p", 2, transform("a"), transform("b", "a"))));
        assertThat(aStarted.await(30, TimeUnit.SECONDS)).isTrue();
        executor.close();

        RunResult result = handle.await(Duration.ofSeconds(30)).orElseThrow();
        assertThat(result.state()).isEqualTo(RunState.INTERRUPTED);
        assertThat(stateOf(result, "a")).isEqualTo(RunState.INTERRUPTED);
        assertThat(stateOf(result, "b")).isEqualTo(RunState.INTERRUPTED);
        assertThat(log.lines()).last().isEqualTo("run INTERRUPTED");
    }

    @Test
    void closingTheExecutorFromItsOwnCompletionCallbackDoesNotWaitForItself() throws Exception {
        // RunService closes the executor in a whenComplete callback, which runs on the event dispatcher: closing
        // must not join the dispatcher from itself (that blocked every CLI run for the 30 s join timeout).
        CountDownLatch callbackAttached = new CountDownLatch(1);
        runners.script("a", context -> {
            try {
                callbackAttached.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return StepResult.of(1, 1);
        });
        Executor executor = executor();
        CompletableFuture<String> closedOn = new CompletableFuture<>();
        executor.start(spec(pipeline("p", 1, transform("a")))).completion().whenComplete((result, failure) -> {
            executor.close();
            closedOn.complete(Thread.currentThread().getName());
        });
        callbackAttached.countDown();
        assertThat(closedOn.get(10, TimeUnit.SECONDS)).isEqualTo("convergence-events");
    }

    @Test
    void partitionsOfADownstreamStepWaitOnlyForTheirOwnPartition() throws Exception {
        CountDownLatch firstDownstreamDone = new CountDownLatch(1);
        runners.script("a", context -> {
            if (context.partition().orElseThrow().key().equals("2024-03-02")) {
                try {
                    // with a barrier edge this would wait forever: b[03-01] could never start
                    if (!firstDownstreamDone.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("b[2024-03-01] did not run while a[2024-03-02] was still running");
                    }
                }
                catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                throw new ConvergenceException(ErrorCode.SQL_ERROR, "division by zero");
            }
            return StepResult.of(10, 100);
        });
        runners.script("b", context -> {
            if (context.partition().orElseThrow().key().equals("2024-03-01")) {
                firstDownstreamDone.countDown();
            }
            return StepResult.of(3, 30);
        });
        Pipeline p = dailyPipeline("p", 4,
                transform("a", "mart.a", WriteMode.REPLACE_PARTITIONS),
                transform("b", "mart.b", WriteMode.REPLACE_PARTITIONS, "a"));
        RunSpec spec = spec(p, PlanRequest.forPartitions(PartitionRanges.between(PartitionGrain.DAY, "2024-03-01", "2024-03-03")));
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec);

        assertThat(result.state()).isEqualTo(RunState.FAILED);
        assertThat(result.unit(UnitKey.of("b", "2024-03-01")).orElseThrow().state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(result.unit(UnitKey.of("b", "2024-03-02")).orElseThrow().state()).isEqualTo(RunState.SKIPPED);
        assertThat(result.unit(UnitKey.of("b", "2024-03-02")).orElseThrow().errorMessage())
                .contains("skipped because a[2024-03-02] failed");
        assertThat(result.unit(UnitKey.of("b", "2024-03-03")).orElseThrow().state()).isEqualTo(RunState.SUCCEEDED);

        List<String> lines = log.lines();
        assertThat(lines).containsSubsequence("step a RUNNING #1", "partition a[2024-03-01] RUNNING #1");
        assertThat(lines).contains("step a FAILED #1 (2024-03-02: division by zero)");
        assertThat(lines).contains("step b SKIPPED #1 (2024-03-02: skipped because a[2024-03-02] failed)");
        RunEvent.StepStateChanged bDone = log.of(RunEvent.StepStateChanged.class).stream()
                .filter(e -> e.stepId().equals("b") && e.state().isTerminal()).findFirst().orElseThrow();
        assertThat(bDone.rows()).as("rows of the partitions that ran").isEqualTo(6);
        int lastPartitionOfB = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("partition b[") && !lines.get(i).contains("QUEUED") && !lines.get(i).contains("RUNNING")) {
                lastPartitionOfB = i;
            }
        }
        assertThat(lines.get(lastPartitionOfB + 1)).startsWith("step b SKIPPED");
    }

    @Test
    void resumeSkipsUnitsThatAlreadySucceeded() throws Exception {
        Pipeline p = dailyPipeline("p", 1,
                transform("a", "mart.a", WriteMode.REPLACE_PARTITIONS),
                transform("b", "mart.b", WriteMode.REPLACE, "a"));
        PlanRequest request = PlanRequest.forPartitions(PartitionRanges.between(PartitionGrain.DAY, "2024-03-01", "2024-03-02"))
                .withAlreadySucceeded(Set.of(UnitKey.of("a", "2024-03-01")));
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(p, request).withResumedFrom("run-0"));

        assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(runners.callNames()).containsExactly("a[2024-03-02]#1", "b#1");
        assertThat(result.unit(UnitKey.of("a", "2024-03-01")).orElseThrow().state()).isEqualTo(RunState.SKIPPED);
        assertThat(log.lines()).containsSubsequence(
                "partition a[2024-03-01] SKIPPED #0 (already succeeded in run run-0)",
                "step a RUNNING #1",
                "partition a[2024-03-02] RUNNING #1",
                "partition a[2024-03-02] SUCCEEDED #1",
                "step a SUCCEEDED #1",
                "step b RUNNING #1");
        assertThat(log.of(RunEvent.RunStarted.class).get(0).resumedFrom()).isEqualTo("run-0");
    }

    @Test
    void fullyResumedRunSucceedsWithoutRunningAnything() throws Exception {
        Pipeline p = pipeline("p", 1, transform("a"));
        RunResult result = run(executor(), spec(p, PlanRequest.allSteps().withAlreadySucceeded(Set.of(UnitKey.of("a")))));
        assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(runners.calls()).isEmpty();
    }

    @Test
    void listenerThatThrowsDoesNotBreakTheRunOrOtherListeners() throws Exception {
        Executor executor = executor();
        executor.addListener(event -> {
            throw new IllegalStateException("broken listener");
        });
        EventLog log = new EventLog();
        executor.addListener(log);
        RunResult result = run(executor, spec(pipeline("p", 2, transform("a"), transform("b", "a"))));
        assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(log.lines()).hasSize(8).last().isEqualTo("run SUCCEEDED");
    }

    @Test
    void runListenersSeeOnlyTheirRun() throws Exception {
        Executor executor = executor();
        EventLog first = new EventLog();
        run(executor, spec(pipeline("p", 1, transform("a"))).withListener(first));
        run(executor, spec(pipeline("q", 1, transform("a"))));
        assertThat(first.events()).extracting(RunEvent::runId).containsOnly("run-1");
    }

    @Test
    void runnerLogsArriveBetweenTheUnitsRunningAndFinalEvents() throws Exception {
        runners.script("a", context -> {
            context.events().onEvent(new RunEvent.LogLine(context.runId(), context.clock().instant(), "a", null, "INFO", "hello"));
            return StepResult.of(1, 1);
        });
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        run(executor, spec(pipeline("p", 1, transform("a"))));
        assertThat(log.lines()).containsSubsequence("step a RUNNING #1", "log INFO hello", "step a SUCCEEDED #1");
    }

    @Test
    void setsMdcAroundEachAttemptAndPassesParameters() throws Exception {
        List<Map<String, String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        runners.script("a", context -> {
            seen.add(MDC.getCopyOfContextMap());
            assertThat(context.parameters()).containsKey("run_date");
            return StepResult.of(1, 1);
        });
        RunSpec spec = spec(pipeline("p", 1, transform("a")))
                .withParameters(Map.of("run_date", new ParameterValue(io.convergence.engine.model.ParameterType.DATE,
                        java.time.LocalDate.of(2024, 3, 1))));
        Executor executor = executor();
        EventLog log = new EventLog();
        executor.addListener(log);
        run(executor, spec);
        assertThat(seen.get(0)).containsEntry(MdcKeys.TENANT, "acme").containsEntry(MdcKeys.PIPELINE, "p")
                .containsEntry(MdcKeys.RUN, "run-1").containsEntry(MdcKeys.STEP, "a").doesNotContainKey(MdcKeys.PARTITION);
        assertThat(log.of(RunEvent.RunStarted.class).get(0).parameters()).containsEntry("run_date", "2024-03-01");
    }

    @Test
    void rejectsASecondActiveRunWithTheSameId() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        runners.script("a", context -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return StepResult.of(1, 1);
        });
        Executor executor = executor();
        RunSpec spec = spec(pipeline("p", 1, transform("a"))).withRunId("fixed");
        RunHandle first = executor.start(spec);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> executor.start(spec)).hasMessageContaining("already running");
        release.countDown();
        assertThat(first.await(Duration.ofSeconds(30)).orElseThrow().state()).isEqualTo(RunState.SUCCEEDED);
    }
}
