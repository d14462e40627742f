package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import io.convergence.app.run.RunControl;
import io.convergence.app.run.RunViewModel;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.PreparedRun;
import io.convergence.engine.service.RunRequest;
import io.convergence.engine.service.RunService;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's engine side for the open workspace: owns its one {@link RunService} (opened when the workspace loads,
 * closed when another opens or the app exits), launches runs, and keeps what the explorer and status bar show
 * (last run state per pipeline, runs in flight, locks held). All engine calls go through the {@link TaskExecutor}.
 */
public final class SessionViewModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionViewModel.class);

    /** Opens the run service of a workspace (the app passes the real one; tests may use their own clock). */
    @FunctionalInterface
    public interface ServiceFactory {
        RunService open(LoadedWorkspace workspace);
    }

    private record Launched(RunViewModel model, RunService.StartedRun started) {
    }

    private record Status(Map<String, RunState> latest, int locks) {
    }

    private final TaskExecutor executor;
    private final ServiceFactory factory;
    private final ReadOnlyObjectWrapper<RunService> service = new ReadOnlyObjectWrapper<>(this, "service");
    private final ReadOnlyIntegerWrapper runningRuns = new ReadOnlyIntegerWrapper(this, "runningRuns");
    private final ReadOnlyIntegerWrapper heldLocks = new ReadOnlyIntegerWrapper(this, "heldLocks");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ObservableMap<String, RunState> lastStatus = FXCollections.observableHashMap();
    private final ObservableList<RunViewModel> runs = FXCollections.observableArrayList();
    private Consumer<RunViewModel> onRunOpened = model -> { };
    private long generation;

    public SessionViewModel(TaskExecutor executor, ServiceFactory factory) {
        this.executor = requireNonNull(executor, "executor is null");
        this.factory = requireNonNull(factory, "factory is null");
    }

    /** Called with each run view model the session starts (the shell opens its tab). */
    public void setOnRunOpened(Consumer<RunViewModel> listener) {
        this.onRunOpened = requireNonNull(listener, "listener is null");
    }

    /** Switches to a (re)loaded workspace: the previous service retires once its runs are over. */
    public void open(LoadedWorkspace workspace) {
        requireNonNull(workspace, "workspace is null");
        long current = ++generation;
        RunService previous = service.get();
        service.set(null);
        lastStatus.clear();
        executor.execute(() -> {
            if (previous != null) {
                retire(previous);
            }
            return factory.open(workspace);
        }, opened -> {
            if (current != generation) {
                executor.execute(() -> {
                    retire(opened);
                    return null;
                }, ignored -> { }, failed -> { });
                return;
            }
            service.set(opened);
            message.set("");
            refreshStatus();
        }, failed -> message.set("Could not open the state store: " + WorkspaceViewModel.describe(failed)));
    }

    /** Closes a service now if it has no runs, else as soon as its last run settles. */
    private static void retire(RunService old) {
        List<RunService.StartedRun> active = old.activeRuns();
        if (active.isEmpty()) {
            old.close();
            return;
        }
        CompletableFuture.allOf(active.stream().map(RunService.StartedRun::settled).toArray(CompletableFuture[]::new))
                .whenComplete((result, failure) -> old.close());
    }

    /** Re-reads last run states and held locks from the state store. */
    public void refreshStatus() {
        RunService current = service.get();
        if (current == null) {
            return;
        }
        executor.execute(() -> {
            // periodic zombie detection: a run whose holder died is INTERRUPTED and its lock freed once its lease ran out
            current.state().reapZombies();
            Map<String, RunState> latest = new HashMap<>();
            for (LoadedPipeline pipeline : current.workspace().pipelines()) {
                Optional<RunSummary> run = current.history().latestRun(pipeline.tenantId(), pipeline.pipeline().id());
                run.ifPresent(r -> latest.put(pipeline.qualifiedName(), r.state()));
            }
            return new Status(latest, current.locks().currentLeases().size());
        }, status -> {
            if (current != service.get()) {
                return;
            }
            lastStatus.keySet().retainAll(status.latest().keySet());
            lastStatus.putAll(status.latest());
            heldLocks.set(status.locks());
        }, failed -> LOG.warn("status refresh failed: {}", WorkspaceViewModel.describe(failed)));
    }

    /** The open workspace's service, if it is open. */
    public Optional<RunService> currentService() {
        return Optional.ofNullable(service.get());
    }

    /** Prepares a run (background); {@code onPrepared} gets the plan for a dry run. */
    public void prepare(RunRequest request, Consumer<PreparedRun> onPrepared, Consumer<Throwable> onFailure) {
        RunService current = service.get();
        if (current == null) {
            onFailure.accept(new IllegalStateException("the workspace's state store is not open yet"));
            return;
        }
        executor.execute(() -> current.prepare(request), onPrepared::accept, onFailure::accept);
    }

    /** Prepares and starts a run (background: taking the lock may wait); its view model opens when it started. */
    public void launch(RunRequest request, Consumer<RunViewModel> onStarted, Consumer<Throwable> onFailure) {
        RunService current = service.get();
        if (current == null) {
            onFailure.accept(new IllegalStateException("the workspace's state store is not open yet"));
            return;
        }
        executor.execute(() -> {
            PreparedRun prepared = current.prepare(request);
            String pipeline = prepared.pipeline().qualifiedName();
            String target = prepared.targetName();
            RunViewModel model = new RunViewModel(pipeline, target, prepared.plan(), executor,
                    runId -> resume(pipeline, target, runId));
            return new Launched(model, current.start(prepared, model.listener()));
        }, launched -> {
            launched.model().attach(RunControl.of(launched.started()));
            track(launched.model(), launched.started());
            onStarted.accept(launched.model());
            onRunOpened.accept(launched.model());
        }, onFailure::accept);
    }

    private void resume(String pipeline, String target, String runId) {
        RunRequest request = new RunRequest(pipeline, Optional.of(target), Map.of(), Optional.empty(), Optional.empty(),
                Optional.of(runId));
        message.set("Resuming " + runId + " ...");
        launch(request, model -> message.set("Resumed " + runId + " as " + model.runIdProperty().get()),
                failed -> message.set("Could not resume " + runId + ": " + WorkspaceViewModel.describe(failed)));
    }

    private void track(RunViewModel model, RunService.StartedRun started) {
        runs.add(model);
        updateRunning();
        model.stateProperty().addListener((o, before, after) -> {
            updateRunning();
            if (after.isTerminal()) {
                // history has the run's end once the service settled it (lock released, events flushed): moments later
                executor.execute(() -> {
                    started.settled().handle((result, failure) -> null).get(30, java.util.concurrent.TimeUnit.SECONDS);
                    return null;
                }, ignored -> refreshStatus(), failed -> refreshStatus());
            }
        });
        refreshStatus();
    }

    private void updateRunning() {
        runningRuns.set((int) runs.stream().filter(r -> !r.stateProperty().get().isTerminal()).count());
    }

    /** True while a run this app started has not ended. */
    public boolean hasRunsInFlight() {
        RunService current = service.get();
        return runningRuns.get() > 0 || (current != null && !current.activeRuns().isEmpty());
    }

    /** Interrupts runs in flight (recorded INTERRUPTED, locks released) in the background, then calls {@code done}. */
    public void shutdown(Duration grace, Runnable done) {
        RunService current = service.get();
        message.set("Stopping runs in flight ...");
        executor.execute(() -> {
            if (current != null) {
                current.shutdown(grace);
            }
            return null;
        }, ignored -> done.run(), failed -> done.run());
    }

    /** Closes the run service (interrupting what still runs). Blocking: call at exit. */
    @Override
    public void close() {
        generation++;
        RunService current = service.get();
        service.set(null);
        if (current != null) {
            current.close();
        }
    }

    public ReadOnlyObjectProperty<RunService> serviceProperty() {
        return service.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty runningRunsProperty() {
        return runningRuns.getReadOnlyProperty();
    }

    /** Locks held in the workspace's state store, by any process. */
    public ReadOnlyIntegerProperty heldLocksProperty() {
        return heldLocks.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** State of the newest run of each pipeline ({@code tenant/pipeline}), from history. */
    public ObservableMap<String, RunState> lastStatus() {
        return lastStatus;
    }

    /** Runs started in this session, oldest first. */
    public ObservableList<RunViewModel> runs() {
        return runs;
    }
}
