package io.convergence.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.TestWorkspaces;
import io.convergence.app.ui.PipelineViewModel.StepRow;
import io.convergence.app.ui.WorkspaceViewModel.PipelineItem;
import io.convergence.app.ui.WorkspaceViewModel.ProblemItem;
import io.convergence.app.ui.WorkspaceViewModel.State;
import io.convergence.app.ui.WorkspaceViewModel.TenantItem;
import io.convergence.engine.config.LoadResult;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.validation.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main window's logic without JavaFX running: properties and lists work without the toolkit. */
class WorkspaceViewModelTest {
    @TempDir
    Path temp;

    private final List<Path> loads = new ArrayList<>();

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private WorkspaceViewModel model(TaskExecutor executor, Function<Path, LoadResult> loader) {
        return new WorkspaceViewModel(executor, root -> {
            loads.add(root);
            return loader.apply(root);
        }, WorkspaceViewModelTest::read);
    }

    @Test
    void startsEmpty() {
        WorkspaceViewModel model = model(new CurrentThreadTaskExecutor(), TestWorkspaces::valid);
        assertThat(model.stateProperty().get()).isEqualTo(State.EMPTY);
        assertThat(model.titleProperty().get()).isEqualTo("Convergence");
        assertThat(model.tenantsProperty().get()).isEmpty();
        assertThat(model.messageProperty().get()).isEmpty();
        assertThat(loads).isEmpty();
    }

    @Test
    void openLoadsTenantsPipelinesProblemsAndStatus() {
        Path root = temp.resolve("ws");
        WorkspaceViewModel model = model(new CurrentThreadTaskExecutor(), TestWorkspaces::withProblems);
        model.open(root);

        assertThat(model.stateProperty().get()).isEqualTo(State.LOADED);
        assertThat(model.titleProperty().get()).isEqualTo("Convergence - " + root);
        assertThat(model.defaultTargetProperty().get()).isEqualTo("local (local DuckDB)");
        assertThat(model.tenantsProperty().get()).containsExactly(
                new TenantItem("acme", List.of(
                        new PipelineItem("acme", "daily_sales", 3, true),
                        new PipelineItem("acme", "hourly_clicks", 1, false))),
                new TenantItem("globex", List.of(new PipelineItem("globex", "inventory", 1, false))));
        assertThat(model.problems()).containsExactly(
                new ProblemItem(Severity.ERROR, "CV203", "tenants/acme/pipelines/daily_sales/pipeline.yml:12:19",
                        "step 'check_sales' depends on unknown step 'sales_by_dya'", "did you mean 'sales_by_day'?",
                        Optional.of("acme/daily_sales")),
                new ProblemItem(Severity.WARNING, "CV407", "tenants/acme/pipelines/daily_sales/sql/sales_by_day.sql:3:1",
                        "parameter 'region' is declared but never used", "", Optional.of("acme/daily_sales")));
        assertThat(model.errorCountProperty().get()).isEqualTo(1);
        assertThat(model.warningCountProperty().get()).isEqualTo(1);
        assertThat(model.messageProperty().get()).isEqualTo("Loaded 3 pipelines in 2 tenants");
    }

    @Test
    void loadingHappensOnTheExecutorAndOnlyTheLatestLoadCounts() {
        DeferredTaskExecutor executor = new DeferredTaskExecutor();
        Path first = temp.resolve("first");
        Path second = temp.resolve("second");
        WorkspaceViewModel model = model(executor, root -> root.equals(first) ? TestWorkspaces.withProblems(root) : TestWorkspaces.valid(root));

        model.open(first);
        assertThat(model.stateProperty().get()).isEqualTo(State.LOADING);
        assertThat(loads).as("nothing is loaded on the calling (FX) thread").isEmpty();
        model.open(second);
        assertThat(executor.pending()).isEqualTo(2);

        executor.runNewest();
        assertThat(model.stateProperty().get()).isEqualTo(State.LOADED);
        assertThat(model.errorCountProperty().get()).isZero();
        // The slower, superseded load finishes last and must not replace the newer result.
        executor.runOldest();
        assertThat(loads).containsExactly(second, first);
        assertThat(model.rootProperty().get()).isEqualTo(second);
        assertThat(model.errorCountProperty().get()).isZero();
        assertThat(model.problems()).isEmpty();
    }

