package io.convergence.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.fx.AppFixtureFiles;
import io.convergence.app.run.RunLauncherViewModel.ParameterField;
import io.convergence.app.ui.CurrentThreadTaskExecutor;
import io.convergence.app.ui.SessionViewModel;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.service.RunRequest;
import io.convergence.engine.service.RunService;
import io.convergence.engine.service.StandardBackends;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher form without JavaFX: typed parameters validated by the engine's parser, the request, the dry run. */
class RunLauncherViewModelTest {
    @TempDir
    Path temp;

    private SessionViewModel session;
    private LoadedWorkspace workspace;

    @BeforeEach
    void open() {
        Path root = temp.resolve("ws");
        AppFixtureFiles.copyDemo(root);
        workspace = WorkspaceLoader.load(root).workspace().orElseThrow();
        session = new SessionViewModel(new CurrentThreadTaskExecutor(),
                ws -> new RunService(ws, ws.config(), Clock.systemUTC(), StandardBackends.factory()));
        session.open(workspace);
    }

    @AfterEach
    void close() {
        session.close();
    }

    private RunLauncherViewModel launcher() {
        return new RunLauncherViewModel(session, workspace.findPipeline("acme/daily_sales").orElseThrow(), List.of("local", "prod"),
                "local", Clock.fixed(Instant.parse("2024-06-10T08:00:00Z"), ZoneOffset.UTC), model -> { });
    }

    @Test
    void parametersAreTypedAndValidatedAsTyped() {
        RunLauncherViewModel model = launcher();
        assertThat(model.parameters()).extracting(ParameterField::name, ParameterField::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("min_amount", ParameterType.FLOAT64),
                        org.assertj.core.groups.Tuple.tuple("run_date", ParameterType.DATE));
        ParameterField amount = model.parameters().get(0);
        assertThat(amount.valueProperty().get()).isEqualTo("1.0");
        assertThat(model.validProperty().get()).isTrue();
        amount.valueProperty().set("lots");
        assertThat(amount.errorProperty().get()).contains("is not a valid float64");
        assertThat(model.validProperty().get()).isFalse();
        amount.valueProperty().set("2.5");
        assertThat(model.validProperty().get()).isTrue();
        assertThat(model.isPartitioned()).isTrue();

        model.fromProperty().set("2024-06-01");
        model.toProperty().set(" 2024-06-03 ");
        model.targetProperty().set("prod");
        assertThat(model.request()).isEqualTo(new RunRequest("acme/daily_sales", Optional.of("prod"),
                Map.of("min_amount", "2.5", "run_date", "today"), Optional.of("2024-06-01"), Optional.of("2024-06-03"), Optional.empty()));
    }

    @Test
    void dryRunShowsThePlanAndRunsNothing() {
        RunLauncherViewModel model = launcher();
        model.fromProperty().set("2024-06-01");
        model.toProperty().set("2024-06-03");
        model.dryRun();
        assertThat(model.errorProperty().get()).isEmpty();
        assertThat(model.planProperty().get()).contains("Plan for acme/daily_sales", "2024-06-01, 2024-06-02, 2024-06-03");
        assertThat(model.statusProperty().get()).isEqualTo("Dry run: nothing ran");
        assertThat(session.runs()).isEmpty();

        model.fromProperty().set("June");
        model.dryRun();
        assertThat(model.errorProperty().get()).startsWith("CVG-1005");
    }
}
