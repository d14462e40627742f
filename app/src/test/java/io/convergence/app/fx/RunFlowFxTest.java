package io.convergence.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.ui.Dialogs;
import io.convergence.engine.run.RunState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.matcher.control.LabeledMatchers;

/** Launch the demo pipeline from the launcher and watch it in the run view; a failing run opens the failure focus. */
@ExtendWith(ApplicationExtension.class)
class RunFlowFxTest {
    @TempDir
    Path temp;

    private AppFixture app;

    @Start
    void start(Stage stage) {
        app = AppFixture.demo(temp, Dialogs.alerts());
        app.show(stage, 1280, 800);
    }

    @AfterEach
    void close() {
        app.close();
    }

    private void openLauncher(FxRobot robot, String pipeline) {
        app.awaitService();
        Node cell = robot.lookup("#workspaceTree .tree-cell").match(LabeledMatchers.hasText(pipeline)).query();
        robot.clickOn(cell);
        robot.clickOn("#runMenu").clickOn("#runPipelineMenuItem");
        AppFixture.waitFor(10, () -> robot.lookup("#runLauncher").tryQuery().isPresent());
    }

    private String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Labeled.class).getText();
    }

    @Test
    void launchedDemoPipelineReachesSucceededInTheRunView(FxRobot robot) {
        openLauncher(robot, "jaffle_shop");
        robot.clickOn("#dryRunButton");
        AppFixture.waitFor(30, () -> robot.lookup("#dryRunOutput").queryTextInputControl().getText().contains("Plan for jaffle/jaffle_shop"));

        robot.clickOn("#runButton");
        AppFixture.waitFor(30, () -> robot.lookup("#runView").tryQuery().isPresent());
        AppFixture.waitFor(120, () -> text(robot, "#runState").equals("SUCCEEDED"));

        java.util.Set<Node> nodes = robot.lookup("#runView .dag-node").queryAll();
        assertThat(nodes).hasSize(10);
        AppFixture.waitFor(10, () -> nodes.stream().allMatch(node -> node.getStyleClass().contains("state-succeeded")));
        assertThat(robot.lookup("#failureFocus").query().isVisible()).isFalse();
        assertThat(robot.lookup("#cancelRunButton").query().isDisabled()).isTrue();
        assertThat(text(robot, "#runCounts")).startsWith("10/10 units done: 10 ok");
        // the explorer shows the last run state, and the status bar has no run in flight any more
        AppFixture.waitFor(15, () -> robot.lookup("#status-jaffle-jaffle_shop").tryQuery()
                .map(dot -> dot.getStyleClass().contains("state-succeeded")).orElse(false));
        assertThat(text(robot, "#statusRuns")).isEqualTo("0 running");
        assertThat(app.session.runs()).singleElement().satisfies(run -> assertThat(run.stateProperty().get()).isEqualTo(RunState.SUCCEEDED));
    }

    @Test
    void failingRunOpensTheFailureFocus(FxRobot robot) throws IOException {
        Path sql = app.root.resolve("tenants/jaffle/pipelines/jaffle_shop/sql/customers.sql");
        // valid for BigQuery's analyzer (a constant cast would be refused before the run); fails as it runs
        Files.writeString(sql, "select customer_id, first_name, last_name, cast(first_name || ' is not a number' as int64) as broken\n"
                + "from {{ ref('staging.stg_customers') }}\n");
        openLauncher(robot, "jaffle_shop");
        robot.clickOn("#runButton");
        AppFixture.waitFor(120, () -> robot.lookup("#runState").tryQuery().map(n -> ((Labeled) n).getText().equals("FAILED")).orElse(false));

        assertThat(robot.lookup("#failureFocus").query().isVisible()).isTrue();
        assertThat(text(robot, "#failureWhere")).isEqualTo("Failed: customers");
        assertThat(text(robot, "#failureError")).contains("not a number");
        assertThat(robot.lookup("#dag-customers").query().getStyleClass()).contains("state-failed", "failure-focus");
        assertThat(robot.lookup("#failureResumeButton").query().isDisabled()).isFalse();

        // Resume from here: a second run of the same pipeline that redoes only what did not succeed
        robot.clickOn("#failureResumeButton");
        AppFixture.waitFor(30, () -> app.session.runs().size() == 2);
        TabPane tabs = robot.lookup("#pipelineTabs").queryAs(TabPane.class);
        AppFixture.waitFor(120, () -> app.session.runs().get(1).stateProperty().get().isTerminal());
        assertThat(app.session.runs().get(1).messageProperty().get()).contains("FAILED");
        assertThat(tabs.getTabs()).hasSize(3);
    }
}
