package io.convergence.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.locks.LocksViewModel.LockRow;
import io.convergence.app.ui.Dialogs;
import io.convergence.engine.history.LockRecord;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.RunService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Force-release a lock that another process holds, through the real confirmation dialog. */
@ExtendWith(ApplicationExtension.class)
class LocksFxTest {
    @TempDir
    Path temp;

    private AppFixture app;
    private Process child;

    @Start
    void start(Stage stage) {
        app = AppFixture.demo(temp, Dialogs.alerts());
        app.show(stage, 1280, 800);
    }

    @AfterEach
    void close() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        app.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void forceReleaseALockHeldByAnotherProcess(FxRobot robot) throws Exception {
        RunService service = app.awaitService();
        child = new ProcessBuilder(LockHolderProcess.command(app.root, "acme", "web_events")).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = output.readLine()) != null && !line.startsWith("CHILD ACQUIRED")) {
            // skip anything else the child prints
        }
        assertThat(line).as("child acquired the lock").isNotNull();
        String runId = line.split(" ")[2];

        robot.clickOn("#viewMenu").clickOn("#locksMenuItem");
        TableView<LockRow> table = robot.lookup("#locksTable").queryAs(TableView.class);
        AppFixture.waitFor(20, () -> table.getItems().size() == 1);
        LockRow row = table.getItems().get(0);
        assertThat(row.key()).isEqualTo("acme/web_events");
        assertThat(row.pid()).isEqualTo(child.pid());
        assertThat(row.runId()).isEqualTo(runId);
        assertThat(robot.lookup("#forceReleaseButton").query().isDisabled()).isTrue();

        robot.interact(() -> table.getSelectionModel().select(0));
        assertThat(robot.lookup("#forceReleaseButton").query().isDisabled()).as("a reason is required").isTrue();
        robot.clickOn("#releaseReason").write("stuck since the VPN dropped");
        robot.clickOn("#forceReleaseButton");
        AppFixture.waitFor(10, () -> robot.lookup("#confirmOkButton").tryQuery().isPresent());
        robot.clickOn("#confirmOkButton");

        AppFixture.waitFor(20, () -> table.getItems().isEmpty());
        assertThat(robot.lookup("#locksMessage").queryLabeled().getText()).startsWith("Released acme/web_events");
        assertThat(service.locks().currentLeases()).isEmpty();
        RunDetail detail = service.history().run(runId).orElseThrow();
        assertThat(detail.summary().state()).isEqualTo(RunState.INTERRUPTED);
        assertThat(detail.locks()).extracting(LockRecord::change).contains("FORCE_RELEASED");
        assertThat(detail.locks().stream().filter(l -> l.change().equals("FORCE_RELEASED")).findFirst().orElseThrow().detail())
                .hasValueSatisfying(d -> assertThat(d).endsWith(": stuck since the VPN dropped"));
    }
}
