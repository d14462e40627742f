package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import io.convergence.app.run.RunLauncherViewModel.ParameterField;
import io.convergence.app.ui.IsoDatePicker;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionGrain;
import java.time.LocalDate;
import java.util.Locale;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The run launcher panel: a form built from the pipeline's declared parameters (a date picker for a date, a
 * spinner for an int64, a check box for a bool, a text field otherwise), the partition range, Dry run and Run.
 */
public final class RunLauncherView {
    private final RunLauncherViewModel model;
    private final VBox root = new VBox(10);

    public RunLauncherView(RunLauncherViewModel model) {
        this.model = requireNonNull(model, "model is null");
        root.setId("runLauncher");
        root.setPadding(new Insets(12));
        Label title = new Label("Run " + model.pipelineName());
        title.getStyleClass().add("launcher-title");

        GridPane form = new GridPane();
        form.setHgap(10);
        form.setVgap(8);
        int row = 0;
        ComboBox<String> target = new ComboBox<>(model.targets());
        target.setId("launchTarget");
        target.valueProperty().bindBidirectional(model.targetProperty());
        form.addRow(row++, new Label("Target"), target);
        for (ParameterField field : model.parameters()) {
            Label name = new Label(field.name() + " (" + field.type().name().toLowerCase(Locale.ROOT) + ")");
            if (!field.description().isEmpty()) {
                name.setTooltip(new Tooltip(field.description()));
            }
            Label error = new Label();
            error.setId("paramError-" + field.name());
            error.getStyleClass().add("field-error");
            error.textProperty().bind(field.errorProperty());
            form.addRow(row++, name, editor(field), error);
        }
        if (model.isPartitioned()) {
            PartitionGrain grain = model.partitioning().orElseThrow().type();
            form.addRow(row++, new Label("From partition"), rangeEditor("launchFrom", model.fromProperty(), grain));
            form.addRow(row++, new Label("To partition"), rangeEditor("launchTo", model.toProperty(), grain));
            Label hint = new Label("Empty: run_date and the " + model.partitioning().orElseThrow().lookback()
                    + " partitions before it");
            hint.getStyleClass().add("placeholder");
            form.add(hint, 1, row++);
        }

        Button dryRun = new Button("Dry run");
        dryRun.setId("dryRunButton");
        dryRun.disableProperty().bind(model.busyProperty());
        dryRun.setOnAction(event -> model.dryRun());
        Button run = new Button("Run");
        run.setId("runButton");
        run.setDefaultButton(true);
        run.disableProperty().bind(model.validProperty().not());
        run.setOnAction(event -> model.run());
        Label status = new Label();
        status.setId("launchStatus");
        status.textProperty().bind(model.statusProperty());
        HBox buttons = new HBox(10, dryRun, run, status);
        buttons.setAlignment(Pos.CENTER_LEFT);
        Label error = new Label();
        error.setId("launchError");
        error.getStyleClass().add("field-error");
        error.setWrapText(true);
        error.textProperty().bind(model.errorProperty());
        TextArea plan = new TextArea();
        plan.setId("dryRunOutput");
        plan.getStyleClass().add("source-text");
        plan.setEditable(false);
        plan.setPromptText("Dry run shows the plan here: levels, steps, partitions, parameters.");
        plan.textProperty().bind(model.planProperty());
        VBox.setVgrow(plan, Priority.ALWAYS);
        root.getChildren().addAll(title, form, buttons, error, plan);
    }

    public Parent root() {
        return root;
    }

    private Node editor(ParameterField field) {
        String id = "param-" + field.name();
        StringProperty value = field.valueProperty();
        if (field.type() == ParameterType.DATE) {
            DatePicker picker = IsoDatePicker.create(date(field));
            picker.setId(id);
            picker.valueProperty().addListener((o, a, b) -> value.set(b == null ? "" : b.toString()));
            return picker;
        }
        if (field.type() == ParameterType.INT64) {
            Spinner<Integer> spinner = new Spinner<>();
            int initial;
            try {
                initial = Integer.parseInt(value.get().strip());
            } catch (NumberFormatException e) {
                initial = 0;
            }
            spinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(Integer.MIN_VALUE, Integer.MAX_VALUE, initial));
            spinner.setEditable(true);
            spinner.setId(id);
            spinner.valueProperty().addListener((o, a, b) -> value.set(b == null ? "" : b.toString()));
            return spinner;
        }
        if (field.type() == ParameterType.BOOL) {
            CheckBox box = new CheckBox();
            box.setId(id);
            box.setSelected("true".equalsIgnoreCase(value.get().strip()));
            box.selectedProperty().addListener((o, a, b) -> value.set(Boolean.toString(b)));
            return box;
        }
        TextField text = new TextField();
        text.setId(id);
        text.textProperty().bindBidirectional(value);
        text.setPromptText(field.type() == ParameterType.TIMESTAMP ? "2024-03-01T12:00:00Z or now" : "");
        return text;
    }

    private LocalDate date(ParameterField field) {
        try {
            Object parsed = model.resolver().parse(field.name(), ParameterType.DATE, field.valueProperty().get()).value();
            return (LocalDate) parsed;
        } catch (ConvergenceException e) {
            return null;
        }
    }

    private static Node rangeEditor(String id, StringProperty value, PartitionGrain grain) {
        if (grain == PartitionGrain.DAY) {
            DatePicker picker = IsoDatePicker.create();
            picker.setId(id);
            picker.setPromptText("default");
            picker.valueProperty().addListener((o, a, b) -> value.set(b == null ? "" : b.toString()));
            return picker;
        }
        TextField text = new TextField();
        text.setId(id);
        text.setPromptText(switch (grain) {
            case HOUR -> "2024-06-01T13";
            case MONTH -> "2024-06";
            case YEAR -> "2024";
            default -> "";
        });
        text.textProperty().bindBidirectional(value);
        return text;
    }
}
