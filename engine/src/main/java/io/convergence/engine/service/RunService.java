package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.Executor;
import io.convergence.engine.exec.ExecutorOptions;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.exec.RunHandle;
import io.convergence.engine.exec.RunIdGenerator;
import io.convergence.engine.exec.RunResult;
import io.convergence.engine.exec.RunSpec;
import io.convergence.engine.exec.TimeBasedRunIdGenerator;
import io.convergence.engine.history.HistoryRecorder;
import io.convergence.engine.history.HistoryStore;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.lock.LockHandle;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.LockLoss;
import io.convergence.engine.lock.LockManager;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.plan.PartitionRanges;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanRequest;
import io.convergence.engine.plan.Planner;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pipelines of one workspace: resolves a {@link RunRequest}, takes the (tenant, pipeline) lock, executes on
 * the target's warehouse, records history, and releases everything whatever happens. Used by the CLI and the app.
 */
public final class RunService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunService.class);

    private final LoadedWorkspace workspace;
    private final WorkspaceConfig config;
    private final Clock clock;
    private final RunnerBackend.Factory backends;
    private final ParameterResolver parameters;
    private final RunIdGenerator runIds;
    private final WorkspaceState state;
    private final HistoryStore history;
    private final HistoryRecorder recorder;
    private final LockManager locks;
    private final List<StartedRun> active = new CopyOnWriteArrayList<>();

    /**
     * @param config the effective settings (workspace.yml with environment and flag overrides applied)
     */
    public RunService(LoadedWorkspace workspace, WorkspaceConfig config, Clock clock, RunnerBackend.Factory backends) {
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.backends = requireNonNull(backends, "backends is null");
        this.parameters = new ParameterResolver(clock);
        this.runIds = new TimeBasedRunIdGenerator(clock, new SecureRandom());
        this.state = WorkspaceState.open(workspace.root(), config, clock);
        this.history = state.history();
        this.recorder = state.recorder();
        this.locks = state.locks();
    }

    public HistoryStore history() {
        return history;
    }

    public LockManager locks() {
        return locks;
    }

    /**
     * The locks of runs on a target: this workstation's for a local target, the shared lock table for a BigQuery
     * target (so two workstations never run one pipeline at once).
     */
    public LockManager locksFor(String targetName, Target target) {
        return state.locksFor(targetName, target, tenantConfigs());
    }

    private List<io.convergence.engine.model.TenantConfig> tenantConfigs() {
        return workspace.tenants().stream().map(LoadedTenant::config).toList();
    }

    /** The run history of a target: shared on BigQuery, this workstation's otherwise. */
    public HistoryStore historyFor(String targetName, Target target) {
        return state.historyFor(targetName, target, tenantConfigs());
    }

    /** The locks of the named target ({@code --target}; the default target when empty). */
    public LockManager locksFor(java.util.Optional<String> targetName) {
        String name = targetName.orElse(config.defaultTarget());
        Target target = config.targets().get(name);
        if (target == null) {
            throw new ConvergenceException(ErrorCode.TARGET_NOT_FOUND, "no target '" + name + "'; workspace.yml defines: "
                    + String.join(", ", new java.util.TreeSet<>(config.targets().keySet())));
        }
        return locksFor(name, target);
    }

    public LoadedWorkspace workspace() {
        return workspace;
    }

    public WorkspaceState state() {
        return state;
    }

    /**
     * The local target refuses, before anything runs, SQL it cannot run exactly as BigQuery does (validation reports
     * it as CV421, a warning, since the pipeline is valid for BigQuery).
     */
    private void refuseWhatTheTargetCannotRunExactly(LoadedPipeline pipeline, Target target) {
        if (!(target instanceof io.convergence.engine.model.DuckDbTarget)) {
            return;
        }
        List<String> unsupported = pipeline.problems().stream()
                .filter(p -> p.code() == io.convergence.engine.validation.ProblemCode.LOCAL_UNSUPPORTED)
                .map(p -> p.display(workspace.root())).toList();
        if (!unsupported.isEmpty()) {
            throw new ConvergenceException(ErrorCode.SQL_NOT_SUPPORTED_LOCALLY, pipeline.qualifiedName()
                    + " uses SQL the local target cannot run exactly as BigQuery does; nothing ran:\n" + String.join("\n", unsupported)
                    + "\nrun it on a BigQuery target (--target), or rewrite these parts (docs/sql-compatibility.md lists what runs locally)");
        }
    }

    /** Resolves pipeline, target, parameters, partitions and plan; reads history for a resume. Runs nothing. */
    public PreparedRun prepare(RunRequest request) {
        LoadedPipeline pipeline = workspace.findPipeline(request.pipeline()).orElseThrow(() -> new ConvergenceException(
                ErrorCode.PIPELINE_NOT_FOUND, "no pipeline '" + request.pipeline() + "' in " + workspace.root()
                + "; name it tenant/pipeline or give the path of its pipeline.yml"));
        LoadedTenant tenant = workspace.tenant(pipeline.tenantId()).orElseThrow();
        String targetName = request.target().orElse(config.defaultTarget());
        Target target = config.targets().get(targetName);
        if (target == null) {
            throw new ConvergenceException(ErrorCode.TARGET_NOT_FOUND, "no target '" + targetName + "'; workspace.yml defines: "
                    + String.join(", ", new java.util.TreeSet<>(config.targets().keySet())));
        }
        refuseWhatTheTargetCannotRunExactly(pipeline, target);
        Pipeline model = pipeline.pipeline();
        Map<String, String> given = new HashMap<>();
        Set<UnitKey> done = Set.of();
        List<PartitionWindow> windows;
        if (request.resume().isPresent()) {
            RunDetail previous = history.run(request.resume().get()).orElseThrow(() -> new ConvergenceException(
                    ErrorCode.RUN_NOT_FOUND, "no run '" + request.resume().get() + "' in history; see `convergence runs`"));
            if (!previous.summary().tenant().equals(tenant.id()) || !previous.summary().pipeline().equals(model.id())) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "run " + request.resume().get() + " is of "
                        + previous.summary().tenant() + "/" + previous.summary().pipeline() + ", not " + pipeline.qualifiedName());
            }
            if (previous.summary().state() == io.convergence.engine.run.RunState.RUNNING
                    || previous.summary().state() == io.convergence.engine.run.RunState.QUEUED) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "run " + request.resume().get()
                        + " is still " + previous.summary().state() + "; wait for it or release its lock first");
            }
            if (request.from().isPresent() || request.to().isPresent()) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "--resume redoes the partitions of the run it resumes; drop --from/--to");
            }
            given.putAll(previous.summary().parameters());
            given.keySet().retainAll(model.parameters().keySet());
            done = history.succeededUnits(request.resume().get());
            windows = model.partitions() == null ? List.of() : previous.plannedPartitions().stream()
                    .map(key -> PartitionRanges.parseKey(model.partitions().type(), key)).toList();
        } else {
            windows = null;
        }
        given.putAll(request.parameters());
        Map<String, ParameterValue> values = parameters.resolve(model.parameters(), given);
        if (windows == null) {
            windows = partitions(model, request, values);
        }
        Plan plan = new Planner().plan(pipeline, PlanRequest.forPartitions(windows).withAlreadySucceeded(done));
        return new PreparedRun(tenant, pipeline, targetName, target, values, plan, PipelineVersion.of(pipeline.file()), request.resume());
    }

    private List<PartitionWindow> partitions(Pipeline model, RunRequest request, Map<String, ParameterValue> values) {
        if (model.partitions() == null) {
            if (request.from().isPresent() || request.to().isPresent()) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                        "pipeline " + model.id() + " is not partitioned; --from/--to need `partitions:` in pipeline.yml");
            }
            return List.of();
        }
        if (request.from().isPresent() || request.to().isPresent()) {
            String from = request.from().or(request::to).orElseThrow();
            String to = request.to().or(request::from).orElseThrow();
            return PartitionRanges.between(model.partitions().type(), from, to);
        }
        return PartitionRanges.defaultRange(model.partitions(), ParameterResolver.runDate(values).orElse(parameters.today()));
    }

    /**
     * Dry-runs the queries of a prepared run on its target: bytes per step and an on-demand cost. Needs a target
     * that can dry-run (BigQuery); the embedded DuckDB target answers FEATURE_NOT_AVAILABLE.
     */
    public RunEstimate estimate(PreparedRun prepared) {
        try (io.convergence.engine.warehouse.Warehouse warehouse = StandardBackends.openWarehouse(workspace.root(), prepared.target(),
                prepared.tenant().config())) {
            java.util.Optional<Long> cap = prepared.target() instanceof io.convergence.engine.model.BigQueryTarget bq
                    && bq.maximumBytesBilled() != null ? java.util.Optional.of(bq.maximumBytesBilled().bytes()) : java.util.Optional.empty();
            return new RunEstimator(warehouse, cap).estimate(prepared);
        }
    }

    /**
     * Starts a prepared run in the background: takes the lock (with retries), then executes. A run that fails before
     * the executor takes it over (lock store, warehouse or fence unreachable) is still recorded in history, as FAILED
     * with its error, so {@code convergence runs} shows it; a run refused because the lock is held is not a run.
     */
    public StartedRun start(PreparedRun prepared, RunEventListener listener) {
        String runId = runIds.next();
        java.time.Instant startedAt = clock.instant();
        java.util.concurrent.atomic.AtomicBoolean executing = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            return start(prepared, listener, runId, executing);
        } catch (RuntimeException e) {
            // once the executor has the run, it records the run's end itself; a run refused because another holds the
            // lock never started (nothing of it ran, the holder's run is the one in history), like a rejected request
            if (!executing.get() && !(e instanceof io.convergence.engine.lock.LockHeldException)) {
                recordFailedStart(prepared, runId, startedAt, e);
            }
            throw e;
        }
    }

    private StartedRun start(PreparedRun prepared, RunEventListener listener, String runId,
                             java.util.concurrent.atomic.AtomicBoolean executing) {
        LockKey key = new LockKey(prepared.tenant().id(), prepared.pipeline().pipeline().id());
        LockManager runLocks = locksFor(prepared.targetName(), prepared.target());
        runLocks.store().prepare(List.of(key));
        LockHandle lock;
        try {
            lock = runLocks.acquire(key, LockHolder.current(runId));
        } catch (io.convergence.engine.lock.LockHeldException e) {
            // a shared lock is released with --target; the bare command would look in this workstation's locks
            throw runLocks == locks ? e : e.onTarget(prepared.targetName());
        }
        RunnerBackend backend = null;
        Executor executor = null;
        try {
            backend = backends.open(workspace, prepared.targetName(), prepared.target());
            executor = new Executor(backend.runners(prepared.tenant(), prepared.pipeline(), lock), clock, () -> runId,
                    ExecutorOptions.defaults().withCancelGrace(config.locks().shutdownGrace()));
            executor.addListener(recorder);
            java.util.Optional<HistoryRecorder> shared = state.sharedRecorder(prepared.targetName(), prepared.target(), tenantConfigs());
            shared.ifPresent(executor::addListener);
            executor.addListener(listener);
            RunSpec spec = RunSpec.of(prepared.tenant(), prepared.plan(), prepared.targetName())
                    .withRunId(runId)
                    .withParameters(prepared.parameters())
                    .withPipelineVersion(prepared.pipelineVersion())
                    .withOrigin(lock.holder().host(), lock.holder().user());
            if (prepared.resumedFrom().isPresent()) {
                spec = spec.withResumedFrom(prepared.resumedFrom().get());
            }
            executing.set(true);
            RunHandle handle = executor.start(spec);
            RunEvent.LockChanged acquired = new RunEvent.LockChanged(runId, clock.instant(), key.tenant(), key.pipeline(),
                    "ACQUIRED", lock.epoch(), "lease " + config.locks().lease());
            recorder.onEvent(acquired);
            shared.ifPresent(r -> r.onEvent(acquired));
            listener.onEvent(acquired);
            lock.onLost((h, loss) -> handle.interrupt("lock lost: " + loss.reason()));
            Executor runExecutor = executor;
            RunnerBackend runBackend = backend;
            // Cleanup runs before the returned future completes, so callers see history and the lock settled. It runs on
            // its own thread: completion fires on the executor's event thread, and closing the executor joins that thread.
            java.util.concurrent.CompletableFuture<RunResult> settled = handle.completion().whenCompleteAsync((result, failure) -> {
                // a lock taken over or expired was never released by this run: history says which
                Optional<LockLoss> loss = lock.loss();
                RunEvent.LockChanged released = new RunEvent.LockChanged(runId, clock.instant(), key.tenant(), key.pipeline(),
                        loss.isPresent() ? "LOST" : "RELEASED", lock.epoch(), loss.map(LockLoss::detail).orElse("run finished"));
                lock.close();
                recorder.onEvent(released);
                shared.ifPresent(r -> r.onEvent(released));
                listener.onEvent(released);
                runExecutor.close();
                runBackend.close();
                try {
                    recorder.flush();
                    if (shared.isPresent()) {
                        shared.get().flush();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, task -> {
                Thread cleanup = new Thread(task, "convergence-run-cleanup-" + runId);
                cleanup.setDaemon(true);
                cleanup.start();
            });
            StartedRun started = new StartedRun(prepared, handle, settled);
            active.add(started);
            settled.whenComplete((r, f) -> active.remove(started));
            return started;
        } catch (RuntimeException e) {
            if (executor != null) {
                executor.close();
            }
            if (backend != null) {
                backend.close();
            }
            lock.close();
            throw e;
        }
    }

    /**
     * Records a run that failed before its executor started (so before its first step): RunStarted, then RunFinished
     * FAILED with the error's code and message, in this workstation's history and, when it can be reached, the
     * target's shared history. A failure to record is logged, never thrown over the run's own error.
     */
    private void recordFailedStart(PreparedRun prepared, String runId, java.time.Instant startedAt, RuntimeException failure) {
        LockHolder holder = LockHolder.current(runId);
        RunEvent.RunStarted started = Executor.runStarted(runId, startedAt, prepared.tenant().id(), prepared.plan(),
                prepared.targetName(), prepared.pipelineVersion(), prepared.parameters(), holder.host(), holder.user(),
                prepared.resumedFrom().orElse(null));
        java.time.Instant now = clock.instant();
        String code = (failure instanceof ConvergenceException ce ? ce.code() : ErrorCode.INTERNAL_ERROR).display();
        String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        RunEvent.RunFinished finished = new RunEvent.RunFinished(runId, now, io.convergence.engine.run.RunState.FAILED,
                Duration.between(startedAt, now), code, message);
        List<HistoryRecorder> recorders = new ArrayList<>();
        recorders.add(recorder);
        try {
            state.sharedRecorder(prepared.targetName(), prepared.target(), tenantConfigs()).ifPresent(recorders::add);
        } catch (RuntimeException e) {
            log.warn("run {} failed before it started; the shared history of target {} cannot record it either: {}", runId,
                    prepared.targetName(), e.getMessage());
        }
        for (HistoryRecorder r : recorders) {
            try {
                r.onEvent(started);
                r.onEvent(finished);
                r.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("could not record failed run {} in history: {}", runId, e.getMessage());
            }
        }
    }

    /** Prepares, starts and waits; the result says how it ended. */
    public RunResult run(RunRequest request, RunEventListener listener) throws InterruptedException {
        return start(prepare(request), listener).await();
    }

    /** Runs started by this service and not yet finished. */
    public List<StartedRun> activeRuns() {
        return List.copyOf(active);
    }

    /**
     * Graceful shutdown: interrupts active runs (their warehouse work is cancelled, they record INTERRUPTED and
     * release their locks) and waits up to {@code grace} for them.
     */
    public void shutdown(Duration grace) {
        List<StartedRun> running = new ArrayList<>(active);
        running.forEach(r -> r.handle().interrupt("shutdown"));
        long deadline = System.nanoTime() + grace.toNanos();
        for (StartedRun r : running) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                r.settled().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                log.warn("run {} did not stop within the shutdown grace of {}", r.handle().runId(), grace);
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("run {} ended with an error while stopping: {}", r.handle().runId(), e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        shutdown(config.locks().shutdownGrace());
        state.close();
    }

    /** A run in flight and what it was prepared from; {@code settled} completes once its lock and history are settled. */
    public record StartedRun(PreparedRun prepared, RunHandle handle, java.util.concurrent.CompletableFuture<RunResult> settled) {
        public StartedRun {
            requireNonNull(prepared, "prepared is null");
            requireNonNull(handle, "handle is null");
            requireNonNull(settled, "settled is null");
        }

        public String runId() {
            return handle.runId();
        }

        /** Waits for the run to end and for its lock release and history to be written. */
        public RunResult await() throws InterruptedException {
            try {
                return settled.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "run " + runId() + " failed: " + e.getCause(), e.getCause());
            }
        }
    }
}
