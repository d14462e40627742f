package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Step;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link io.convergence.engine.plan.Plan}s: units start when every predecessor succeeded (or
 * was completed by a resumed run), at most {@code max_parallel} at once per run; a failure skips
 * what depends on it while independent branches go on; retries, step and run timeouts, cancel and
 * interrupt are handled here. Everything observable is a {@link io.convergence.engine.run.RunEvent}.
 *
 * <p>Event order: one dispatcher thread delivers all events, so a listener is never called
 * concurrently. For each run: {@code RunStarted}; a QUEUED {@code StepStateChanged} per step
 * (plan order) and a QUEUED {@code PartitionStateChanged} per partition unit; SKIPPED events for
 * units completed by a resumed run; then transitions in the order they happened, each unit
 * RUNNING (again per retry) before its terminal event, a partitioned step's RUNNING before its
 * first partition runs and its terminal event right after its last partition's; runner logs and
 * check results between their unit's RUNNING and terminal events; {@code RunFinished} last.
 */
public final class Executor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Executor.class);

    /** What every run of this executor shares. */
    record Services(StepRunnerFactory runners, Clock clock, ExecutorOptions options, ExecutorService workers,
                    ScheduledThreadPoolExecutor timers, ExecutorService cancellers, EventBus bus) {
    }

    private final Services services;
    private final RunIdGenerator runIds;
    private final Map<String, RunExecution> active = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Executor(StepRunnerFactory runners, Clock clock) {
        this(runners, clock, RunIdGenerator.timeBased(clock), ExecutorOptions.defaults());
    }

    public Executor(StepRunnerFactory runners, Clock clock, RunIdGenerator runIds, ExecutorOptions options) {
        requireNonNull(runners, "runners is null");
        requireNonNull(clock, "clock is null");
        this.runIds = requireNonNull(runIds, "runIds is null");
        requireNonNull(options, "options is null");
        ThreadPoolExecutor workers = new ThreadPoolExecutor(options.maxConcurrentUnits(), options.maxConcurrentUnits(),
                60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("convergence-step-"));
        workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemonThreads("convergence-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        ThreadPoolExecutor cancellers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("convergence-cancel-"));
        this.services = new Services(runners, clock, options, workers, timers, cancellers, new EventBus());
    }

    /** Receives the events of every run, on the dispatcher thread. */
    public void addListener(RunEventListener listener) {
        services.bus().addListener(listener);
    }

    public void removeListener(RunEventListener listener) {
        services.bus().removeListener(listener);
    }

    /**
     * The RunStarted event of a run of {@code plan}, the first thing every history and view learns of it: the
     * executor publishes it, and a run that fails before reaching the executor is recorded with the same event.
     */
    public static RunEvent.RunStarted runStarted(String runId, Instant at, String tenant, Plan plan, String target,
                                                 String pipelineVersion, Map<String, ParameterValue> parameters, String host,
                                                 String user, String resumedFrom) {
        Map<String, String> parameterText = new LinkedHashMap<>();
        parameters.forEach((name, value) -> parameterText.put(name, String.valueOf(value.value())));
        return new RunEvent.RunStarted(runId, at, tenant, plan.pipeline().pipeline().id(), target, pipelineVersion, parameterText,
                plan.partitions().stream().map(PartitionWindow::key).toList(), plan.steps().stream().map(Step::id).toList(),
                host, user, resumedFrom);
    }

    /** Starts a run and returns at once; its first units are already submitted. */
    public RunHandle start(RunSpec spec) {
        requireNonNull(spec, "spec is null");
        if (closed) {
            throw new IllegalStateException("the executor is closed");
        }
        String runId = spec.runId().orElseGet(runIds::next);
        RunExecution execution = new RunExecution(services, spec, runId, finished -> active.remove(finished.runId(), finished));
        if (active.putIfAbsent(runId, execution) != null) {
            throw new IllegalArgumentException("run " + runId + " is already running");
        }
        RunHandle handle = new RunHandle(execution);
        execution.start();
        return handle;
    }

    public Optional<RunHandle> activeRun(String runId) {
        return Optional.ofNullable(active.get(runId)).map(RunHandle::new);
    }

    public Collection<RunHandle> activeRuns() {
        return active.values().stream().map(RunHandle::new).toList();
    }

    /** Interrupts every active run (engine shutdown): each ends INTERRUPTED. */
    public void interruptAll(String reason) {
        for (RunExecution execution : List.copyOf(active.values())) {
            execution.abort(RunExecution.Abort.INTERRUPT, reason);
        }
    }

    /**
     * Interrupts active runs, waits for them to record their end (at most the cancel grace plus a
     * little), delivers every pending event, then stops the threads.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<RunResult>> pending = new ArrayList<>();
        for (RunExecution execution : List.copyOf(active.values())) {
            pending.add(execution.completion());
        }
        interruptAll("the engine is shutting down");
        Duration wait = services.options().cancelGrace().plusSeconds(5);
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            log.warn("{} run(s) did not finish within {} of shutdown", active.size(), wait);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (java.util.concurrent.ExecutionException e) {
            log.warn("A run ended abnormally during shutdown", e.getCause());
        }
        services.bus().close();
        services.timers().shutdownNow();
        services.workers().shutdownNow();
        services.cancellers().shutdown();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
