package io.convergence.designer.inspector;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.designer.DesignerViewModel;
import io.convergence.engine.config.ModelBinder;
import io.convergence.engine.config.PipelineWriter;
import io.convergence.engine.config.YamlReader;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.schema.SchemaGenerator;
import io.convergence.engine.schema.SchemaKind;
import io.convergence.engine.sql.analysis.SqlColumn;
import io.convergence.engine.validation.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javafx.collections.SetChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * The property form of the selected step, generated from the pipeline JSON Schema (the same schema
 * {@code convergence schema} prints): a text field, check box or choice per property, nested records as sections,
 * descriptions as tooltips, and the SQL text of a transform. A change is bound through the engine's binder (so the
 * form accepts exactly what a YAML file would) and applied as one command; a value the binder refuses is shown
 * with its reason and not applied.
 */
public final class InspectorView extends ScrollPane {
    private static final Dump YAML = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
            .setIndicatorIndent(2).setIndentWithIndicator(true).setSplitLines(false).build());
    private static final Dump FLOW_YAML = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.FLOW).setSplitLines(false).build());

    private final DesignerViewModel model;
    private final ObjectNode schema;
    private final VBox content = new VBox(8);
    private final Label error = new Label();
    private final VBox columnsBox = new VBox(2);
    private TextArea sqlArea;
    private Step shown;

    public InspectorView(DesignerViewModel model) {
        this.model = requireNonNull(model, "model is null");
        this.schema = new SchemaGenerator().generateTree(SchemaKind.PIPELINE);
        setId("inspector");
        setFitToWidth(true);
        setPrefWidth(320);
        content.setPadding(new Insets(8));
        error.setId("inspectorError");
        error.setWrapText(true);
        error.setStyle("-fx-text-fill: #dc2626;");
        setContent(content);
        model.selection().steps().addListener((SetChangeListener<String>) change -> refresh());
        model.commands().stateProperty().addListener((o, a, b) -> refresh());
        model.columnsProperty().addListener((o, a, b) -> showColumns());
        columnsBox.setId("inspectorColumnsBox");
        refresh();
    }

    /** Rebuilds the form when the selected step changed; keeps it (and the focus) when it did not. */
    private void refresh() {
        String id = model.selection().single();
        Step step = id == null ? null : model.pipeline().step(id).orElse(null);
        if (step != null && step.equals(shown) && !content.getChildren().isEmpty()) {
            syncSql();
            return;
        }
        shown = step;
        content.getChildren().clear();
        sqlArea = null;
        error.setText("");
        if (step == null) {
            Label hint = new Label(model.selection().steps().size() > 1
                    ? model.selection().steps().size() + " steps selected" : "Select a step to edit its properties.");
            hint.setId("inspectorPlaceholder");
            hint.setWrapText(true);
            content.getChildren().add(hint);
            return;
        }
        Label title = new Label(step.id() + "  (" + step.typeName() + ")");
        title.setId("inspectorTitle");
        title.setStyle("-fx-font-weight: bold; -fx-font-size: 13px;");
        content.getChildren().addAll(title, error);
        JsonNode definition = definition(step.getClass().getSimpleName());
        Map<String, Object> values = plain(step);
        GridPane grid = new GridPane();
        grid.setHgap(6);
        grid.setVgap(4);
        addFields(grid, new int[] {0}, definition, values, List.of());
        content.getChildren().add(grid);
        if (step instanceof TransformStep transform) {
            content.getChildren().add(sqlEditor(transform));
        }
        if (step instanceof TransformStep || step instanceof IngestStep) {
            content.getChildren().add(columnsBox);
            showColumns();
        }
    }

    /**
     * After an undo or redo of a SQL edit the step is unchanged but its SQL text is not: the text box shows the text
     * the design holds, unless the user is typing in it.
     */
    private void syncSql() {
        if (sqlArea != null && shown instanceof TransformStep transform && !sqlArea.isFocused()) {
            String current = model.sqlText(transform.sql());
            if (!current.equals(sqlArea.getText())) {
                sqlArea.setText(current);
            }
        }
    }

    /**
     * The columns the selected step writes, as the last validation knew them (schema file, or BigQuery's analysis of
     * the query); updated after every validation without rebuilding the form, so typing keeps its focus.
     */
    private void showColumns() {
        columnsBox.getChildren().clear();
        if (shown == null) {
            return;
        }
        Label heading = new Label("Result columns");
        heading.setStyle("-fx-font-weight: bold;");
        columnsBox.getChildren().add(heading);
        List<SqlColumn> columns = model.columnsProperty().get().get(shown.id());
        if (columns == null) {
            Label unknown = new Label(shown instanceof TransformStep
                    ? "Not known: the query does not analyze, or reads a table no step of this pipeline writes."
                    : "Not known: the schema file does not load.");
            unknown.setId("inspectorColumnsUnknown");
            unknown.setWrapText(true);
            unknown.setStyle("-fx-text-fill: #6b7280;");
            columnsBox.getChildren().add(unknown);
            return;
        }
        GridPane grid = new GridPane();
        grid.setId("inspectorColumns");
        grid.setHgap(12);
        grid.setVgap(2);
        for (int i = 0; i < columns.size(); i++) {
            Label name = new Label(columns.get(i).name());
            name.setStyle("-fx-font-family: monospace;");
            Label type = new Label(columns.get(i).type());
            type.setStyle("-fx-font-family: monospace; -fx-text-fill: #6b7280;");
            grid.addRow(i, name, type);
        }
        columnsBox.getChildren().add(grid);
    }

    private JsonNode definition(String name) {
        return schema.path("$defs").path(name);
    }

    private void addFields(GridPane grid, int[] row, JsonNode definition, Map<String, Object> values, List<String> path) {
        Set<String> required = new HashSet<>();
        definition.path("required").forEach(r -> required.add(r.asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = definition.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            String key = property.getKey();
            JsonNode spec = property.getValue();
            if (key.equals("type") && spec.has("const")) {
                continue;
            }
            List<String> fieldPath = new ArrayList<>(path);
            fieldPath.add(key);
            Object value = values == null ? null : values.get(key);
            String ref = spec.path("$ref").asText("");
            if (!ref.isEmpty()) {
                Label section = new Label(key + (required.contains(key) ? " *" : ""));
                section.setStyle("-fx-font-weight: bold; -fx-padding: 6 0 0 0;");
                grid.add(section, 0, row[0]++, 2, 1);
                @SuppressWarnings("unchecked")
                Map<String, Object> nested = value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
                addFields(grid, row, definition(ref.substring(ref.lastIndexOf('/') + 1)), nested, fieldPath);
                continue;
            }
            Label label = new Label(key + (required.contains(key) ? " *" : ""));
            label.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            Control editor = editor(spec, value, fieldPath);
            String description = spec.path("description").asText("");
            if (!description.isEmpty()) {
                label.setTooltip(new Tooltip(description));
                editor.setTooltip(new Tooltip(description));
            }
            GridPane.setHgrow(editor, Priority.ALWAYS);
            editor.setMaxWidth(Double.MAX_VALUE);
            grid.add(label, 0, row[0]);
            grid.add(editor, 1, row[0]++);
        }
    }

    private Control editor(JsonNode spec, Object value, List<String> path) {
        String id = "inspector-" + String.join("-", path);
        if (spec.has("enum")) {
            ComboBox<String> choice = new ComboBox<>();
            spec.path("enum").forEach(v -> choice.getItems().add(v.asText()));
            choice.setValue(value == null ? spec.path("default").asText(null) : String.valueOf(value));
            choice.setId(id);
            choice.setOnAction(e -> commit(path, choice.getValue()));
            return choice;
        }
        if (spec.path("type").asText().equals("boolean")) {
            CheckBox check = new CheckBox();
            check.setSelected(value == null ? spec.path("default").asBoolean(false) : Boolean.TRUE.equals(value));
            check.setId(id);
            check.setOnAction(e -> commit(path, check.isSelected()));
            return check;
        }
        boolean list = spec.path("type").asText().equals("array") && !spec.path("items").has("$ref");
        if (value instanceof List<?> || value instanceof Map<?, ?>) {
            if (list) {
                TextField field = textField(id, ((List<?>) value).stream().map(String::valueOf).collect(Collectors.joining(", ")));
                onCommit(field, () -> commit(path, splitList(field.getText())));
                return field;
            }
            TextArea area = new TextArea(YAML.dumpToString(value));
            area.setId(id);
            area.setPrefRowCount(6);
            area.setStyle("-fx-font-family: monospace;");
            onCommit(area, () -> commitYaml(path, area.getText()));
            return area;
        }
        TextField field = textField(id, value == null ? "" : String.valueOf(value));
        if (spec.has("default")) {
            // a default the YAML leaves out: shown as a hint, so an empty field still says what applies
            field.setPromptText(spec.path("default").asText());
        }
        if (list) {
            onCommit(field, () -> commit(path, splitList(field.getText())));
        } else if (spec.path("type").asText().equals("integer") || spec.has("oneOf")) {
            onCommit(field, () -> commit(path, scalar(field.getText())));
        } else {
            onCommit(field, () -> commit(path, field.getText().isEmpty() ? null : field.getText()));
        }
        return field;
    }

    private static TextField textField(String id, String text) {
        TextField field = new TextField(text);
        field.setId(id);
        return field;
    }

    /** Commits on Enter and when the field loses focus with a changed text. */
    private void onCommit(TextInputControl control, Runnable commit) {
        String[] last = {control.getText()};
        Runnable guarded = () -> {
            if (!control.getText().equals(last[0])) {
                last[0] = control.getText();
                commit.run();
            }
        };
        if (control instanceof TextField field) {
            field.setOnAction(e -> guarded.run());
        }
        control.focusedProperty().addListener((o, was, is) -> {
            if (!is) {
                guarded.run();
            }
        });
    }

    private static Object scalar(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        if (trimmed.matches("-?\\d{1,18}")) {
            return Long.parseLong(trimmed);
        }
        return trimmed;
    }

    private static List<String> splitList(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private void commitYaml(List<String> path, String text) {
        Object value;
        try {
            value = new Load(LoadSettings.builder().build()).loadFromString(text);
        } catch (RuntimeException e) {
            error.setText(path.get(path.size() - 1) + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        commit(path, value);
    }

    /** Binds the step with {@code path} set to {@code value} and applies it, or shows why it cannot be. */
    private void commit(List<String> path, Object value) {
        if (shown == null) {
            return;
        }
        Map<String, Object> values = plain(shown);
        set(values, path, value);
        String text = FLOW_YAML.dumpToString(values);
        ModelBinder.Bound<Step> bound = ModelBinder.bind(YamlReader.parse(text, model.file()), Step.class);
        List<Problem> errors = bound.problems().stream().filter(Problem::isError).toList();
        if (bound.value().isEmpty() || !errors.isEmpty()) {
            error.setText(errors.isEmpty() ? "this value is not accepted"
                    : errors.stream().map(p -> String.join(".", path) + ": " + p.message()).distinct().collect(Collectors.joining("\n")));
            return;
        }
        error.setText("");
        Step before = shown;
        if (!bound.value().get().equals(before)) {
            if (!model.editStep(before.id(), bound.value().get())) {
                error.setText(model.statusProperty().get());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> values, List<String> path, Object value) {
        Map<String, Object> current = values;
        for (int i = 0; i < path.size() - 1; i++) {
            Object next = current.get(path.get(i));
            if (!(next instanceof Map<?, ?>)) {
                next = new LinkedHashMap<String, Object>();
                current.put(path.get(i), next);
            }
            current = (Map<String, Object>) next;
        }
        String key = path.get(path.size() - 1);
        if (value == null || value instanceof List<?> list && list.isEmpty()) {
            current.remove(key);
        } else {
            current.put(key, value);
        }
    }

    /** The step as maps and lists, exactly as it would be written to YAML. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> plain(Step step) {
        Object loaded = new Load(LoadSettings.builder().build()).loadFromString(PipelineWriter.toYaml((Record) step));
        return deepCopy((Map<String, Object>) loaded);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v));
        return out;
    }

    private VBox sqlEditor(TransformStep step) {
        Label label = new Label("SQL  (" + step.sql() + ")");
        label.setStyle("-fx-font-weight: bold; -fx-padding: 6 0 0 0;");
        TextArea sql = new TextArea(model.sqlText(step.sql()));
        sql.setId("inspectorSql");
        sqlArea = sql;
        sql.setPrefRowCount(12);
        sql.setWrapText(false);
        sql.setStyle("-fx-font-family: monospace;");
        Supplier<String> path = step::sql;
        Button apply = new Button("Apply SQL");
        apply.setId("inspectorSqlApply");
        apply.setOnAction(e -> model.setSql(path.get(), sql.getText()));
        sql.focusedProperty().addListener((o, was, is) -> {
            if (!is) {
                model.setSql(path.get(), sql.getText());
            }
        });
        VBox box = new VBox(4, label, sql, apply);
        VBox.setVgrow(sql, Priority.ALWAYS);
        return box;
    }
}
