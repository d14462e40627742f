package io.convergence.app.bench;

import io.convergence.app.fx.AppFixture;
import io.convergence.app.fx.AppFixtureFiles;
import io.convergence.app.run.RunView;
import io.convergence.app.run.RunViewModel;
import io.convergence.app.ui.CurrentThreadTaskExecutor;
import io.convergence.app.ui.Dialogs;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.plan.PartitionRanges;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanRequest;
import io.convergence.engine.plan.Planner;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * UI benchmarks (not assertions): app start to a usable window, and the live run view fed 10,000 partition events
 * per second. Run with {@code -Dconvergence.bench=true}; results go to stdout and app/target/ui-bench.txt.
 */
@ExtendWith(ApplicationExtension.class)
@EnabledIfSystemProperty(named = "convergence.bench", matches = "true")
class UiBench {
    private static final int PARTITIONS = 10_000;
    private static final int EVENTS_PER_SECOND = 10_000;
    private static final int SECONDS = 10;

    @TempDir
    Path temp;

    private Stage stage;
    private final List<String> report = new ArrayList<>();

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    private void say(String line) {
        report.add(line);
        System.out.println("BENCH " + line);
    }

    @Test
    void startAndEventStorm(FxRobot robot) throws Exception {
        for (int i = 1; i <= 3; i++) {
            startToUsable(robot, i);
        }
        eventStorm(robot);
        Files.write(Path.of("target/ui-bench.txt"), report);
    }

    /** Build the shell, show it, open the demo workspace: usable = workspace loaded, state store open, first pulse. */
    private void startToUsable(FxRobot robot, int round) throws Exception {
        Path dir = temp.resolve("start" + round);
        long t0 = System.nanoTime();
        AppFixture[] app = new AppFixture[1];
        robot.interact(() -> {
            app[0] = AppFixture.demo(dir, Dialogs.alerts());
            app[0].show(stage, 1280, 800);
        });
        long shown = System.nanoTime();
        app[0].awaitService();
        CountDownLatch pulse = new CountDownLatch(1);
        Platform.runLater(() -> new AnimationTimer() {
            @Override
            public void handle(long now) {
                pulse.countDown();
                stop();
            }
        }.start());
        pulse.await(10, TimeUnit.SECONDS);
        long usable = System.nanoTime();
        say(String.format(Locale.ROOT, "start round %d: window shown %d ms, usable (workspace loaded, state open, painted) %d ms",
                round, (shown - t0) / 1_000_000, (usable - t0) / 1_000_000));
        robot.interact(() -> app[0].close());
    }

    private void eventStorm(FxRobot robot) throws Exception {
        Path root = temp.resolve("storm");
        AppFixtureFiles.copyDemo(root);
        LoadedPipeline pipeline = WorkspaceLoader.load(root).workspace().orElseThrow().findPipeline("acme/daily_sales").orElseThrow();
        LocalDate first = LocalDate.parse("2000-01-01");
        List<PartitionWindow> windows = PartitionRanges.between(PartitionGrain.DAY, first.toString(), first.plusDays(PARTITIONS - 1).toString());
        Plan plan = new Planner().plan(pipeline, PlanRequest.forPartitions(windows));
        RunViewModel model = new RunViewModel("acme/daily_sales", "local", plan, new CurrentThreadTaskExecutor(), id -> { });
        robot.interact(() -> {
            RunView view = new RunView(model);
            stage.setScene(new Scene(view.root(), 1280, 800));
            stage.show();
        });
        Instant t0 = Instant.now();
        model.listener().onEvent(new RunEvent.RunStarted("r-bench", t0, "acme", "daily_sales", "local", null, Map.of(), List.of(),
                List.of(), "h", "u", null));

        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> stalls = Collections.synchronizedList(new ArrayList<>());
        Thread probe = new Thread(() -> {
            while (running.get()) {
                long sent = System.nanoTime();
                CountDownLatch done = new CountDownLatch(1);
                Platform.runLater(() -> {
                    stalls.add(System.nanoTime() - sent);
                    done.countDown();
                });
                try {
                    done.await(5, TimeUnit.SECONDS);
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fx-probe");
        long[] pulses = new long[1];
        AnimationTimer frames = new AnimationTimer() {
            @Override
            public void handle(long now) {
                pulses[0]++;
            }
        };
        Platform.runLater(frames::start);
        probe.start();

        long batchesBefore = model.batchesApplied();
        long start = System.nanoTime();
        long published = 0;
        // 100 events every 10 ms: steps x partitions cycle RUNNING then SUCCEEDED
        String[] steps = {"sales_by_day", "check_sales"};
        int cursor = 0;
        for (int tick = 0; tick < SECONDS * 100; tick++) {
            long due = start + tick * 10_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            Instant at = t0.plusMillis(tick * 10L);
            for (int i = 0; i < EVENTS_PER_SECOND / 100; i++) {
                int unit = cursor++ % (PARTITIONS * 2);
                String step = steps[unit / PARTITIONS];
                String key = windows.get(unit % PARTITIONS).key();
                boolean finish = (cursor / (PARTITIONS * 2)) % 2 == 1;
                model.listener().onEvent(new RunEvent.PartitionStateChanged("r-bench", at, step, key,
                        finish ? RunState.SUCCEEDED : RunState.RUNNING, 1, finish ? 100 : 0, 0,
                        finish ? Duration.ofMillis(40) : null, null, null));
                published++;
            }
        }
        long elapsed = System.nanoTime() - start;
        Thread.sleep(300);
        running.set(false);
        probe.join();
        Platform.runLater(frames::stop);

        double seconds = elapsed / 1e9;
        List<Long> sorted = new ArrayList<>(stalls);
        Collections.sort(sorted);
        long max = sorted.get(sorted.size() - 1) / 1_000_000;
        long p99 = sorted.get((int) (sorted.size() * 0.99)) / 1_000_000;
        long p50 = sorted.get(sorted.size() / 2) / 1_000_000;
        say(String.format(Locale.ROOT, "event storm: %d partitions x 2 steps, %,d events in %.1f s (%.0f/s)", PARTITIONS, published,
                seconds, published / seconds));
        say(String.format(Locale.ROOT, "  UI updates (batches applied): %d = %.1f per second; events applied %,d of %,d received",
                model.batchesApplied() - batchesBefore, (model.batchesApplied() - batchesBefore) / seconds, model.eventsApplied(),
                model.eventsReceived()));
        say(String.format(Locale.ROOT, "  FX pulses: %.1f per second", pulses[0] / seconds));
        say(String.format(Locale.ROOT, "  FX thread latency (runLater probe every 5 ms, %d samples): p50 %d ms, p99 %d ms, max %d ms",
                sorted.size(), p50, p99, max));
    }
}
