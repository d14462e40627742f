package io.convergence.app.history;

import static java.util.Objects.requireNonNull;

import io.convergence.app.history.HistoryViewModel.ChartPoint;
import io.convergence.app.run.RunViewModel;
import io.convergence.app.ui.IsoDatePicker;
import io.convergence.engine.history.CheckRecord;
import io.convergence.engine.history.RunComparison.Row;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.history.StepRecord;
import io.convergence.engine.run.RunState;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

/** The history screen: filters, a paged runs table, and tabs for the run detail, a comparison and charts. */
public final class HistoryView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.systemDefault());

    private final HistoryViewModel model;
    private final BorderPane root = new BorderPane();
    private final TableView<RunSummary> table = new TableView<>();
    private final TabPane detailTabs = new TabPane();

    public HistoryView(HistoryViewModel model) {
        this.model = requireNonNull(model, "model is null");
        root.setId("historyView");
        root.setTop(filters());
        SplitPane split = new SplitPane(runsTable(), details());
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        root.setCenter(split);
        model.search();
    }

    public Parent root() {
        return root;
    }

    private Parent filters() {
        ComboBox<String> tenant = new ComboBox<>(model.tenants());
        tenant.setId("historyTenant");
        tenant.setPromptText("any tenant");
        tenant.valueProperty().bindBidirectional(model.tenantProperty());
        ComboBox<String> pipeline = new ComboBox<>(model.pipelines());
        pipeline.setId("historyPipeline");
        pipeline.setPromptText("any pipeline");
        pipeline.valueProperty().bindBidirectional(model.pipelineProperty());
        ComboBox<RunState> state = new ComboBox<>();
        state.setId("historyStatus");
        state.getItems().add(null);
        state.getItems().addAll(RunState.values());
        state.setPromptText("any state");
        state.setConverter(new StringConverter<>() {
            @Override
            public String toString(RunState value) {
                return value == null ? "any state" : value.name();
            }

            @Override
            public RunState fromString(String text) {
                return text == null || text.equals("any state") ? null : RunState.valueOf(text);
            }
        });
        state.valueProperty().bindBidirectional(model.stateProperty());
        DatePicker since = IsoDatePicker.create();
        since.setId("historySince");
        since.setPromptText("from day");
        since.valueProperty().bindBidirectional(model.sinceProperty());
        DatePicker until = IsoDatePicker.create();
        until.setId("historyUntil");
        until.setPromptText("to day");
        until.valueProperty().bindBidirectional(model.untilProperty());
        Button search = new Button("Search");
        search.setId("historySearch");
        search.setDefaultButton(true);
        search.setOnAction(event -> model.search());
        HBox box = new HBox(8, new Label("Tenant"), tenant, new Label("Pipeline"), pipeline, new Label("State"), state,
                new Label("From"), since, new Label("To"), until, search);
        box.setAlignment(Pos.CENTER_LEFT);
        box.setPadding(new Insets(8));
        box.getChildren().forEach(child -> {
            if (child instanceof Label label) {
                label.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            }
        });
        return box;
    }

    private Parent runsTable() {
        table.setId("historyTable");
        table.setItems(model.runs());
        table.setPlaceholder(new Label("No runs match"));
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.getColumns().add(column("Run", 200, RunSummary::runId));
        table.getColumns().add(column("Pipeline", 160, r -> r.tenant() + "/" + r.pipeline()));
        table.getColumns().add(column("State", 95, r -> r.state().name()));
        table.getColumns().add(column("Started", 150, r -> TIME.format(r.startedAt())));
        table.getColumns().add(column("Duration", 80, r -> r.duration().map(RunViewModel::formatDuration).orElse("")));
        table.getColumns().add(column("Rows", 80, r -> Long.toString(r.rows())));
        table.getColumns().add(column("Bytes", 90, r -> Long.toString(r.bytes())));
        table.getColumns().add(column("Version", 130, r -> r.pipelineVersion().orElse("")));
        table.getColumns().add(column("Error", 300, r -> r.errorMessage().orElse("")));
        table.setRowFactory(view -> new TableRow<>() {
            @Override
            protected void updateItem(RunSummary run, boolean empty) {
                super.updateItem(run, empty);
                getStyleClass().removeIf(c -> c.startsWith("state-"));
                if (!empty && run != null) {
                    getStyleClass().add(io.convergence.app.run.StateColors.styleClass(run.state()));
                }
            }
        });
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<RunSummary>) change -> {
            List<RunSummary> selected = table.getSelectionModel().getSelectedItems();
            if (selected.size() == 1) {
                model.select(selected.get(0));
            }
        });
        Button previous = new Button("< Newer");
        previous.setId("historyPrevious");
        previous.disableProperty().bind(model.hasPreviousProperty().not());
        previous.setOnAction(event -> model.previousPage());
        Button next = new Button("Older >");
        next.setId("historyNext");
        next.disableProperty().bind(model.hasNextProperty().not());
        next.setOnAction(event -> model.nextPage());
        Label page = new Label();
        page.setId("historyPage");
        page.textProperty().bind(model.pageTextProperty());
        Label message = new Label();
        message.setId("historyMessage");
        message.textProperty().bind(model.messageProperty());
        Button compare = new Button("Compare selected");
        compare.setId("compareButton");
        compare.disableProperty().bind(javafx.beans.binding.Bindings.size(table.getSelectionModel().getSelectedItems()).isNotEqualTo(2));
        compare.setOnAction(event -> {
            List<RunSummary> selected = List.copyOf(table.getSelectionModel().getSelectedItems());
            if (selected.size() == 2) {
                model.compare(selected.get(0), selected.get(1));
                detailTabs.getSelectionModel().select(1);
            }
        });
        HBox paging = new HBox(8, previous, next, page, message, compare);
        paging.setAlignment(Pos.CENTER_LEFT);
        paging.setPadding(new Insets(4, 8, 4, 8));
        VBox.setVgrow(table, Priority.ALWAYS);
        return new VBox(table, paging);
    }

    private Parent details() {
        detailTabs.setId("historyDetailTabs");
        detailTabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        Tab detail = new Tab("Run detail", detail());
        Tab compare = new Tab("Compare", compare());
        Tab charts = new Tab("Charts", charts());
        detailTabs.getTabs().addAll(detail, compare, charts);
        return detailTabs;
    }

    private Parent detail() {
        Label summary = new Label("Select a run");
        summary.setId("detailSummary");
        summary.setWrapText(true);
        TableView<StepRecord> steps = stepTable("detailSteps");
        TableView<StepRecord> partitions = stepTable("detailPartitions");
        TableView<CheckRecord> checks = new TableView<>();
        checks.setId("detailChecks");
        checks.getColumns().add(column("Step", 120, CheckRecord::stepId));
        checks.getColumns().add(column("Partition", 100, c -> c.partition().orElse("")));
        checks.getColumns().add(column("Check", 180, CheckRecord::checkName));
        checks.getColumns().add(column("Result", 70, c -> c.passed() ? "passed" : "FAILED"));
        checks.getColumns().add(column("Failing rows", 90, c -> Long.toString(c.failingRows())));
        checks.getColumns().add(column("Detail", 300, c -> c.detail().orElse("")));
        model.detailProperty().addListener((o, before, run) -> {
            summary.setText(run == null ? "Select a run" : describe(run));
            steps.getItems().setAll(run == null ? List.of() : run.steps());
            partitions.getItems().setAll(run == null ? List.of() : run.partitions());
            checks.getItems().setAll(run == null ? List.of() : run.checks());
        });
        TabPane parts = new TabPane(new Tab("Steps", steps), new Tab("Partitions", partitions), new Tab("Checks", checks));
        parts.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        VBox.setVgrow(parts, Priority.ALWAYS);
        VBox box = new VBox(6, summary, parts);
        box.setPadding(new Insets(6));
        return box;
    }

    static String describe(RunDetail run) {
        RunSummary s = run.summary();
        return s.runId() + "  " + s.tenant() + "/" + s.pipeline() + "  " + s.state() + "  on " + s.target()
                + "\nstarted " + TIME.format(s.startedAt()) + s.finishedAt().map(f -> ", finished " + TIME.format(f)).orElse("")
                + s.duration().map(d -> " (" + RunViewModel.formatDuration(d) + ")").orElse("")
                + "\n" + s.rows() + " rows, " + s.bytes() + " bytes; pipeline version " + s.pipelineVersion().orElse("?")
                + "; parameters " + new java.util.TreeMap<>(s.parameters())
                + s.resumedFrom().map(r -> "; resumed " + r).orElse("")
                + s.errorMessage().map(m -> "\nerror " + s.errorCode().orElse("") + ": " + m).orElse("");
    }

    private static TableView<StepRecord> stepTable(String id) {
        TableView<StepRecord> table = new TableView<>();
        table.setId(id);
        table.getColumns().add(column("Step", 140, StepRecord::stepId));
        table.getColumns().add(column("Partition", 100, r -> r.partition().orElse("")));
        table.getColumns().add(column("State", 95, r -> r.state().name()));
        table.getColumns().add(column("Attempt", 60, r -> Integer.toString(r.attempt())));
        table.getColumns().add(column("Rows", 80, r -> Long.toString(r.rows())));
        table.getColumns().add(column("Bytes", 90, r -> Long.toString(r.bytes())));
        table.getColumns().add(column("Started", 150, r -> r.startedAt().map(TIME::format).orElse("")));
        table.getColumns().add(column("Duration", 80, r -> r.duration().map(RunViewModel::formatDuration).orElse("")));
        table.getColumns().add(column("Error", 300, r -> r.errorMessage().orElse("")));
        return table;
    }

    private Parent compare() {
        TableView<Row> compare = new TableView<>();
        compare.setId("compareTable");
        compare.setPlaceholder(new Label("Select two runs and press 'Compare selected'"));
        TableColumn<Row, String> item = column("", 260, Row::item);
        TableColumn<Row, String> left = column("Run A", 220, Row::left);
        TableColumn<Row, String> right = column("Run B", 220, Row::right);
        compare.getColumns().add(item);
        compare.getColumns().add(left);
        compare.getColumns().add(right);
        compare.setRowFactory(view -> new TableRow<>() {
            @Override
            protected void updateItem(Row row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().remove("differs");
                if (!empty && row != null && row.differs()) {
                    getStyleClass().add("differs");
                }
            }
        });
        Label title = new Label();
        title.setId("compareTitle");
        model.comparisonProperty().addListener((o, before, comparison) -> {
            compare.getItems().setAll(comparison == null ? List.of() : comparison.rows());
            left.setText(comparison == null ? "Run A" : comparison.leftRunId());
            right.setText(comparison == null ? "Run B" : comparison.rightRunId());
            title.setText(comparison == null ? "" : comparison.differences() + " differences highlighted");
        });
        VBox.setVgrow(compare, Priority.ALWAYS);
        VBox box = new VBox(4, title, compare);
        box.setPadding(new Insets(6));
        return box;
    }

    private Parent charts() {
        LineChart<Number, Number> duration = chart("durationChart", "Duration (s)");
        LineChart<Number, Number> rows = chart("rowsChart", "Rows");
        Label title = new Label();
        title.setId("chartTitle");
        title.textProperty().bind(model.chartTitleProperty());
        model.chart().addListener((ListChangeListener<ChartPoint>) change -> {
            fill(duration, model.chart(), ChartPoint::durationSeconds);
            fill(rows, model.chart(), p -> p.rows());
        });
        HBox charts = new HBox(8, duration, rows);
        HBox.setHgrow(duration, Priority.ALWAYS);
        HBox.setHgrow(rows, Priority.ALWAYS);
        VBox.setVgrow(charts, Priority.ALWAYS);
        VBox box = new VBox(4, title, charts);
        box.setPadding(new Insets(6));
        return box;
    }

    private static LineChart<Number, Number> chart(String id, String label) {
        NumberAxis x = new NumberAxis();
        x.setForceZeroInRange(false);
        x.setLabel("Run start");
        x.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number value) {
                return DAY.format(Instant.ofEpochMilli(value.longValue()));
            }

            @Override
            public Number fromString(String text) {
                return 0;
            }
        });
        NumberAxis y = new NumberAxis();
        y.setLabel(label);
        LineChart<Number, Number> chart = new LineChart<>(x, y);
        chart.setId(id);
        chart.setLegendVisible(false);
        chart.setAnimated(false);
        chart.setCreateSymbols(true);
        chart.setTitle(label + " over time");
        return chart;
    }

    private static void fill(LineChart<Number, Number> chart, List<ChartPoint> points, ToDoubleFunction<ChartPoint> value) {
        XYChart.Series<Number, Number> series = new XYChart.Series<>();
        for (ChartPoint point : points) {
            series.getData().add(new XYChart.Data<>(point.startedAt().toEpochMilli(), value.applyAsDouble(point)));
        }
        chart.getData().setAll(List.of(series));
    }

    static <R> TableColumn<R, String> column(String title, double width, Function<R, String> value) {
        TableColumn<R, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return column;
    }
}
