package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import io.convergence.app.run.StateColors;
import io.convergence.app.ui.WorkspaceViewModel.PipelineItem;
import io.convergence.app.ui.WorkspaceViewModel.ProblemItem;
import io.convergence.app.ui.WorkspaceViewModel.State;
import io.convergence.app.ui.WorkspaceViewModel.TenantItem;
import io.convergence.designer.PipelineDesigner;
import io.convergence.engine.run.RunState;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.collections.FXCollections;
import javafx.collections.MapChangeListener;
import javafx.collections.ObservableMap;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Separator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import javafx.scene.text.TextAlignment;
import javafx.stage.Window;
import javafx.stage.WindowEvent;

/**
 * The main window's content: workspace explorer on the left, pipeline tabs in the centre (each with the visual
 * designer and a details view), problems
 * below them, a status bar at the bottom, and an empty state with "Open workspace..." when no
 * workspace is open. Every control that matters has an id ({@code #workspaceTree},
 * {@code #pipelineTabs}, {@code #problemsList}, {@code #statusBar}, ...) for tests and styling.
 */
public final class MainView {
    /** A node of the explorer tree. */
    public record ExplorerNode(Kind kind, String label, String qualifiedName, boolean hasErrors) {
        /** What the node stands for. */
        public enum Kind { WORKSPACE, TENANT, PIPELINE }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Tab property holding the pipeline designer's Edit menu, shown while that tab is selected. */
    private static final String EDIT_MENU = "convergence.editMenu";

    private final WorkspaceViewModel model;
    private final WorkspaceChooser chooser;
    private final BorderPane root = new BorderPane();
    private final TreeView<ExplorerNode> tree = new TreeView<>();
    private final TabPane tabs = new TabPane();
    private final Menu noDesignerEdit = new Menu("Edit");
    private Menu shownEdit = noDesignerEdit;
    private final ListView<ProblemItem> problemsList = new ListView<>();
    private final MenuBar menus;
    private HBox statusBar;
    // last run state per pipeline, shown as a dot in the explorer; filled by the app shell
    private ObservableMap<String, RunState> pipelineStatus = FXCollections.observableHashMap();

    public MainView(WorkspaceViewModel model, WorkspaceChooser chooser) {
        this.model = requireNonNull(model, "model is null");
        this.chooser = requireNonNull(chooser, "chooser is null");

        root.setId("mainWindow");
        root.getStylesheets().add(requireNonNull(MainView.class.getResource("convergence.css"), "convergence.css").toExternalForm());
        menus = menuBar();
        root.setTop(menus);

        SplitPane workspacePane = new SplitPane(explorer(), centre());
        workspacePane.setId("workspacePane");
        workspacePane.setDividerPositions(0.22);
        Parent empty = emptyState();

        BooleanBinding showEmpty = Bindings.createBooleanBinding(
                () -> model.stateProperty().get() == State.EMPTY || model.stateProperty().get() == State.FAILED,
                model.stateProperty());
        empty.visibleProperty().bind(showEmpty);
        workspacePane.visibleProperty().bind(showEmpty.not());
        root.setCenter(new StackPane(workspacePane, empty));
        root.setBottom(statusBar());

        model.tenantsProperty().addListener((observable, before, after) -> refresh(after));
        refresh(model.tenantsProperty().get());
    }

    public Parent root() {
        return root;
    }

    /** The menu bar, for the shell to add its menus. */
    public MenuBar menus() {
        return menus;
    }

    /** The centre tab pane: pipeline tabs, and the shell's run, locks, history and health tabs. */
    public TabPane tabs() {
        return tabs;
    }

    public TreeView<ExplorerNode> tree() {
        return tree;
    }

    /** The pipeline selected in the explorer, else the one whose tab is selected. */
    public Optional<String> selectedPipeline() {
        TreeItem<ExplorerNode> selected = tree.getSelectionModel().getSelectedItem();
        if (selected != null && selected.getValue().kind() == ExplorerNode.Kind.PIPELINE) {
            return Optional.of(selected.getValue().qualifiedName());
        }
        Tab tab = tabs.getSelectionModel().getSelectedItem();
        return tab != null && tab.getUserData() instanceof String name && model.pipeline(name).isPresent()
                ? Optional.of(name) : Optional.empty();
    }

    /** Adds a node to the status bar, before the message. */
    public void addStatusItem(Node item) {
        statusBar.getChildren().add(statusBar.getChildren().size() - 3, item);
    }

    /** Shows each pipeline's last run state (by {@code tenant/pipeline}) as a coloured dot in the explorer. */
    public void setPipelineStatus(ObservableMap<String, RunState> status) {
        pipelineStatus = requireNonNull(status, "status is null");
        status.addListener((MapChangeListener<String, RunState>) change -> tree.refresh());
        tree.refresh();
    }

