package io.convergence.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.TestWorkspaces;
import io.convergence.app.ui.MainView.ExplorerNode;
import io.convergence.app.ui.PipelineViewModel.StepRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.matcher.control.LabeledMatchers;

/** The main window on a workspace built in code, driven through its node ids (headless Monocle). */
@ExtendWith(ApplicationExtension.class)
class MainViewTest {
    @TempDir
    Path temp;

    private Stage stage;
    private Path root;

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        root = temp.resolve("ws");
        WorkspaceViewModel model = new WorkspaceViewModel(new CurrentThreadTaskExecutor(), TestWorkspaces::withProblems, MainViewTest::read);
        MainView view = new MainView(model, (owner, current) -> Optional.empty());
        stage.setScene(new Scene(view.root(), 1000, 700));
        stage.titleProperty().bind(model.titleProperty());
        stage.show();
        model.open(root);
    }

    @Test
    void explorerShowsWorkspaceTenantsAndPipelines(FxRobot robot) {
        TreeView<ExplorerNode> tree = tree(robot);
        assertThat(tree.getRoot().getValue().label()).isEqualTo("ws");
        assertThat(labels(tree.getRoot().getChildren())).containsExactly("acme", "globex");
        assertThat(labels(tree.getRoot().getChildren().get(0).getChildren())).containsExactly("daily_sales", "hourly_clicks");
        assertThat(labels(tree.getRoot().getChildren().get(1).getChildren())).containsExactly("inventory");

        assertThat(stage.getTitle()).isEqualTo("Convergence - " + root);
        assertThat(robot.lookup("#statusWorkspace").queryLabeled().getText()).isEqualTo(root.toString());
        assertThat(robot.lookup("#statusTarget").queryLabeled().getText()).isEqualTo("Target: local (local DuckDB)");
        assertThat(robot.lookup("#statusProblems").queryLabeled().getText()).isEqualTo("1 error, 1 warning");
        assertThat(robot.lookup("#problemsList").queryListView().getItems()).hasSize(2);
        assertThat(robot.lookup("#emptyState").query().isVisible()).isFalse();
        assertThat(robot.lookup("#pipelineTabs").queryAs(TabPane.class).getTabs()).isEmpty();
    }

    @Test
    void doubleClickingAPipelineOpensItsTabOnce(FxRobot robot) {
        Node cell = robot.lookup("#workspaceTree .tree-cell").match(LabeledMatchers.hasText("daily_sales")).query();
        robot.doubleClickOn(cell);

        TabPane tabs = robot.lookup("#pipelineTabs").queryAs(TabPane.class);
        assertThat(tabs.getTabs()).hasSize(1);
        assertThat(tabs.getTabs().get(0).getText()).isEqualTo("daily_sales");
        @SuppressWarnings("unchecked")
        TableView<StepRow> steps = robot.lookup("#stepsTable").queryAs(TableView.class);
        assertThat(steps.getItems()).extracting(StepRow::id).containsExactly("load_orders", "sales_by_day", "check_sales");
        assertThat(steps.getItems()).extracting(StepRow::dependsOn).containsExactly("", "load_orders", "sales_by_day");
        assertThat(robot.lookup("#pipelineYaml").queryTextInputControl().getText()).isEqualTo(TestWorkspaces.DAILY_SALES_YAML);
        assertThat(robot.lookup("#pipelineYaml").queryTextInputControl().isEditable()).isFalse();

        robot.doubleClickOn(cell);
        assertThat(tabs.getTabs()).hasSize(1);
    }

    @Test
    void theEditMenuIsTheSelectedDesignersOwn(FxRobot robot) {
        MenuBar bar = robot.lookup("#menuBar").queryAs(MenuBar.class);
        assertThat(bar.getMenus().get(1).getId()).isEqualTo("editMenu");
        assertThat(bar.getMenus().get(1).isDisable()).isTrue();

        Node cell = robot.lookup("#workspaceTree .tree-cell").match(LabeledMatchers.hasText("daily_sales")).query();
        robot.doubleClickOn(cell);
        Menu edit = bar.getMenus().get(1);
        assertThat(edit.getId()).isEqualTo("designerEditMenu");
        assertThat(edit.getItems()).extracting(MenuItem::getText).startsWith("Undo", "Redo");
        assertThat(edit.getItems().get(0).isDisable()).isTrue();

        // the items drive this tab's designer (its own undo and redo are covered by the designer's tests)
        TabPane tabs = robot.lookup("#pipelineTabs").queryAs(TabPane.class);
        assertThat(tabs.getSelectionModel().getSelectedItem().getProperties()).containsValue(edit);

        robot.interact(() -> tabs.getTabs().clear());
        assertThat(bar.getMenus().get(1).getId()).isEqualTo("editMenu");
    }

    @Test
    void doubleClickingAProblemSelectsAndOpensItsPipeline(FxRobot robot) {
        Node problem = robot.lookup("#problemsList .list-cell")
                .match(LabeledMatchers.hasText(
                        "error CV203  tenants/acme/pipelines/daily_sales/pipeline.yml:12:19: step 'check_sales' depends on unknown step 'sales_by_dya'"))
                .query();
        robot.doubleClickOn(problem);

        TreeView<ExplorerNode> tree = tree(robot);
        assertThat(tree.getSelectionModel().getSelectedItem().getValue().qualifiedName()).isEqualTo("acme/daily_sales");
        TabPane tabs = robot.lookup("#pipelineTabs").queryAs(TabPane.class);
        assertThat(tabs.getSelectionModel().getSelectedItem().getUserData()).isEqualTo("acme/daily_sales");
    }

    @SuppressWarnings("unchecked")
    private static TreeView<ExplorerNode> tree(FxRobot robot) {
        return robot.lookup("#workspaceTree").queryAs(TreeView.class);
    }

    private static List<String> labels(List<TreeItem<ExplorerNode>> items) {
        return items.stream().map(item -> item.getValue().label()).toList();
    }
}
