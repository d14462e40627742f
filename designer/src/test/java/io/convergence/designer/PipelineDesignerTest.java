package io.convergence.designer;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.designer.task.CurrentThreadTaskExecutor;
import io.convergence.engine.graph.Edge;
import io.convergence.engine.graph.GraphScene;
import io.convergence.engine.graph.LayoutSidecar;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.GridPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real designer component in a window (headless Monocle), driven by mouse and keyboard. Canvas nodes are not
 * scene-graph nodes, so points on the canvas come from the canvas's own mapping of step ids to the screen.
 */
@ExtendWith(ApplicationExtension.class)
class PipelineDesignerTest {
    @TempDir
    Path temp;
    Path file;
    String original;
    PipelineDesigner designer;
    DesignerViewModel model;

    @Start
    void start(Stage stage) throws IOException {
        Path workspace = DemoWorkspace.copyTo(temp.resolve("ws"));
        file = DemoWorkspace.jaffle(workspace);
        original = Files.readString(file);
        designer = PipelineDesigner.open(file, new CurrentThreadTaskExecutor());
        model = designer.model();
        stage.setScene(new Scene(designer, 1200, 760));
        stage.show();
    }

    private void fit(FxRobot robot) {
        robot.interact(() -> designer.canvas().fitToView());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private Point2D centre(String id) {
        return designer.canvas().screenCenterOf(id);
    }

    private Point2D port(String id) {
        return designer.canvas().screenOutputPortOf(id);
    }

    private List<String> ids() {
        return model.pipeline().steps().stream().map(Step::id).toList();
    }

    private void drag(FxRobot robot, Point2D from, Point2D to) {
        robot.moveTo(from).press(MouseButton.PRIMARY);
        robot.moveTo(new Point2D((from.getX() * 2 + to.getX()) / 3, (from.getY() * 2 + to.getY()) / 3));
        robot.moveTo(to).release(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void clickStep(FxRobot robot, String id) {
        robot.moveTo(centre(id)).clickOn(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void shortcut(FxRobot robot, KeyCode key) {
        robot.press(KeyCode.CONTROL).type(key).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
    }

    // ------------------------------------------------------------------ canvas and palette

    @Test
    void showsEveryStepAndEdgeOfTheFile(FxRobot robot) {
        GraphScene scene = designer.canvas().scene();
        assertThat(scene.nodes()).hasSize(10);
        assertThat(scene.edges()).hasSize(11);
        assertThat(robot.lookup("#designerCanvas").tryQuery()).isPresent();
        assertThat(robot.lookup("#designerMinimap").queryAs(javafx.scene.canvas.Canvas.class).isVisible()).isTrue();
        assertThat(robot.lookup("#palette").tryQuery()).isPresent();
        assertThat(robot.lookup("#inspector").tryQuery()).isPresent();
    }

    @Test
    void paletteAddsStepsWithValidUniqueIds(FxRobot robot) {
        robot.clickOn("#paletteIngest");
        robot.clickOn("#paletteTransform");
        robot.clickOn("#paletteTransform");
        robot.clickOn("#paletteQuality");
        assertThat(ids()).endsWith("ingest_1", "transform_1", "transform_2", "quality_1");
        assertThat(model.selection().single()).isEqualTo("quality_1");
        assertThat(designer.canvas().scene().nodes()).hasSize(14);
        assertThat(ids()).allMatch(id -> id.matches(io.convergence.engine.model.Ids.ID));
        assertThat(model.problems()).noneMatch(p -> p.code() == io.convergence.engine.validation.ProblemCode.DUPLICATE_STEP_ID
                || p.code() == io.convergence.engine.validation.ProblemCode.INVALID_ID);
    }

    @Test
    void draggingFromAnOutputPortConnects(FxRobot robot) {
        robot.clickOn("#paletteTransform");
        fit(robot);
        drag(robot, port("orders"), centre("transform_1"));
        assertThat(model.pipeline().step("transform_1").orElseThrow().dependsOn()).containsExactly("orders");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Connect orders \u2192 transform_1");
    }

    @Test
    void anEdgeThatWouldCloseACycleIsRefusedWhileDragging(FxRobot robot) {
        fit(robot);
        Point2D from = port("customers");
        Point2D to = centre("stg_orders");
        robot.moveTo(from).press(MouseButton.PRIMARY);
        robot.moveTo(new Point2D((from.getX() + to.getX()) / 2, (from.getY() + to.getY()) / 2));
        robot.moveTo(to);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(designer.canvas().connectionFeedbackProperty().get())
                .isEqualTo("would close a cycle: stg_orders \u2192 customers \u2192 stg_orders");
        assertThat(robot.lookup("#designerStatus").queryAs(Label.class).getText()).startsWith("would close a cycle");
        robot.release(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(model.pipeline().step("stg_orders").orElseThrow().dependsOn()).containsExactly("load_orders");
        assertThat(model.commands().canUndoProperty().get()).isFalse();
    }

    @Test
    void aDuplicateEdgeIsRefused(FxRobot robot) {
        fit(robot);
        drag(robot, port("stg_orders"), centre("orders"));
        assertThat(model.pipeline().step("orders").orElseThrow().dependsOn()).containsExactly("stg_orders", "stg_payments");
        assertThat(model.statusProperty().get()).isEqualTo("orders already depends on stg_orders");
    }

    @Test
    void deleteRemovesTheStepAndItsEdgesAsOneCommand(FxRobot robot) {
        fit(robot);
        clickStep(robot, "stg_payments");
        robot.type(KeyCode.DELETE);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(ids()).doesNotContain("stg_payments");
        assertThat(model.pipeline().step("orders").orElseThrow().dependsOn()).containsExactly("stg_orders");
        assertThat(model.pipeline().step("customers").orElseThrow().dependsOn()).containsExactly("stg_customers", "stg_orders");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Delete stg_payments");
        robot.clickOn("#undoButton");
        assertThat(ids()).contains("stg_payments");
        assertThat(model.pipeline().step("orders").orElseThrow().dependsOn()).containsExactly("stg_orders", "stg_payments");
    }

    @Test
    void clickingAnEdgeSelectsItAndDeleteDisconnects(FxRobot robot) {
        fit(robot);
        GraphScene.SceneEdge edge = designer.canvas().scene().edges().stream()
                .filter(e -> e.edge().equals(new Edge("load_customers", "stg_customers"))).findFirst().orElseThrow();
        io.convergence.engine.graph.Point mid = edge.curve().at(0.5);
        robot.moveTo(designer.canvas().toScreen(mid.x(), mid.y())).clickOn(MouseButton.PRIMARY);
        assertThat(model.selection().edgeProperty().get()).isEqualTo(new Edge("load_customers", "stg_customers"));
        robot.type(KeyCode.DELETE);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(model.pipeline().step("stg_customers").orElseThrow().dependsOn()).isEmpty();
        assertThat(ids()).contains("load_customers", "stg_customers");
    }

    @Test
    void undoAndRedoChainsThroughButtonsAndKeys(FxRobot robot) {
        robot.clickOn("#paletteIngest");
        robot.clickOn("#paletteTransform");
        fit(robot);
        drag(robot, port("ingest_1"), centre("transform_1"));
        assertThat(model.commands().size()).isEqualTo(3);
        robot.clickOn("#undoButton");
        robot.clickOn("#undoButton");
        assertThat(ids()).contains("ingest_1").doesNotContain("transform_1");
        robot.clickOn("#redoButton");
        assertThat(ids()).contains("transform_1");
        clickStep(robot, "transform_1");
        shortcut(robot, KeyCode.Z);
        assertThat(ids()).doesNotContain("transform_1");
        shortcut(robot, KeyCode.Y);
        shortcut(robot, KeyCode.Y);
        assertThat(model.pipeline().step("transform_1").orElseThrow().dependsOn()).containsExactly("ingest_1");
        assertThat(robot.lookup("#redoButton").queryAs(Button.class).isDisabled()).isTrue();
    }

    @Test
    void theUndoLabelAndMenuSayWhatUndoWillUndo(FxRobot robot) {
        robot.clickOn("#paletteTransform");
        assertThat(robot.lookup("#undoDescription").queryAs(Label.class).getText()).isEqualTo("Undo: Add transform_1");
        MenuItem undo = designer.editMenu().getItems().get(0);
        assertThat(undo.getText()).isEqualTo("Undo Add transform_1");
        assertThat(robot.lookup("#undoButton").queryAs(Button.class).getTooltip().getText()).isEqualTo("Undo Add transform_1 (Ctrl+Z)");
    }

    @Test
    void aDragMovesTheNodeAndCommitsOnceOnRelease(FxRobot robot) {
        fit(robot);
        io.convergence.engine.graph.Point before = model.state().positions().get("orders");
        Point2D start = centre("orders");
        robot.moveTo(start).press(MouseButton.PRIMARY);
        for (int i = 1; i <= 5; i++) {
            robot.moveTo(new Point2D(start.getX() + i * 8, start.getY() + i * 6));
        }
        assertThat(model.commands().size()).isZero();
        robot.release(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(model.commands().size()).isEqualTo(1);
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Move orders");
        assertThat(model.state().positions().get("orders").x()).isGreaterThan(before.x());
    }

    @Test
    void arrowKeysNudgeTheSelection(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        io.convergence.engine.graph.Point before = model.state().positions().get("orders");
        robot.type(KeyCode.RIGHT).type(KeyCode.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(model.state().positions().get("orders")).isEqualTo(before.translate(10, 10));
    }

    @Test
    void shiftClickAddsToTheSelection(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        robot.press(KeyCode.SHIFT);
        robot.moveTo(centre("customers")).clickOn(MouseButton.PRIMARY);
        robot.release(KeyCode.SHIFT);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(model.selection().steps()).containsExactlyInAnyOrder("orders", "customers");
        assertThat(robot.lookup("#inspectorPlaceholder").queryAs(Label.class).getText()).isEqualTo("2 steps selected");
    }

    @Test
    void aRubberBandSelectsTheNodesItTouches(FxRobot robot) {
        fit(robot);
        double scale = designer.canvas().viewport().scale();
        Point2D a = centre("load_customers");
        Point2D b = centre("load_orders");
        Point2D start = new Point2D(a.getX() - 100 * scale - 12, a.getY() - 28 * scale - 12);
        Point2D end = new Point2D(b.getX(), b.getY() + 10);
        drag(robot, start, end);
        assertThat(model.selection().steps()).containsExactlyInAnyOrder("load_customers", "load_orders", "load_payments");
    }

    @Test
    void ctrlASelectsAllAndCopyPasteDuplicates(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        shortcut(robot, KeyCode.C);
        shortcut(robot, KeyCode.V);
        assertThat(ids()).contains("orders_1");
        assertThat(model.selection().steps()).containsExactly("orders_1");
        assertThat(model.pipeline().step("orders_1").orElseThrow().dependsOn()).isEmpty();
        shortcut(robot, KeyCode.A);
        assertThat(model.selection().steps()).hasSize(11);
    }

    @Test
    void fitAndZoomChangeTheViewport(FxRobot robot) {
        fit(robot);
        double fitted = designer.canvas().viewport().scale();
        robot.clickOn("#zoomInButton");
        assertThat(designer.canvas().viewport().scale()).isGreaterThan(fitted);
        robot.clickOn("#zoomOutButton").clickOn("#zoomOutButton");
        assertThat(designer.canvas().viewport().scale()).isLessThan(fitted);
        clickStep(robot, "orders");
        robot.type(KeyCode.F);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(designer.canvas().viewport().scale()).isEqualTo(fitted);
    }

    @Test
    void autoLayoutIsOneUndoableCommand(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        robot.type(KeyCode.DOWN);
        robot.clickOn("#layoutButton");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Auto layout");
        robot.clickOn("#undoButton");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Move orders");
    }

    // ------------------------------------------------------------------ inspector

    @Test
    void theInspectorShowsTheSchemaFieldsOfTheSelectedStep(FxRobot robot) {
        fit(robot);
        clickStep(robot, "load_orders");
        assertThat(robot.lookup("#inspector-id").queryAs(TextField.class).getText()).isEqualTo("load_orders");
        assertThat(robot.lookup("#inspector-source-uri").queryAs(TextField.class).getText()).isEqualTo("data/raw_orders.csv");
        assertThat(robot.lookup("#inspector-write").queryAs(ComboBox.class).getItems()).containsExactly("append", "replace", "replace_partitions");
        assertThat(robot.lookup("#inspector-source-format").queryAs(ComboBox.class).getValue()).isEqualTo("csv");
    }

    @Test
    void anInspectorEditIsACommand(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        TextField target = robot.lookup("#inspector-target").queryAs(TextField.class);
        robot.interact(() -> target.setText("mart.orders_v2"));
        robot.clickOn("#inspector-target").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(((TransformStep) model.pipeline().step("orders").orElseThrow()).target()).isEqualTo("mart.orders_v2");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Edit orders");
        robot.clickOn("#undoButton");
        assertThat(((TransformStep) model.pipeline().step("orders").orElseThrow()).target()).isEqualTo("mart.orders");
    }

    @Test
    void anInvalidInspectorValueIsRefusedWithItsReason(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        TextField target = robot.lookup("#inspector-target").queryAs(TextField.class);
        robot.interact(() -> target.setText("not a table"));
        robot.clickOn("#inspector-target").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#inspectorError").queryAs(Label.class).getText()).startsWith("target: ");
        assertThat(((TransformStep) model.pipeline().step("orders").orElseThrow()).target()).isEqualTo("mart.orders");
        assertThat(model.commands().canUndoProperty().get()).isFalse();
    }

    @Test
    void renamingInTheInspectorUpdatesDependents(FxRobot robot) {
        fit(robot);
        clickStep(robot, "stg_orders");
        TextField id = robot.lookup("#inspector-id").queryAs(TextField.class);
        robot.interact(() -> id.setText("staged_orders"));
        robot.clickOn("#inspector-id").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(ids()).contains("staged_orders").doesNotContain("stg_orders");
        assertThat(model.pipeline().step("orders").orElseThrow().dependsOn()).containsExactly("staged_orders", "stg_payments");
        assertThat(model.selection().single()).isEqualTo("staged_orders");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Rename stg_orders to staged_orders");
    }

    @Test
    void aChoiceInTheInspectorChangesTheWriteMode(FxRobot robot) {
        fit(robot);
        clickStep(robot, "orders");
        @SuppressWarnings("unchecked")
        ComboBox<String> write = robot.lookup("#inspector-write").queryAs(ComboBox.class);
        robot.interact(() -> write.getSelectionModel().select("append"));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(((TransformStep) model.pipeline().step("orders").orElseThrow()).write()).isEqualTo(WriteMode.APPEND);
    }

    @Test
    void sqlIsShownEditableAndSaved(FxRobot robot) throws IOException {
        fit(robot);
        clickStep(robot, "orders");
        TextArea sql = robot.lookup("#inspectorSql").queryAs(TextArea.class);
        assertThat(sql.getText()).isEqualTo(Files.readString(file.resolveSibling("sql/orders.sql")));
        String edited = sql.getText() + "\n-- reviewed\n";
        robot.interact(() -> sql.setText(edited));
        robot.clickOn("#inspectorSqlApply");
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Edit SQL sql/orders.sql");
        robot.clickOn("#saveButton");
        assertThat(Files.readString(file.resolveSibling("sql/orders.sql"))).isEqualTo(edited);
        assertThat(Files.readString(file)).isEqualTo(original);
    }

    @Test
    void theInspectorListsTheColumnsAStepWritesAndASqlErrorBadgesTheNode(FxRobot robot) {
        fit(robot);
        clickStep(robot, "customers");
        WaitForAsyncUtils.waitForFxEvents();
        GridPane columns = robot.lookup("#inspectorColumns").queryAs(GridPane.class);
        assertThat(columns.getChildren()).map(n -> ((Label) n).getText())
                .containsSubsequence("customer_id", "INT64", "first_order", "DATE", "customer_lifetime_value", "FLOAT64");

        TextArea sql = robot.lookup("#inspectorSql").queryAs(TextArea.class);
        robot.interact(() -> sql.setText(sql.getText().replace("customers.first_name,", "customers.first_nam,")));
        robot.clickOn("#inspectorSqlApply");
        WaitForAsyncUtils.waitForFxEvents();
        GraphScene.SceneNode node = designer.canvas().scene().nodes().stream().filter(n -> n.id().equals("customers")).findFirst().orElseThrow();
        assertThat(node.errors()).isPositive();
        assertThat(model.problems()).anyMatch(p -> p.code() == ProblemCode.SQL_UNKNOWN_NAME && p.location().line() == 24);
        assertThat(robot.lookup("#designerProblems .list-cell").queryAll()).map(c -> ((javafx.scene.control.ListCell<?>) c).getText())
                .anyMatch(text -> text != null && text.startsWith("error CV413  customers: Name first_nam not found inside customers")
                        && text.endsWith("(sql/customers.sql:24:13)"));
        assertThat(robot.lookup("#inspectorColumnsUnknown").queryAs(Label.class).getText()).startsWith("Not known");

        // undo brings back the design's SQL, in the text box too, and its columns
        robot.clickOn("#undoButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(sql.getText()).contains("customers.first_name,").doesNotContain("first_nam,");
        assertThat(robot.lookup("#inspectorColumns").tryQuery()).isPresent();
    }

    // ------------------------------------------------------------------ validation, save and reload

    @Test
    void problemsGetBadgesAndTheListLinksToTheNode(FxRobot robot) {
        fit(robot);
        GraphScene.SceneEdge edge = designer.canvas().scene().edges().stream()
                .filter(e -> e.edge().equals(new Edge("stg_orders", "orders"))).findFirst().orElseThrow();
        io.convergence.engine.graph.Point mid = edge.curve().at(0.5);
        robot.moveTo(designer.canvas().toScreen(mid.x(), mid.y())).clickOn(MouseButton.PRIMARY);
        robot.type(KeyCode.DELETE);
        WaitForAsyncUtils.waitForFxEvents();
        GraphScene.SceneNode orders = designer.canvas().scene().nodes().stream().filter(n -> n.id().equals("orders")).findFirst().orElseThrow();
        assertThat(orders.errors()).isPositive();
        @SuppressWarnings("unchecked")
        ListView<Problem> list = robot.lookup("#designerProblems").queryAs(ListView.class);
        int index = -1;
        for (int i = 0; i < list.getItems().size(); i++) {
            if (list.getItems().get(i).isError() && list.getItems().get(i).pointer().startsWith("/steps/")) {
                index = i;
            }
        }
        assertThat(index).isNotNegative();
        int row = index;
        robot.interact(() -> list.getSelectionModel().select(row));
        assertThat(model.selection().single()).isEqualTo("orders");
    }

    @Test
    void saveWritesAPatchedFileThatKeepsItsComments(FxRobot robot) throws IOException {
        robot.clickOn("#paletteQuality");
        fit(robot);
        drag(robot, port("customers"), centre("quality_1"));
        assertThat(robot.lookup("#dirtyLabel").queryAs(Label.class).getText()).contains("unsaved");
        robot.clickOn("#saveButton");
        String saved = Files.readString(file);
        assertThat(saved).startsWith(original.stripTrailing()).contains("  - id: quality_1\n    type: quality\n    depends_on: [customers]\n");
        for (String line : original.split("\n")) {
            if (line.strip().startsWith("#")) {
                assertThat(saved).contains(line);
            }
        }
        assertThat(robot.lookup("#dirtyLabel").queryAs(Label.class).getText()).isEmpty();
        assertThat(LayoutSidecar.read(file)).containsKey("quality_1");
    }

    @Test
    void savingAnInvalidPipelineAsksFirst(FxRobot robot) throws IOException {
        List<Integer> asked = new ArrayList<>();
        robot.interact(() -> designer.setConfirmInvalidSave(errors -> {
            asked.add(errors.size());
            return false;
        }));
        // orders.sql reads staging.stg_orders: without the edge the validator reports a missing dependency
        robot.interact(() -> model.execute(io.convergence.designer.model.Commands.disconnect(new Edge("stg_orders", "orders"))));
        assertThat(model.problems()).anyMatch(Problem::isError);
        robot.clickOn("#saveButton");
        assertThat(asked).hasSize(1);
        assertThat(Files.readString(file)).isEqualTo(original);
        robot.interact(() -> designer.setConfirmInvalidSave(errors -> true));
        robot.clickOn("#saveButton");
        assertThat(Files.readString(file)).contains("depends_on: [stg_payments]");
    }

    @Test
    void saveThenReopenGivesTheSameDesign(FxRobot robot) {
        // a new ingest step names a data file that does not exist yet: an error, saved after confirming
        robot.interact(() -> designer.setConfirmInvalidSave(errors -> true));
        robot.clickOn("#paletteIngest");
        fit(robot);
        drag(robot, port("ingest_1"), centre("customers"));
        robot.clickOn("#saveButton");
        DesignerViewModel reopened = DesignerViewModel.forFile(file, new CurrentThreadTaskExecutor());
        reopened.open();
        assertThat(reopened.pipeline()).isEqualTo(model.pipeline());
        assertThat(reopened.state().positions()).isEqualTo(model.state().positions());
    }

    @Test
    void aChangeOnDiskReloadsTheCanvas(FxRobot robot) throws IOException {
        Files.writeString(file, original.substring(0, original.indexOf("  - id: check_orders")));
        robot.interact(model::checkForExternalChange);
        assertThat(ids()).hasSize(9).doesNotContain("check_orders");
        assertThat(designer.canvas().scene().nodes()).hasSize(9);
        assertThat(robot.lookup("#designerBanner").query().isVisible()).isFalse();
    }

    @Test
    void anInvalidChangeOnDiskShowsItsProblemsAndKeepsTheModel(FxRobot robot) throws IOException {
        Files.writeString(file, original.replace("depends_on: [orders, customers]", "depends_on: [orders, ghost]"));
        robot.interact(model::checkForExternalChange);
        assertThat(ids()).hasSize(10);
        assertThat(model.pipeline().step("check_orders").orElseThrow().dependsOn()).containsExactly("orders", "customers");
        assertThat(robot.lookup("#designerBanner").query().isVisible()).isTrue();
        assertThat(robot.lookup("#designerBannerText").queryAs(Label.class).getText()).contains("keeping the last good model");
        @SuppressWarnings("unchecked")
        ListView<Problem> list = robot.lookup("#designerProblems").queryAs(ListView.class);
        assertThat(list.getItems()).anyMatch(p -> p.message().contains("ghost"));
    }

    @Test
    void runStatesShowAsBadges(FxRobot robot) {
        AtomicInteger count = new AtomicInteger();
        robot.interact(() -> designer.canvas().setRunStates(java.util.Map.of("orders", io.convergence.engine.run.RunState.RUNNING)));
        designer.canvas().scene().nodes().forEach(n -> {
            if (n.state() != null) {
                count.incrementAndGet();
            }
        });
        assertThat(count.get()).isEqualTo(1);
    }
}