    /** Opens the pipeline's tab, or selects it when it is open already. */
    public void openPipeline(String qualifiedName) {
        for (Tab tab : tabs.getTabs()) {
            if (qualifiedName.equals(tab.getUserData())) {
                tabs.getSelectionModel().select(tab);
                return;
            }
        }
        model.openPipeline(qualifiedName).ifPresent(pipeline -> {
            PipelineDesigner designer = PipelineDesigner.open(pipeline.file(), pipeline.executor());
            designer.startWatching();
            Tab design = new Tab("Design", designer);
            design.setClosable(false);
            Tab details = new Tab("Details", new PipelineView(pipeline).root());
            details.setClosable(false);
            TabPane views = new TabPane(design, details);
            views.setId("pipelineViews");
            views.setSide(javafx.geometry.Side.BOTTOM);
            Tab tab = new Tab(pipeline.title(), views);
            tab.getProperties().put(EDIT_MENU, designer.editMenu());
            tab.setOnClosed(event -> designer.stopWatching());
            tab.setUserData(qualifiedName);
            tab.setTooltip(new Tooltip(qualifiedName));
            tabs.getTabs().add(tab);
            tabs.getSelectionModel().select(tab);
        });
    }

    /** Asks for a workspace folder and opens it. */
    public void chooseWorkspace() {
        Optional<Path> current = Optional.ofNullable(model.rootProperty().get());
        chooser.choose(root.getScene() == null ? null : root.getScene().getWindow(), current).ifPresent(model::open);
    }

    private MenuBar menuBar() {
        MenuItem open = new MenuItem("Open Workspace...");
        open.setId("openWorkspaceMenuItem");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(event -> chooseWorkspace());
        MenuItem reload = new MenuItem("Reload Workspace");
        reload.setId("reloadMenuItem");
        reload.setAccelerator(KeyCombination.keyCombination("F5"));
        reload.disableProperty().bind(model.rootProperty().isNull());
        reload.setOnAction(event -> model.reload());
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setId("quitMenuItem");
        // a close request, not hide(): the app asks about runs in flight before closing
        quit.setOnAction(event -> {
            if (root.getScene() != null) {
                Window window = root.getScene().getWindow();
                window.fireEvent(new WindowEvent(window, WindowEvent.WINDOW_CLOSE_REQUEST));
            }
        });
        MenuBar bar = new MenuBar(new Menu("File", null, open, reload, new SeparatorMenuItem(), quit), noDesignerEdit);
        bar.setId("menuBar");
        noDesignerEdit.setId("editMenu");
        noDesignerEdit.setDisable(true);
        // the Edit menu is the selected pipeline's designer's own (undo and redo name what they do), else a disabled one
        tabs.getSelectionModel().selectedItemProperty().addListener((obs, was, tab) -> {
            Menu edit = tab != null && tab.getProperties().get(EDIT_MENU) instanceof Menu designerEdit ? designerEdit : noDesignerEdit;
            int at = bar.getMenus().indexOf(shownEdit);
            if (at >= 0 && edit != shownEdit) {
                bar.getMenus().set(at, edit);
                shownEdit = edit;
            }
        });
        return bar;
    }

    private Parent explorer() {
        tree.setId("workspaceTree");
        tree.setShowRoot(true);
        tree.setCellFactory(view -> new TreeCell<>() {
            @Override
            protected void updateItem(ExplorerNode item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeAll("explorer-workspace", "explorer-tenant", "explorer-pipeline", "has-errors");
                if (empty || item == null) {
                    setText(null);
                    setGraphic(null);
                    setTooltip(null);
                    return;
                }
                setText(item.label());
                RunState last = item.kind() == ExplorerNode.Kind.PIPELINE ? pipelineStatus.get(item.qualifiedName()) : null;
                setGraphic(last == null ? null : statusDot(item.qualifiedName(), last));
                getStyleClass().add("explorer-" + item.kind().name().toLowerCase(Locale.ROOT));
                if (item.hasErrors()) {
                    getStyleClass().add("has-errors");
                }
                setTooltip(item.qualifiedName() == null ? null
                        : new Tooltip(item.qualifiedName() + (last == null ? "" : "\nlast run: " + last)));
            }
        });
        tree.setOnMouseClicked(event -> {
            if (event.getButton() == MouseButton.PRIMARY && event.getClickCount() == 2) {
                openSelectedPipeline();
            }
        });
        tree.setOnKeyPressed(event -> {
            if (event.getCode() == KeyCode.ENTER) {
                openSelectedPipeline();
            }
        });
        Label title = new Label("Workspace");
        title.getStyleClass().add("pane-title");
        VBox.setVgrow(tree, Priority.ALWAYS);
        VBox box = new VBox(title, tree);
        box.setMinWidth(180);
        return box;
    }

