package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import io.convergence.app.ui.PipelineViewModel.StepRow;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Content of a pipeline tab: a read-only steps table and the pipeline.yml text (the designer replaces it later). */
public final class PipelineView {
    private final VBox root;

    public PipelineView(PipelineViewModel model) {
        requireNonNull(model, "model is null");

        Label header = new Label(model.qualifiedName() + "  -  " + model.fileDisplay());
        header.setId("pipelineHeader");
        header.getStyleClass().add("pipeline-header");
        Label description = new Label(model.description());
        description.setId("pipelineDescription");
        description.setManaged(!model.description().isEmpty());
        description.setVisible(!model.description().isEmpty());

        TableView<StepRow> steps = new TableView<>(FXCollections.observableArrayList(model.steps()));
        steps.setId("stepsTable");
        steps.getColumns().add(column("id", "stepIdColumn", StepRow::id, 180));
        steps.getColumns().add(column("type", "stepTypeColumn", StepRow::type, 100));
        steps.getColumns().add(column("depends_on", "stepDependsOnColumn", StepRow::dependsOn, 260));
        steps.getColumns().add(column("target", "stepTargetColumn", StepRow::target, 240));
        steps.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        steps.setPlaceholder(new Label("This pipeline has no steps."));

        TextArea text = new TextArea();
        text.setId("pipelineYaml");
        text.setEditable(false);
        text.getStyleClass().add("source-text");
        text.textProperty().bind(model.textProperty());

        SplitPane split = new SplitPane(steps, text);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.4);
        VBox.setVgrow(split, Priority.ALWAYS);

        root = new VBox(6, header, description, split);
        root.setId("pipelineView");
        root.setPadding(new Insets(8));
    }

    public Parent root() {
        return root;
    }

    private static TableColumn<StepRow, String> column(String title, String id, Function<StepRow, String> value, double width) {
        TableColumn<StepRow, String> column = new TableColumn<>(title);
        column.setId(id);
        column.setPrefWidth(width);
        column.setSortable(false);
        column.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())).getReadOnlyProperty());
        return column;
    }
}
