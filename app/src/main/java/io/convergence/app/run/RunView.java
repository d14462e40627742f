package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import io.convergence.app.run.RunViewModel.CheckRow;
import io.convergence.app.run.RunViewModel.LogLevel;
import io.convergence.app.run.RunViewModel.LogRow;
import io.convergence.engine.run.RunState;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The live run view (one tab per run): header with state, progress and Cancel; the failure focus when something
 * failed; the DAG beside tabs for the partition grid, the timeline, logs and check results. A {@link Timeline}
 * applies the buffered engine events at most {@link #UPDATES_PER_SECOND} times a second.
 */
public final class RunView {
    /** The bound on UI updates: however fast the engine publishes, the FX thread folds events this often. */
    public static final int UPDATES_PER_SECOND = 10;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final RunViewModel model;
    private final BorderPane root = new BorderPane();
    private final Timeline pump;
    private final DagPane dag;
    private final TabPane tabs = new TabPane();

    public RunView(RunViewModel model) {
        this.model = requireNonNull(model, "model is null");
        root.setId("runView");
        root.getStyleClass().add("run-view");
        dag = new DagPane(model);
        root.setTop(new VBox(header(), failureFocus()));

        ScrollPane dagScroll = new ScrollPane(dag);
        dagScroll.setId("runDagScroll");
        tabs.setId("runTabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        Tab partitions = new Tab("Partitions", new PartitionGrid(model));
        partitions.setId("partitionsTab");
        Tab timeline = new Tab("Timeline", new GanttChart(model));
        timeline.setId("timelineTab");
        Tab logs = new Tab("Logs", logs());
        logs.setId("logsTab");
        Tab checks = new Tab("Checks", checks());
        checks.setId("checksTab");
        tabs.getTabs().addAll(partitions, timeline, logs, checks);
        SplitPane split = new SplitPane(dagScroll, tabs);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.4);
        root.setCenter(split);

        pump = new Timeline(new KeyFrame(Duration.millis(1000.0 / UPDATES_PER_SECOND), event -> model.applyPending()));
        pump.setCycleCount(Timeline.INDEFINITE);
        pump.play();
        // Apply what is already there at once, so a finished run shows fully on first paint.
        model.applyPending();
    }

    public Parent root() {
        return root;
    }

    public RunViewModel model() {
        return model;
    }

    /** Stops the update pump; call when the tab closes. */
    public void dispose() {
        pump.stop();
    }

    private Parent header() {
        Label title = new Label();
        title.setId("runTitle");
        title.getStyleClass().add("run-title");
        title.textProperty().bind(Bindings.concat(model.pipeline(), "  ", model.runIdProperty()));
        Label state = new Label();
        state.setId("runState");
        state.getStyleClass().add("run-state");
        state.textProperty().bind(Bindings.createStringBinding(() -> String.valueOf(model.stateProperty().get()), model.stateProperty()));
        model.stateProperty().addListener((o, before, after) -> {
            state.getStyleClass().removeIf(c -> c.startsWith("state-"));
            state.getStyleClass().add(StateColors.styleClass(after));
        });
        state.getStyleClass().add(StateColors.styleClass(model.stateProperty().get()));
        ProgressBar progress = new ProgressBar();
        progress.setId("runProgress");
        progress.setPrefWidth(180);
        progress.progressProperty().bind(model.progressProperty());
        Label counts = new Label();
        counts.setId("runCounts");
        counts.textProperty().bind(model.countsProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("cancelRunButton");
        cancel.disableProperty().bind(model.canCancelProperty().not());
        cancel.setOnAction(event -> model.cancel());
        Button resume = new Button("Resume");
        resume.setId("resumeRunButton");
        resume.disableProperty().bind(model.canResumeProperty().not());
        resume.setOnAction(event -> model.resume());
        Label message = new Label();
        message.setId("runMessage");
        message.textProperty().bind(model.messageProperty());
        Pane spacer = new Pane();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        for (javafx.scene.layout.Region fixed : List.of(state, progress, cancel, resume)) {
            fixed.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        title.setMinWidth(120);
        HBox top = new HBox(10, title, state, progress, counts, spacer, cancel, resume);
        top.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(4, top, message);
        box.setPadding(new Insets(8));
        return box;
    }

    private Parent failureFocus() {
        Label heading = new Label("Failure");
        heading.getStyleClass().add("failure-heading");
        Label where = new Label();
        where.setId("failureWhere");
        where.getStyleClass().add("failure-where");
        Label error = new Label();
        error.setId("failureError");
        // monospaced: a SQL error quotes the file's line with a caret under the failing token
        error.getStyleClass().add("failure-error");
        error.setWrapText(true);
        model.failureProperty().addListener((o, before, failure) -> {
            where.setText(failure == null ? "" : "Failed: " + failure.where());
            error.setText(failure == null ? "" : (failure.errorCode().isEmpty() ? "" : failure.errorCode() + ": ") + failure.message());
        });
        ListView<LogRow> failureLogs = new ListView<>(model.failureLogs());
        failureLogs.setId("failureLogs");
        failureLogs.setPrefHeight(110);
        failureLogs.setPlaceholder(new Label("No log lines from this step"));
        failureLogs.setCellFactory(view -> new ListCell<>() {
            @Override
            protected void updateItem(LogRow row, boolean empty) {
                super.updateItem(row, empty);
                setText(empty || row == null ? null : TIME.format(row.at()) + " " + row.level() + " "
                        + (row.partition().isEmpty() ? "" : "[" + row.partition() + "] ") + row.message());
            }
        });
        Button show = new Button("Show in graph");
        show.setId("showFailureInGraphButton");
        show.setOnAction(event -> model.failureProperty().get().stepId().map(dag::node).ifPresent(node -> {
            node.requestFocus();
            tabs.getSelectionModel().select(0);
        }));
        Button resume = new Button("Resume from here");
        resume.setId("failureResumeButton");
        resume.disableProperty().bind(model.canResumeProperty().not());
        resume.setOnAction(event -> model.resume());
        Button cancel = new Button("Cancel run");
        cancel.setId("failureCancelButton");
        cancel.disableProperty().bind(model.canCancelProperty().not());
        cancel.setOnAction(event -> model.cancel());
        HBox actions = new HBox(8, show, resume, cancel);
        VBox box = new VBox(6, heading, where, error, failureLogs, actions);
        box.setId("failureFocus");
        box.getStyleClass().add("failure-focus-panel");
        box.setPadding(new Insets(8));
        box.visibleProperty().bind(model.failureProperty().isNotNull());
        box.managedProperty().bind(box.visibleProperty());
        return box;
    }

    private Parent logs() {
        ComboBox<String> step = new ComboBox<>(model.stepChoices());
        step.setId("logStepFilter");
        step.valueProperty().bindBidirectional(model.stepFilterProperty());
        ComboBox<LogLevel> level = new ComboBox<>();
        level.getItems().setAll(LogLevel.values());
        level.setId("logLevelFilter");
        level.valueProperty().bindBidirectional(model.levelFilterProperty());
        TableView<LogRow> table = new TableView<>(model.visibleLogs());
        table.setId("logsTable");
        table.setPlaceholder(new Label("No log lines"));
        table.getColumns().add(column("Time", 100, row -> TIME.format(row.at())));
        table.getColumns().add(column("Level", 60, LogRow::level));
        table.getColumns().add(column("Step", 120, LogRow::step));
        table.getColumns().add(column("Partition", 100, LogRow::partition));
        TableColumn<LogRow, String> message = column("Message", 600, LogRow::message);
        table.getColumns().add(message);
        table.setRowFactory(view -> new TableRow<>() {
            @Override
            protected void updateItem(LogRow row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().removeAll("log-warn", "log-error");
                if (!empty && row != null && (row.level().equals("WARN") || row.level().equals("ERROR"))) {
                    getStyleClass().add(row.level().equals("WARN") ? "log-warn" : "log-error");
                }
            }
        });
        HBox filters = new HBox(8, new Label("Step"), step, new Label("Level"), level);
        filters.setAlignment(Pos.CENTER_LEFT);
        filters.setPadding(new Insets(4));
        VBox.setVgrow(table, Priority.ALWAYS);
        return new VBox(filters, table);
    }

    private Parent checks() {
        TableView<CheckRow> table = new TableView<>(model.checks());
        table.setId("checksTable");
        table.setPlaceholder(new Label("No checks evaluated yet"));
        table.getColumns().add(column("Step", 120, CheckRow::step));
        table.getColumns().add(column("Partition", 100, CheckRow::partition));
        table.getColumns().add(column("Check", 180, CheckRow::check));
        table.getColumns().add(column("Type", 110, CheckRow::type));
        table.getColumns().add(column("Severity", 70, CheckRow::severity));
        table.getColumns().add(column("Result", 70, row -> row.passed() ? "passed" : "FAILED"));
        table.getColumns().add(column("Failing rows", 90, row -> Long.toString(row.failingRows())));
        table.getColumns().add(column("Detail", 300, CheckRow::detail));
        table.setRowFactory(view -> new TableRow<>() {
            @Override
            protected void updateItem(CheckRow row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().remove("check-failed");
                if (!empty && row != null && !row.passed()) {
                    getStyleClass().add("check-failed");
                }
            }
        });
        return table;
    }

    static <R> TableColumn<R, String> column(String title, double width, Function<R, String> value) {
        TableColumn<R, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(cell -> constant(value.apply(cell.getValue())));
        return column;
    }

    private static ObservableValue<String> constant(String value) {
        return new ReadOnlyObjectWrapper<>(value == null ? "" : value);
    }

    /** The state of the run, for tests that wait on it. */
    public RunState state() {
        return model.stateProperty().get();
    }
}