    private Parent centre() {
        tabs.setId("pipelineTabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.ALL_TABS);
        Label hint = new Label("Double-click a pipeline in the explorer to open it.");
        hint.getStyleClass().add("placeholder");
        StackPane tabArea = new StackPane(hint, tabs);
        tabs.visibleProperty().bind(Bindings.isNotEmpty(tabs.getTabs()));

        problemsList.setId("problemsList");
        problemsList.setItems(model.problems());
        problemsList.setPlaceholder(new Label("No problems"));
        problemsList.setCellFactory(view -> new ListCell<>() {
            @Override
            protected void updateItem(ProblemItem item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeAll("problem-error", "problem-warning", "problem-info");
                if (empty || item == null) {
                    setText(null);
                    setTooltip(null);
                    return;
                }
                String severity = item.severity().name().toLowerCase(Locale.ROOT);
                setText(severity + " " + item.code() + "  " + item.location() + ": " + item.message());
                getStyleClass().add("problem-" + severity);
                setTooltip(item.hint().isEmpty() ? null : new Tooltip("hint: " + item.hint()));
            }
        });
        problemsList.setOnMouseClicked(event -> {
            if (event.getButton() == MouseButton.PRIMARY && event.getClickCount() == 2) {
                showProblem(problemsList.getSelectionModel().getSelectedItem());
            }
        });
        problemsList.setOnKeyPressed(event -> {
            if (event.getCode() == KeyCode.ENTER) {
                showProblem(problemsList.getSelectionModel().getSelectedItem());
            }
        });
        Label problemsTitle = new Label();
        problemsTitle.setId("problemsTitle");
        problemsTitle.getStyleClass().add("pane-title");
        problemsTitle.textProperty().bind(Bindings.createStringBinding(
                () -> "Problems (" + counts() + ")", model.errorCountProperty(), model.warningCountProperty()));
        VBox.setVgrow(problemsList, Priority.ALWAYS);
        VBox problems = new VBox(problemsTitle, problemsList);

        SplitPane split = new SplitPane(tabArea, problems);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.75);
        return split;
    }

    private Parent emptyState() {
        Label title = new Label();
        title.setId("emptyTitle");
        title.textProperty().bind(Bindings.when(model.stateProperty().isEqualTo(State.FAILED))
                .then("The workspace could not be opened").otherwise("No workspace open"));
        title.getStyleClass().add("empty-title");
        Label message = new Label();
        message.setId("emptyMessage");
        message.setWrapText(true);
        message.setTextAlignment(TextAlignment.CENTER);
        message.textProperty().bind(model.messageProperty());
        message.visibleProperty().bind(model.messageProperty().isNotEmpty());
        message.managedProperty().bind(message.visibleProperty());
        Label explanation = new Label("A workspace is a folder with workspace.yml and tenants/<tenant>/pipelines/."
                + "\nStart with --workspace DIR, set CONVERGENCE_WORKSPACE, or open one here.");
        explanation.setWrapText(true);
        explanation.setTextAlignment(TextAlignment.CENTER);
        Button open = new Button("Open workspace...");
        open.setId("openWorkspaceButton");
        open.setDefaultButton(true);
        open.setOnAction(event -> chooseWorkspace());
        Button retry = new Button("Try again");
        retry.setId("retryButton");
        retry.visibleProperty().bind(model.stateProperty().isEqualTo(State.FAILED));
        retry.managedProperty().bind(retry.visibleProperty());
        retry.setOnAction(event -> model.reload());
        HBox buttons = new HBox(10, open, retry);
        buttons.setAlignment(Pos.CENTER);
        VBox box = new VBox(14, title, message, explanation, buttons);
        box.setId("emptyState");
        box.setAlignment(Pos.CENTER);
        box.setPadding(new Insets(40));
        box.setMaxWidth(640);
        return box;
    }