    @Test
    void aFailedLoadSaysWhy() {
        WorkspaceViewModel model = model(new CurrentThreadTaskExecutor(), root -> {
            throw new ConvergenceException(ErrorCode.WORKSPACE_NOT_FOUND, root + " has no workspace.yml");
        });
        model.open(temp);
        assertThat(model.stateProperty().get()).isEqualTo(State.FAILED);
        assertThat(model.messageProperty().get())
                .isEqualTo("Could not open " + temp + ": CVG-1002: " + temp + " has no workspace.yml");
        assertThat(model.tenantsProperty().get()).isEmpty();
    }

    @Test
    void anUnreadableWorkspaceYmlStillShowsItsProblems() {
        WorkspaceViewModel model = model(new CurrentThreadTaskExecutor(),
                root -> new LoadResult(Optional.empty(), TestWorkspaces.problems(root)));
        model.open(temp);
        assertThat(model.stateProperty().get()).isEqualTo(State.LOADED);
        assertThat(model.tenantsProperty().get()).isEmpty();
        assertThat(model.problems()).hasSize(2).allSatisfy(p -> assertThat(p.pipeline()).isEmpty());
        assertThat(model.messageProperty().get()).contains("workspace.yml could not be loaded");
    }

    @Test
    void reloadLoadsTheSameFolderAgain() {
        WorkspaceViewModel model = model(new CurrentThreadTaskExecutor(), TestWorkspaces::valid);
        model.reload();
        assertThat(loads).isEmpty();
        model.open(temp);
        model.reload();
        assertThat(loads).containsExactly(temp, temp);
    }

    @Test
    void pipelineTabShowsStepsAndFileText() {
        DeferredTaskExecutor executor = new DeferredTaskExecutor();
        Path root = temp.resolve("ws");
        WorkspaceViewModel model = model(executor, TestWorkspaces::valid);
        model.open(root);
        executor.runOldest();

        PipelineViewModel pipeline = model.openPipeline("acme/daily_sales").orElseThrow();
        assertThat(pipeline.title()).isEqualTo("daily_sales");
        assertThat(pipeline.fileDisplay()).isEqualTo("tenants/acme/pipelines/daily_sales/pipeline.yml");
        assertThat(pipeline.description()).isEqualTo("Orders to daily sales");
        assertThat(pipeline.steps()).containsExactly(
                new StepRow("load_orders", "ingest", "", "raw.orders"),
                new StepRow("sales_by_day", "transform", "load_orders", "mart.sales_by_day"),
                new StepRow("check_sales", "quality", "sales_by_day", "mart.sales_by_day"));
        assertThat(pipeline.textProperty().get()).startsWith("Loading");
        executor.runOldest();
        assertThat(pipeline.textProperty().get()).isEqualTo(TestWorkspaces.DAILY_SALES_YAML);

        assertThat(model.openPipeline("acme/nope")).isEmpty();
    }

    @Test
    void unreadablePipelineFileIsShownNotThrown() throws IOException {
        Path root = temp.resolve("ws");
        WorkspaceViewModel model = model(new CurrentThreadTaskExecutor(), TestWorkspaces::valid);
        model.open(root);
        Files.delete(root.resolve("tenants/globex/pipelines/inventory/pipeline.yml"));

        PipelineViewModel pipeline = model.openPipeline("globex/inventory").orElseThrow();
        assertThat(pipeline.textProperty().get()).startsWith("# Could not read ")
                .contains(NoSuchFileException.class.getName());
    }
}
