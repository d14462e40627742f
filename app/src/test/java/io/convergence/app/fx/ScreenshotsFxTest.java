package io.convergence.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.ui.Dialogs;
import io.convergence.app.ui.Theme;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.service.RunService;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.Labeled;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.matcher.control.LabeledMatchers;

/**
 * Drives the main window through every screen against real runs of the demo pipelines, and checks each renders.
 * With {@code -Dconvergence.screenshots=true} it also writes them as PNG files to docs/screenshots/ (the README's).
 */
@ExtendWith(ApplicationExtension.class)
class ScreenshotsFxTest {
    private static final boolean WRITE = Boolean.getBoolean("convergence.screenshots");

    @TempDir
    Path temp;

    private AppFixture app;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        app = AppFixture.demo(temp, Dialogs.alerts());
        app.show(stage, 1560, 960);
    }

    @AfterEach
    void close() {
        app.close();
    }

    private void shot(FxRobot robot, String name) throws IOException {
        AppFixture.waitFor(5, () -> true);
        AtomicReference<WritableImage> image = new AtomicReference<>();
        robot.interact(() -> image.set(stage.getScene().snapshot(null)));
        PixelReader pixels = image.get().getPixelReader();
        int width = (int) image.get().getWidth();
        int height = (int) image.get().getHeight();
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int distinct = 0;
        int first = pixels.getArgb(0, 0);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int argb = pixels.getArgb(x, y);
                out.setRGB(x, y, argb);
                if (argb != first) {
                    distinct++;
                }
            }
        }
        assertThat(distinct).as(name + " is not blank").isGreaterThan(width * height / 100);
        if (WRITE) {
            Path folder = AppFixture.demoWorkspace().getParent().resolve("docs/screenshots");
            Files.createDirectories(folder);
            ImageIO.write(out, "png", folder.resolve(name + ".png").toFile());
        }
    }

    private void select(FxRobot robot, String pipeline) {
        Node cell = robot.lookup("#workspaceTree .tree-cell").match(LabeledMatchers.hasText(pipeline)).query();
        robot.clickOn(cell);
    }

    private String text(FxRobot robot, String query) {
        return robot.lookup(query).tryQuery().map(n -> ((Labeled) n).getText()).orElse("");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyScreen(FxRobot robot) throws Exception {
        RunService service = app.awaitService();
        HistorySeed.runs(service.state().recorder(), Instant.now().minusSeconds(3 * 3600), 40);

        // the problems pane has nothing to show here: give its room to the screens
        robot.interact(() -> {
            javafx.scene.Parent parent = robot.lookup("#problemsList").queryAs(Node.class).getParent();
            while (!(parent instanceof javafx.scene.control.SplitPane)) {
                parent = parent.getParent();
            }
            ((javafx.scene.control.SplitPane) parent).setDividerPositions(0.9);
            robot.lookup("#workspacePane").queryAs(javafx.scene.control.SplitPane.class).setDividerPositions(0.16);
        });

        // main window with a pipeline tab
        select(robot, "daily_sales");
        robot.doubleClickOn(robot.lookup("#workspaceTree .tree-cell").match(LabeledMatchers.hasText("daily_sales")).queryAs(Node.class));
        shot(robot, "main-window");

        // launcher with a partition range and a dry run
        robot.clickOn("#runMenu").clickOn("#runPipelineMenuItem");
        AppFixture.waitFor(10, () -> robot.lookup("#runLauncher").tryQuery().isPresent());
        robot.interact(() -> {
            robot.lookup("#launchFrom").queryAs(DatePicker.class).setValue(java.time.LocalDate.parse("2024-06-01"));
            robot.lookup("#launchTo").queryAs(DatePicker.class).setValue(java.time.LocalDate.parse("2024-06-10"));
            robot.lookup("#param-run_date").queryAs(DatePicker.class).setValue(java.time.LocalDate.parse("2024-06-10"));
        });
        // dates read as partitions and the CLI write them, whatever the locale (en_US would show 6/1/2024)
        assertThat(robot.lookup("#launchFrom").queryAs(DatePicker.class).getEditor().getText()).isEqualTo("2024-06-01");
        robot.interact(() -> {
            DatePicker to = robot.lookup("#launchTo").queryAs(DatePicker.class);
            to.getEditor().setText("not a date");
            to.commitValue();
        });
        assertThat(robot.lookup("#launchTo").queryAs(DatePicker.class).getValue()).isEqualTo(java.time.LocalDate.parse("2024-06-10"));
        AppFixture.waitFor(5, () -> robot.lookup("#launchTo").queryAs(DatePicker.class).getEditor().getText().equals("2024-06-10"));
        robot.clickOn("#dryRunButton");
        AppFixture.waitFor(30, () -> robot.lookup("#dryRunOutput").queryTextInputControl().getText().contains("Plan for"));
        shot(robot, "run-launcher");

        // a partitioned run, live and finished
        robot.clickOn("#runButton");
        AppFixture.waitFor(30, () -> robot.lookup("#runView").tryQuery().isPresent());
        AppFixture.waitFor(120, () -> text(robot, "#runState").equals("SUCCEEDED"));
        shot(robot, "run-partitions");
        robot.interact(() -> robot.lookup("#runTabs").queryAs(TabPane.class).getSelectionModel().select(1));
        shot(robot, "run-timeline");
        robot.interact(() -> robot.lookup("#runTabs").queryAs(TabPane.class).getSelectionModel().select(3));
        shot(robot, "run-checks");

        // a failing run and its failure focus
        Files.writeString(app.root.resolve("tenants/jaffle/pipelines/jaffle_shop/sql/customers.sql"),
                "select customer_id, first_name, last_name, cast(first_name || ' is not a number' as int64) as broken\n"
                        + "from {{ ref('staging.stg_customers') }}\n");
        select(robot, "jaffle_shop");
        robot.clickOn("#runMenu").clickOn("#runPipelineMenuItem");
        AppFixture.waitFor(10, () -> robot.lookup("#runLauncher").tryQuery().filter(Node::isVisible).isPresent());
        robot.clickOn(robot.lookup("#runButton").match(Node::isVisible).queryAs(Node.class));
        AppFixture.waitFor(120, () -> robot.lookup("#failureFocus").match(Node::isVisible).tryQuery().isPresent());
        shot(robot, "run-failure-focus");

        // a lock held by a run, over half its lease in the table's eyes only when it is; here a fresh one
        service.locks().acquire(new LockKey("acme", "web_events"), LockHolder.current("r-stuck-demo"));
        robot.clickOn("#viewMenu").clickOn("#locksMenuItem");
        TableView<?> locks = robot.lookup("#locksTable").queryAs(TableView.class);
        AppFixture.waitFor(20, () -> !locks.getItems().isEmpty());
        robot.interact(() -> locks.getSelectionModel().select(0));
        robot.clickOn("#releaseReason").write("stuck since the VPN dropped");
        shot(robot, "locks");

        // history: compare two runs, then the charts
        robot.clickOn("#viewMenu").clickOn("#historyMenuItem");
        TableView<?> history = robot.lookup("#historyTable").queryAs(TableView.class);
        robot.interact(() -> robot.lookup("#historyPipeline").queryAs(ComboBox.class).setValue("daily_sales"));
        robot.clickOn("#historySearch");
        AppFixture.waitFor(20, () -> history.getItems().size() > 3);
        robot.interact(() -> history.getSelectionModel().selectIndices(0, 3));
        robot.clickOn("#compareButton");
        AppFixture.waitFor(20, () -> !robot.lookup("#compareTable").queryAs(TableView.class).getItems().isEmpty());
        shot(robot, "history-compare");
        robot.interact(() -> robot.lookup("#historyDetailTabs").queryAs(TabPane.class).getSelectionModel().select(2));
        shot(robot, "history-charts");
        robot.interact(() -> {
            history.getSelectionModel().clearSelection();
            history.getSelectionModel().select(0);
            robot.lookup("#historyDetailTabs").queryAs(TabPane.class).getSelectionModel().select(0);
        });
        AppFixture.waitFor(20, () -> !robot.lookup("#detailSteps").queryAs(TableView.class).getItems().isEmpty());
        shot(robot, "history-detail");

        // connections and health
        robot.clickOn("#viewMenu").clickOn("#healthMenuItem");
        robot.clickOn("#check-local");
        robot.clickOn("#runDoctorButton");
        AppFixture.waitFor(30, () -> text(robot, "#doctorSummary").contains("checks"));
        AppFixture.waitFor(30, () -> !text(robot, "#targetResult-local").isEmpty());
        shot(robot, "health");

        // dark theme
        robot.interact(() -> app.shell.setTheme(Theme.DARK));
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#pipelineTabs").queryAs(TabPane.class);
            tabs.getTabs().stream().filter(t -> t.getText().startsWith("daily_sales ")).findFirst()
                    .ifPresent(t -> tabs.getSelectionModel().select(t));
        });
        shot(robot, "dark-run-view");
        robot.interact(() -> app.shell.setTheme(Theme.LIGHT));
    }
}