    private Parent statusBar() {
        Label workspace = new Label();
        workspace.setId("statusWorkspace");
        workspace.textProperty().bind(Bindings.createStringBinding(
                () -> model.rootProperty().get() == null ? "No workspace" : model.rootProperty().get().toString(),
                model.rootProperty()));
        Label target = new Label();
        target.setId("statusTarget");
        target.textProperty().bind(Bindings.createStringBinding(
                () -> model.defaultTargetProperty().get().isEmpty() ? "" : "Target: " + model.defaultTargetProperty().get(),
                model.defaultTargetProperty()));
        Label problems = new Label();
        problems.setId("statusProblems");
        problems.textProperty().bind(Bindings.createStringBinding(this::counts,
                model.errorCountProperty(), model.warningCountProperty()));
        // Counts and target mean nothing before a workspace has loaded.
        target.visibleProperty().bind(model.stateProperty().isEqualTo(State.LOADED));
        problems.visibleProperty().bind(model.stateProperty().isEqualTo(State.LOADED));
        ProgressIndicator loading = new ProgressIndicator();
        loading.setId("loadingIndicator");
        loading.setPrefSize(14, 14);
        loading.visibleProperty().bind(model.stateProperty().isEqualTo(State.LOADING));
        Label message = new Label();
        message.setId("statusMessage");
        message.textProperty().bind(model.messageProperty());
        Pane spacer = new Pane();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Separator first = new Separator(Orientation.VERTICAL);
        first.visibleProperty().bind(target.visibleProperty());
        Separator second = new Separator(Orientation.VERTICAL);
        second.visibleProperty().bind(problems.visibleProperty());
        HBox bar = new HBox(10, workspace, first, target, second, problems, spacer, loading, message);
        statusBar = bar;
        bar.setId("statusBar");
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(3, 8, 3, 8));
        return bar;
    }

    private static Node statusDot(String qualifiedName, RunState state) {
        Circle dot = new Circle(5, StateColors.of(state));
        dot.setId("status-" + qualifiedName.replace('/', '-'));
        dot.getStyleClass().addAll("last-run", StateColors.styleClass(state));
        return dot;
    }

    private String counts() {
        int errors = model.errorCountProperty().get();
        int warnings = model.warningCountProperty().get();
        return errors + (errors == 1 ? " error, " : " errors, ") + warnings + (warnings == 1 ? " warning" : " warnings");
    }

    private void openSelectedPipeline() {
        TreeItem<ExplorerNode> selected = tree.getSelectionModel().getSelectedItem();
        if (selected != null && selected.getValue().kind() == ExplorerNode.Kind.PIPELINE) {
            openPipeline(selected.getValue().qualifiedName());
        }
    }

    private void showProblem(ProblemItem problem) {
        if (problem == null) {
            return;
        }
        problem.pipeline().ifPresent(qualifiedName -> {
            select(qualifiedName);
            openPipeline(qualifiedName);
        });
    }

    private void select(String qualifiedName) {
        TreeItem<ExplorerNode> workspace = tree.getRoot();
        if (workspace == null) {
            return;
        }
        for (TreeItem<ExplorerNode> tenant : workspace.getChildren()) {
            for (TreeItem<ExplorerNode> pipeline : tenant.getChildren()) {
                if (qualifiedName.equals(pipeline.getValue().qualifiedName())) {
                    tenant.setExpanded(true);
                    tree.getSelectionModel().select(pipeline);
                    tree.scrollTo(tree.getRow(pipeline));
                    return;
                }
            }
        }
    }

    /** Rebuilds the explorer after a load, and refreshes or closes the open tabs to match. */
    private void refresh(List<TenantItem> tenants) {
        Path folder = model.rootProperty().get();
        if (folder == null) {
            tree.setRoot(null);
        } else {
            String name = folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
            TreeItem<ExplorerNode> workspace = new TreeItem<>(new ExplorerNode(ExplorerNode.Kind.WORKSPACE, name, null, false));
            workspace.setExpanded(true);
            for (TenantItem tenant : tenants) {
                TreeItem<ExplorerNode> tenantItem = new TreeItem<>(new ExplorerNode(ExplorerNode.Kind.TENANT, tenant.id(), null,
                        tenant.pipelines().stream().anyMatch(PipelineItem::hasErrors)));
                tenantItem.setExpanded(true);
                for (PipelineItem pipeline : tenant.pipelines()) {
                    tenantItem.getChildren().add(new TreeItem<>(new ExplorerNode(ExplorerNode.Kind.PIPELINE,
                            pipeline.pipelineId(), pipeline.qualifiedName(), pipeline.hasErrors())));
                }
                workspace.getChildren().add(tenantItem);
            }
            tree.setRoot(workspace);
        }
        for (Tab tab : List.copyOf(tabs.getTabs())) {
            // other screens' tabs (runs, locks, history) are the shell's to manage
            if (!(tab.getUserData() instanceof String qualifiedName)) {
                continue;
            }
            Optional<PipelineViewModel> reloaded = model.openPipeline(qualifiedName);
            if (reloaded.isPresent()) {
                tab.setContent(new PipelineView(reloaded.get()).root());
            } else {
                tabs.getTabs().remove(tab);
            }
        }
    }
}
