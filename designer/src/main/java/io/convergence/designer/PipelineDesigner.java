package io.convergence.designer;

import static java.util.Objects.requireNonNull;

import io.convergence.designer.canvas.GraphCanvas;
import io.convergence.designer.inspector.InspectorView;
import io.convergence.designer.io.FileWatcher;
import io.convergence.designer.model.StepFactory;
import io.convergence.designer.task.TaskExecutor;
import io.convergence.engine.graph.Point;
import io.convergence.engine.graph.ProblemTargets;
import io.convergence.engine.validation.Problem;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Separator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The visual DAG designer as one reusable control: palette, canvas with minimap, inspector, problems list and a
 * toolbar, over a {@link DesignerViewModel}. Embed it anywhere a Region goes; {@link #editMenu()} gives a menu whose
 * items say what undo and redo will do. Controls carry ids for tests and styling ({@code #designerCanvas},
 * {@code #palette}, {@code #inspector}, {@code #designerProblems}, {@code #undoButton}, ...).
 */
public final class PipelineDesigner extends BorderPane {
    private final DesignerViewModel model;
    private final GraphCanvas canvas;
    private final InspectorView inspector;
    private final ListView<Problem> problemsList = new ListView<>();
    private Predicate<List<Problem>> confirmInvalidSave = PipelineDesigner::askToSaveInvalid;
    private FileWatcher watcher;

    public PipelineDesigner(DesignerViewModel model) {
        this.model = requireNonNull(model, "model is null");
        this.canvas = new GraphCanvas(model);
        this.inspector = new InspectorView(model);
        setId("pipelineDesigner");

        VBox palette = palette();
        VBox problems = problemsPane();
        SplitPane centre = new SplitPane(canvas, problems);
        centre.setOrientation(Orientation.VERTICAL);
        centre.setDividerPositions(0.8);
        SplitPane main = new SplitPane(palette, centre, inspector);
        main.setDividerPositions(0.12, 0.74);
        SplitPane.setResizableWithParent(palette, false);
        SplitPane.setResizableWithParent(inspector, false);

        setTop(new VBox(toolbar(), banner()));
        setCenter(main);
    }

    /** Opens a pipeline file: a designer over a fresh view model, loaded from disk. */
    public static PipelineDesigner open(java.nio.file.Path pipelineFile, TaskExecutor executor) {
        DesignerViewModel model = DesignerViewModel.forFile(pipelineFile, executor);
        model.open();
        return new PipelineDesigner(model);
    }

    public DesignerViewModel model() {
        return model;
    }

    public GraphCanvas canvas() {
        return canvas;
    }

    /** Replaces the dialog that asks before an invalid pipeline is saved (tests answer it themselves). */
    public void setConfirmInvalidSave(Predicate<List<Problem>> confirm) {
        this.confirmInvalidSave = requireNonNull(confirm, "confirm is null");
    }

    /** Saves, asking first when the pipeline has errors; true when it was written. */
    public boolean save() {
        DesignerViewModel.SaveOutcome outcome = model.save(false);
        if (outcome == DesignerViewModel.SaveOutcome.NEEDS_CONFIRMATION) {
            List<Problem> errors = model.problems().stream().filter(Problem::isError).toList();
            if (!confirmInvalidSave.test(errors)) {
                return false;
            }
            outcome = model.save(true);
        }
        return outcome == DesignerViewModel.SaveOutcome.SAVED;
    }

    /** Watches pipeline.yml and reloads on a change made outside (another editor, git checkout). */
    public void startWatching() {
        if (watcher == null) {
            watcher = FileWatcher.start(model.file(), () -> Platform.runLater(model::checkForExternalChange));
        }
    }

    public void stopWatching() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    /** An Edit menu for the host's menu bar; the undo and redo items name what they will do. */
    public Menu editMenu() {
        MenuItem undo = new MenuItem();
        undo.textProperty().bind(Bindings.createStringBinding(() -> label("Undo", model.commands().undoDescriptionProperty().get()),
                model.commands().undoDescriptionProperty()));
        undo.setAccelerator(KeyCombination.keyCombination("Shortcut+Z"));
        undo.disableProperty().bind(model.commands().canUndoProperty().not());
        undo.setOnAction(e -> model.undo());
        MenuItem redo = new MenuItem();
        redo.textProperty().bind(Bindings.createStringBinding(() -> label("Redo", model.commands().redoDescriptionProperty().get()),
                model.commands().redoDescriptionProperty()));
        redo.setAccelerator(KeyCombination.keyCombination("Shortcut+Y"));
        redo.disableProperty().bind(model.commands().canRedoProperty().not());
        redo.setOnAction(e -> model.redo());
        MenuItem copy = new MenuItem("Copy");
        copy.setOnAction(e -> model.copySelection());
        MenuItem paste = new MenuItem("Paste");
        paste.setOnAction(e -> model.paste());
        MenuItem delete = new MenuItem("Delete");
        delete.setOnAction(e -> model.deleteSelection());
        MenuItem all = new MenuItem("Select All");
        all.setOnAction(e -> model.selectAll());
        Menu menu = new Menu("Edit", null, undo, redo, new SeparatorMenuItem(), copy, paste, delete, new SeparatorMenuItem(), all);
        menu.setId("designerEditMenu");
        return menu;
    }

    static String label(String verb, String description) {
        return description.isEmpty() ? verb : verb + " " + description;
    }

    private ToolBar toolbar() {
        Button undo = button("undoButton", "Undo", e -> model.undo());
        undo.disableProperty().bind(model.commands().canUndoProperty().not());
        undo.tooltipProperty().bind(Bindings.createObjectBinding(
                () -> new Tooltip(label("Undo", model.commands().undoDescriptionProperty().get()) + " (Ctrl+Z)"),
                model.commands().undoDescriptionProperty()));
        Button redo = button("redoButton", "Redo", e -> model.redo());
        redo.disableProperty().bind(model.commands().canRedoProperty().not());
        redo.tooltipProperty().bind(Bindings.createObjectBinding(
                () -> new Tooltip(label("Redo", model.commands().redoDescriptionProperty().get()) + " (Ctrl+Y)"),
                model.commands().redoDescriptionProperty()));
        Label undoLabel = new Label();
        undoLabel.setId("undoDescription");
        undoLabel.textProperty().bind(Bindings.createStringBinding(
                () -> model.commands().undoDescriptionProperty().get().isEmpty() ? "" : "Undo: " + model.commands().undoDescriptionProperty().get(),
                model.commands().undoDescriptionProperty()));
        undoLabel.setStyle("-fx-text-fill: #475569;");
        Button save = button("saveButton", "Save", e -> save());
        save.disableProperty().bind(model.editableProperty().not());
        Button delete = button("deleteButton", "Delete", e -> model.deleteSelection());
        Button layout = button("layoutButton", "Auto layout", e -> {
            model.autoLayout();
            canvas.fitToView();
        });
        Button fit = button("fitButton", "Fit", e -> canvas.fitToView());
        Button zoomIn = button("zoomInButton", "+", e -> canvas.zoom(1.25));
        Button zoomOut = button("zoomOutButton", "\u2212", e -> canvas.zoom(1 / 1.25));
        Label dirty = new Label();
        dirty.setId("dirtyLabel");
        dirty.textProperty().bind(Bindings.when(model.commands().dirtyProperty()).then("\u25cf unsaved changes").otherwise(""));
        dirty.setStyle("-fx-text-fill: #b45309;");
        Label status = new Label();
        status.setId("designerStatus");
        status.textProperty().bind(Bindings.createStringBinding(
                () -> canvas.connectionFeedbackProperty().get().isEmpty() ? model.statusProperty().get() : canvas.connectionFeedbackProperty().get(),
                canvas.connectionFeedbackProperty(), model.statusProperty()));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        ToolBar bar = new ToolBar(save, new Separator(), undo, redo, undoLabel, new Separator(), delete, layout, fit, zoomOut, zoomIn,
                grow, status, dirty);
        bar.setId("designerToolbar");
        return bar;
    }

    private HBox banner() {
        Label text = new Label();
        text.setId("designerBannerText");
        text.textProperty().bind(model.bannerProperty());
        text.setWrapText(true);
        Button reload = button("designerReloadButton", "Reload", e -> model.reloadFromDisk());
        reload.visibleProperty().bind(model.reloadOfferedProperty());
        reload.managedProperty().bind(model.reloadOfferedProperty());
        HBox banner = new HBox(8, text, reload);
        banner.setId("designerBanner");
        banner.setAlignment(Pos.CENTER_LEFT);
        banner.setPadding(new Insets(4, 8, 4, 8));
        banner.setStyle("-fx-background-color: #fef3c7;");
        banner.visibleProperty().bind(model.bannerProperty().isNotEmpty());
        banner.managedProperty().bind(banner.visibleProperty());
        return banner;
    }

    private VBox palette() {
        Label title = new Label("Add step");
        title.setStyle("-fx-font-weight: bold;");
        VBox box = new VBox(6, title);
        for (String type : StepFactory.TYPES) {
            Button add = button("palette" + Character.toUpperCase(type.charAt(0)) + type.substring(1), type, e -> addAtCentre(type));
            add.setMaxWidth(Double.MAX_VALUE);
            add.setStyle("-fx-background-color: " + io.convergence.engine.graph.GraphStyle.of(type).fill() + "; -fx-border-color: "
                    + io.convergence.engine.graph.GraphStyle.of(type).border() + "; -fx-border-radius: 4; -fx-background-radius: 4;");
            add.setTooltip(new Tooltip("Add a " + type + " step"));
            box.getChildren().add(add);
        }
        box.setId("palette");
        box.setPadding(new Insets(8));
        box.setMinWidth(110);
        box.disableProperty().bind(model.editableProperty().not());
        return box;
    }

    private void addAtCentre(String type) {
        double width = canvas.getWidth() <= 0 ? 800 : canvas.getWidth();
        double height = canvas.getHeight() <= 0 ? 600 : canvas.getHeight();
        Point centre = canvas.viewport().toGraph(width / 2, height / 2);
        // a little cascade, so several new steps do not land on top of each other
        int count = model.pipeline().steps().size() % 8;
        model.addStep(type, new Point(Math.round(centre.x() - 100 + count * 24), Math.round(centre.y() - 28 + count * 24)));
        canvas.requestFocus();
    }

    private VBox problemsPane() {
        Label title = new Label();
        title.setId("designerProblemsTitle");
        title.textProperty().bind(Bindings.createStringBinding(() -> "Problems (" + model.problems().size() + ")", model.problems()));
        problemsList.setId("designerProblems");
        problemsList.setItems(model.problems());
        problemsList.setCellFactory(view -> new ListCell<>() {
            @Override
            protected void updateItem(Problem problem, boolean empty) {
                super.updateItem(problem, empty);
                if (empty || problem == null) {
                    setText(null);
                    setStyle("");
                    return;
                }
                String step = ProblemTargets.stepOf(model.pipeline(), problem).map(id -> id + ": ").orElse("");
                setText(problem.severity().name().toLowerCase(Locale.ROOT) + " " + problem.code().id() + "  " + step + problem.message()
                        + where(problem));
                setStyle(problem.isError() ? "-fx-text-fill: #b91c1c;" : "-fx-text-fill: #92400e;");
                setTooltip(problem.hint().isEmpty() ? null : new Tooltip(problem.hint()));
            }
        });
        problemsList.getSelectionModel().selectedItemProperty().addListener((o, before, problem) -> {
            if (problem != null) {
                ProblemTargets.stepOf(model.pipeline(), problem).ifPresent(id -> {
                    model.selection().select(id);
                    canvas.reveal(id);
                });
            }
        });
        VBox box = new VBox(4, title, problemsList);
        VBox.setVgrow(problemsList, Priority.ALWAYS);
        box.setPadding(new Insets(4));
        return box;
    }

    private static Button button(String id, String text, javafx.event.EventHandler<javafx.event.ActionEvent> action) {
        Button button = new Button(text);
        button.setId(id);
        button.setOnAction(action);
        button.setFocusTraversable(false);
        return button;
    }

    private static boolean askToSaveInvalid(List<Problem> errors) {
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "The pipeline has " + errors.size()
                + (errors.size() == 1 ? " error" : " errors") + ". It will not run until they are fixed. Save anyway?",
                ButtonType.CANCEL, ButtonType.OK);
        alert.setHeaderText("Save an invalid pipeline?");
        return alert.showAndWait().filter(ButtonType.OK::equals).isPresent();
    }

    /**
     * " (sql/customers.sql:24:13)" for a problem in a file beside pipeline.yml (SQL, schemas, checks); empty for one in
     * pipeline.yml itself, whose positions refer to the text validation wrote from the model, not to the file.
     */
    private String where(Problem problem) {
        java.nio.file.Path file = problem.location().file();
        java.nio.file.Path dir = model.file().toAbsolutePath().getParent();
        if (problem.location().line() == 0 || file.equals(model.file().toAbsolutePath()) || dir == null || !file.startsWith(dir)) {
            return "";
        }
        return "  (" + dir.relativize(file).toString().replace('\\', '/') + ":" + problem.location().line() + ":"
                + problem.location().column() + ")";
    }
}
