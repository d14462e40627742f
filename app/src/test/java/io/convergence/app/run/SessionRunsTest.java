package io.convergence.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.fx.AppFixtureFiles;
import io.convergence.app.ui.CurrentThreadTaskExecutor;
import io.convergence.app.ui.SessionViewModel;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.model.Step;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.RunRequest;
import io.convergence.engine.service.RunService;
import io.convergence.engine.service.RunnerBackend;
import io.convergence.engine.testing.ScriptedRunners;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session and run view model without JavaFX: runs on the real run service (real locks and history) with
 * scripted step runners that block until cancelled, so cancel and shutdown are seen to really stop the work.
 */
class SessionRunsTest {
    @TempDir
    Path temp;

    private LoadedWorkspace workspace;
    private SessionViewModel session;
    private final ScriptedRunners runners = new ScriptedRunners();
    private final CountDownLatch started = new CountDownLatch(1);
    private final List<RunViewModel> opened = new ArrayList<>();

    @BeforeEach
    void open() {
        Path root = temp.resolve("ws");
        AppFixtureFiles.copyDemo(root);
        workspace = WorkspaceLoader.load(root).workspace().orElseThrow();
        LoadedPipeline jaffle = workspace.findPipeline("jaffle/jaffle_shop").orElseThrow();
        for (Step step : jaffle.pipeline().steps()) {
            runners.script(step.id(), context -> {
                started.countDown();
                return ScriptedRunners.waitForCancel(context);
            });
        }
        RunnerBackend.Factory backends = (ws, name, target) -> new RunnerBackend() {
            @Override
            public io.convergence.engine.exec.StepRunnerFactory runners(io.convergence.engine.config.LoadedTenant tenant,
                    LoadedPipeline pipeline, io.convergence.engine.lock.FenceGuard fence) {
                return runners;
            }

            @Override
            public void close() {
            }
        };
        session = new SessionViewModel(new CurrentThreadTaskExecutor(),
                ws -> new RunService(ws, ws.config(), Clock.systemUTC(), backends));
        session.setOnRunOpened(opened::add);
        session.open(workspace);
    }

    @AfterEach
    void close() {
        session.close();
    }

    private RunViewModel launch() throws InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        session.launch(RunRequest.of("jaffle/jaffle_shop"), model -> { }, failures::add);
        assertThat(failures).isEmpty();
        assertThat(opened).hasSize(1);
        assertThat(started.await(30, TimeUnit.SECONDS)).as("a step started").isTrue();
        RunViewModel model = opened.get(0);
        // the step runs on a worker thread while events reach the model on the dispatcher thread: the step may start
        // before RunStarted is delivered, so wait for it (bounded) instead of assuming it arrived
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            model.applyPending();
            Thread.onSpinWait();
        } while (model.stateProperty().get() == RunState.QUEUED && System.nanoTime() < deadline);
        assertThat(model.stateProperty().get()).isEqualTo(RunState.RUNNING);
        assertThat(session.runningRunsProperty().get()).isEqualTo(1);
        assertThat(session.hasRunsInFlight()).isTrue();
        return model;
    }

    private RunState awaitEnd(RunViewModel model) {
        RunService service = session.currentService().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!model.stateProperty().get().isTerminal() && System.nanoTime() < deadline) {
            model.applyPending();
            Thread.onSpinWait();
        }
        // the service settles lock and history after the last event
        while (!service.activeRuns().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return model.stateProperty().get();
    }

    @Test
    void cancelReallyStopsTheWork() throws InterruptedException {
        RunViewModel model = launch();
        assertThat(model.canCancelProperty().get()).isTrue();

        model.cancel();

        assertThat(awaitEnd(model)).isEqualTo(RunState.CANCELLED);
        assertThat(model.canCancelProperty().get()).isFalse();
        assertThat(model.canResumeProperty().get()).isTrue();
        RunService service = session.currentService().orElseThrow();
        assertThat(service.locks().currentLeases()).as("lock released").isEmpty();
        RunSummary stored = service.history().run(model.runIdProperty().get()).orElseThrow().summary();
        assertThat(stored.state()).isEqualTo(RunState.CANCELLED);
        // the blocked loads returned because they were cancelled, and nothing downstream of them ran
        assertThat(runners.calls()).isNotEmpty().allSatisfy(call -> assertThat(call.stepId()).startsWith("load_"));
        assertThat(session.runningRunsProperty().get()).isZero();
        assertThat(session.lastStatus()).containsEntry("jaffle/jaffle_shop", RunState.CANCELLED);
    }

    @Test
    void shutdownInterruptsRunsInFlightAndReleasesTheirLocks() throws InterruptedException {
        RunViewModel model = launch();
        CountDownLatch done = new CountDownLatch(1);

        session.shutdown(Duration.ofSeconds(20), done::countDown);

        assertThat(done.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(awaitEnd(model)).isEqualTo(RunState.INTERRUPTED);
        RunService service = session.currentService().orElseThrow();
        assertThat(service.locks().currentLeases()).isEmpty();
        assertThat(service.history().run(model.runIdProperty().get()).orElseThrow().summary().state()).isEqualTo(RunState.INTERRUPTED);
    }
}
