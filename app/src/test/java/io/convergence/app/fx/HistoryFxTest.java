package io.convergence.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.ui.Dialogs;
import io.convergence.engine.history.RunComparison;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.RunService;
import java.nio.file.Path;
import java.time.Instant;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Filter history, page through it, and compare two runs side by side. */
@ExtendWith(ApplicationExtension.class)
class HistoryFxTest {
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

    @Test
    @SuppressWarnings("unchecked")
    void filterPageAndCompare(FxRobot robot) throws InterruptedException {
        RunService service = app.awaitService();
        HistorySeed.runs(service.state().recorder(), Instant.parse("2024-06-01T08:00:00Z"), 60);

        robot.clickOn("#viewMenu").clickOn("#historyMenuItem");
        TableView<RunSummary> table = robot.lookup("#historyTable").queryAs(TableView.class);
        robot.clickOn("#historySearch");
        AppFixture.waitFor(20, () -> table.getItems().size() == 50);
        assertThat(table.getItems().get(0).runId()).isEqualTo("r-seed-0059");
        assertThat(robot.lookup("#historyMessage").queryLabeled().getText()).isEqualTo("60 matching runs");
        robot.clickOn("#historyNext");
        AppFixture.waitFor(20, () -> table.getItems().size() == 10);
        assertThat(table.getItems().get(0).runId()).isEqualTo("r-seed-0009");
        assertThat(robot.lookup("#historyPage").queryLabeled().getText()).isEqualTo("Page 2: runs 51-60");
        robot.clickOn("#historyPrevious");
        AppFixture.waitFor(20, () -> table.getItems().size() == 50);

        ComboBox<RunState> status = robot.lookup("#historyStatus").queryAs(ComboBox.class);
        ComboBox<String> pipeline = robot.lookup("#historyPipeline").queryAs(ComboBox.class);
        robot.interact(() -> {
            status.setValue(RunState.FAILED);
            pipeline.setValue("daily_sales");
        });
        robot.clickOn("#historySearch");
        AppFixture.waitFor(20, () -> table.getItems().size() == 10);
        assertThat(table.getItems()).allSatisfy(run -> {
            assertThat(run.state()).isEqualTo(RunState.FAILED);
            assertThat(run.pipeline()).isEqualTo("daily_sales");
        });
        assertThat(robot.lookup("#historyNext").query().isDisabled()).isTrue();

        robot.interact(() -> status.setValue(null));
        robot.clickOn("#historySearch");
        AppFixture.waitFor(20, () -> table.getItems().size() == 30);
        robot.interact(() -> table.getSelectionModel().selectIndices(0, 2));
        AppFixture.waitFor(5, () -> !robot.lookup("#compareButton").query().isDisabled());
        robot.clickOn("#compareButton");
        TableView<RunComparison.Row> compare = robot.lookup("#compareTable").queryAs(TableView.class);
        AppFixture.waitFor(20, () -> !compare.getItems().isEmpty());
        assertThat(compare.getItems()).filteredOn(RunComparison.Row::differs).extracting(RunComparison.Row::item)
                .contains("state", "transform  state", "transform  rows");
        assertThat(compare.getItems()).filteredOn(r -> r.item().equals("pipeline version")).singleElement()
                .satisfies(r -> assertThat(r.differs()).isFalse());
        assertThat(robot.lookup("#compareTitle").queryLabeled().getText()).endsWith("differences highlighted");
    }
}
