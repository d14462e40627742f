package io.convergence.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.TestWorkspaces;
import java.nio.file.Path;
import java.util.Optional;
import javafx.scene.Scene;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Started without a workspace, the window explains itself and opens one from "Open workspace...". */
@ExtendWith(ApplicationExtension.class)
class EmptyStateTest {
    @TempDir
    Path temp;

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        WorkspaceViewModel model = new WorkspaceViewModel(new CurrentThreadTaskExecutor(), TestWorkspaces::valid, MainViewTest::read);
        // Stands in for the native folder dialog.
        WorkspaceChooser chooser = (owner, current) -> Optional.of(temp.resolve("chosen"));
        stage.setScene(new Scene(new MainView(model, chooser).root(), 900, 600));
        stage.titleProperty().bind(model.titleProperty());
        stage.show();
    }

    @Test
    void openWorkspaceButtonLoadsTheChosenFolder(FxRobot robot) {
        assertThat(stage.getTitle()).isEqualTo("Convergence");
        assertThat(robot.lookup("#emptyState").query().isVisible()).isTrue();
        assertThat(robot.lookup("#workspacePane").query().isVisible()).isFalse();
        assertThat(robot.lookup("#emptyTitle").queryLabeled().getText()).isEqualTo("No workspace open");
        assertThat(robot.lookup("#emptyMessage").query().isVisible()).isFalse();
        assertThat(robot.lookup("#statusProblems").query().isVisible()).isFalse();
        assertThat(robot.lookup("#statusWorkspace").queryLabeled().getText()).isEqualTo("No workspace");

        robot.clickOn("#openWorkspaceButton");

        assertThat(robot.lookup("#emptyState").query().isVisible()).isFalse();
        assertThat(robot.lookup("#workspacePane").query().isVisible()).isTrue();
        assertThat(stage.getTitle()).isEqualTo("Convergence - " + temp.resolve("chosen"));
        TreeView<?> tree = robot.lookup("#workspaceTree").queryAs(TreeView.class);
        assertThat(tree.getRoot().getChildren()).hasSize(2);
        assertThat(robot.lookup("#statusProblems").query().isVisible()).isTrue();
        assertThat(robot.lookup("#statusProblems").queryLabeled().getText()).isEqualTo("0 errors, 0 warnings");
    }
}
