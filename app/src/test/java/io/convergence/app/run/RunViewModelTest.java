package io.convergence.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.ui.CurrentThreadTaskExecutor;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanRequest;
import io.convergence.engine.plan.PartitionRanges;
import io.convergence.engine.plan.Planner;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run view model without JavaFX: events from many threads fold into one batch per apply. */
class RunViewModelTest {
    private static final Instant T0 = Instant.parse("2024-06-10T12:00:00Z");

    @TempDir
    Path temp;

    private final List<String> resumed = new ArrayList<>();

    private RunViewModel model(int days) {
        Path root = temp.resolve("ws");
        io.convergence.app.fx.AppFixtureFiles.copyDemo(root);
        LoadedPipeline pipeline = io.convergence.engine.config.WorkspaceLoader.load(root).workspace().orElseThrow()
                .findPipeline("acme/daily_sales").orElseThrow();
        List<PartitionWindow> windows = PartitionRanges.between(PartitionGrain.DAY, "2000-01-01",
                java.time.LocalDate.parse("2000-01-01").plusDays(days - 1).toString());
        Plan plan = new Planner().plan(pipeline, PlanRequest.forPartitions(windows));
        return new RunViewModel("acme/daily_sales", "local", plan, new CurrentThreadTaskExecutor(), resumed::add);
    }

    @Test
    void eventsFromManyThreadsApplyAsOneBatch() throws InterruptedException {
        RunViewModel model = model(1);
        model.listener().onEvent(new RunEvent.RunStarted("r-1", T0, "acme", "daily_sales", "local", null, Map.of(), List.of(),
                List.of(), "h", "u", null));
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    model.listener().onEvent(new RunEvent.LogLine("r-1", T0, "load_orders", null, "INFO", thread + ":" + i));
                }
            });
            worker.start();
            threads.add(worker);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(model.revisionProperty().get()).as("nothing applied before the UI asks").isZero();

        assertThat(model.applyPending()).isEqualTo(4001);
        assertThat(model.revisionProperty().get()).isEqualTo(1);
        assertThat(model.logs()).hasSize(4000);
        assertThat(model.stateProperty().get()).isEqualTo(RunState.RUNNING);
        assertThat(model.applyPending()).isZero();
        assertThat(model.revisionProperty().get()).isEqualTo(1);
    }

    @Test
    void partitionStatesFillTheGridAndTheFirstFailureIsFocused() {
        RunViewModel model = model(3);
        int sales = model.stepIds().indexOf("sales_by_day");
        assertThat(model.isPartitioned(sales)).isTrue();
        assertThat(model.partitionKeys()).containsExactly("2000-01-01", "2000-01-02", "2000-01-03");
        model.listener().onEvent(new RunEvent.RunStarted("r-1", T0, "acme", "daily_sales", "local", null, Map.of(), List.of(),
                List.of(), "h", "u", null));
        model.listener().onEvent(new RunEvent.PartitionStateChanged("r-1", T0, "sales_by_day", "2000-01-02", RunState.RUNNING,
                1, 0, 0, null, null, null));
        model.listener().onEvent(new RunEvent.PartitionStateChanged("r-1", T0.plusSeconds(2), "sales_by_day", "2000-01-02",
                RunState.SUCCEEDED, 1, 42, 100, Duration.ofSeconds(2), null, null));
        model.listener().onEvent(new RunEvent.PartitionStateChanged("r-1", T0.plusSeconds(3), "sales_by_day", "2000-01-03",
                RunState.FAILED, 2, 0, 0, Duration.ofSeconds(1), "CVG-2004", "division by zero"));
        model.listener().onEvent(new RunEvent.LogLine("r-1", T0, "sales_by_day", "2000-01-03", "ERROR", "boom"));
        model.listener().onEvent(new RunEvent.LogLine("r-1", T0, "load_orders", null, "INFO", "loaded"));
        model.listener().onEvent(new RunEvent.RunFinished("r-1", T0.plusSeconds(4), RunState.FAILED, Duration.ofSeconds(4),
                "CVG-2004", "division by zero"));
        model.applyPending();

        RunViewModel.Cell cell = model.cell(sales, 1);
        assertThat(cell.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(cell.rows()).isEqualTo(42);
        assertThat(cell.startedAt()).contains(T0);
        assertThat(PartitionGrid.describeCell(model, sales, 1)).isEqualTo("sales_by_day[2000-01-02]: SUCCEEDED, 42 rows, 2.0 s");
        assertThat(model.failureProperty().get().where()).isEqualTo("sales_by_day[2000-01-03]");
        assertThat(model.failureProperty().get().message()).isEqualTo("division by zero");
        assertThat(model.failureLogs()).extracting(RunViewModel.LogRow::message).containsExactly("boom");
        assertThat(model.stateProperty().get()).isEqualTo(RunState.FAILED);
        assertThat(model.canResumeProperty().get()).isTrue();

        model.levelFilterProperty().set(RunViewModel.LogLevel.ERROR);
        assertThat(model.visibleLogs()).extracting(RunViewModel.LogRow::message).containsExactly("boom");
        model.levelFilterProperty().set(RunViewModel.LogLevel.ALL);
        model.stepFilterProperty().set("load_orders");
        assertThat(model.visibleLogs()).extracting(RunViewModel.LogRow::message).containsExactly("loaded");

        model.resume();
        assertThat(resumed).containsExactly("r-1");
    }

    @Test
    void logsAreCappedSoALongRunCannotExhaustMemory() {
        RunViewModel model = model(1);
        for (int i = 0; i < RunViewModel.MAX_LOGS + 500; i++) {
            model.listener().onEvent(new RunEvent.LogLine("r-1", T0, null, null, "INFO", "line " + i));
        }
        model.applyPending();
        assertThat(model.logs()).hasSize(RunViewModel.MAX_LOGS);
        assertThat(model.logs().get(0).message()).isEqualTo("line 500");
    }

    @Test
    void tenThousandPartitionsFoldWithoutTrouble() {
        RunViewModel model = model(10_000);
        int sales = model.stepIds().indexOf("sales_by_day");
        for (String key : model.partitionKeys()) {
            model.listener().onEvent(new RunEvent.PartitionStateChanged("r-1", T0, "sales_by_day", key, RunState.SUCCEEDED,
                    1, 1, 1, Duration.ofMillis(5), null, null));
        }
        assertThat(model.applyPending()).isEqualTo(10_000);
        assertThat(model.cell(sales, 9_999).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(model.countsProperty().get()).startsWith("10000/");
    }
}
