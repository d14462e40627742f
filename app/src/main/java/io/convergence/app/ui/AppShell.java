package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import io.convergence.app.health.HealthView;
import io.convergence.app.health.HealthViewModel;
import io.convergence.app.history.HistoryView;
import io.convergence.app.history.HistoryViewModel;
import io.convergence.app.locks.LocksView;
import io.convergence.app.locks.LocksViewModel;
import io.convergence.app.run.RunLauncherView;
import io.convergence.app.run.RunLauncherViewModel;
import io.convergence.app.run.RunView;
import io.convergence.app.run.RunViewModel;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.health.Doctor;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.service.RunService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.scene.Parent;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.Separator;
import javafx.scene.control.Tab;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.KeyCombination;
import javafx.geometry.Orientation;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.stage.WindowEvent;

/**
 * The composition of the main window: {@link MainView} (explorer, pipeline tabs, problems, status bar) plus the
 * screens this shell adds as tabs (run launcher, live runs, locks, history, connections and health), the Run and
 * View menus, status bar counters, themes, remembered window bounds and recent workspaces, and the question asked
 * before closing with runs in flight.
 */
public final class AppShell {
    /** A tab the shell owns; {@code key} makes screens single-instance ("screen:locks", "run:&lt;id&gt;"). */
    public record ShellTab(String key, Runnable onClose) {
        public ShellTab {
            requireNonNull(key, "key is null");
            requireNonNull(onClose, "onClose is null");
        }
    }

    /** How long runs in flight get to stop when the window closes. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private final WorkspaceViewModel workspace;
    private final SessionViewModel session;
    private final TaskExecutor executor;
    private final Dialogs dialogs;
    private final AppPreferences preferences;
    private final Clock clock;
    private final UnaryOperator<WorkspaceConfig> settings;
    private final MainView view;
    private final HistoryViewModel history;
    private final HealthViewModel health;
    private final LocksViewModel locks;
    private final Menu recentMenu = new Menu("Recent Workspaces");
    private final Timeline statusTimer;
    private boolean closing;

    public AppShell(WorkspaceViewModel workspace, SessionViewModel session, TaskExecutor executor, WorkspaceChooser chooser,
            Dialogs dialogs, AppPreferences preferences, Clock clock, UnaryOperator<WorkspaceConfig> settings, Doctor doctor) {
        this.workspace = requireNonNull(workspace, "workspace is null");
        this.session = requireNonNull(session, "session is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.dialogs = requireNonNull(dialogs, "dialogs is null");
        this.preferences = requireNonNull(preferences, "preferences is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.view = new MainView(workspace, chooser);
        Supplier<Optional<RunService>> service = session::currentService;
        this.history = new HistoryViewModel(executor, service, ZoneId.systemDefault());
        this.health = new HealthViewModel(executor, doctor, settings, clock);
        this.locks = new LocksViewModel(executor, service, clock, LocksViewModel.currentOperator());

        view.setPipelineStatus(session.lastStatus());
        addMenus();
        addStatusItems();
        addTreeMenu();
        session.setOnRunOpened(this::openRun);
        workspace.workspaceProperty().addListener((o, before, loaded) -> workspaceLoaded(loaded));
        session.serviceProperty().addListener((o, before, opened) -> {
            if (opened != null) {
                history.search();
                locks.refresh();
            }
        });
        statusTimer = new Timeline(new KeyFrame(javafx.util.Duration.seconds(5), event -> session.refreshStatus()));
        statusTimer.setCycleCount(Timeline.INDEFINITE);
        statusTimer.play();
        preferences.theme().apply(view.root());
        refreshRecent();
    }

    public Parent root() {
        return view.root();
    }

    public MainView mainView() {
        return view;
    }

    public SessionViewModel session() {
        return session;
    }

    public HistoryViewModel history() {
        return history;
    }

    public LocksViewModel locks() {
        return locks;
    }

    public HealthViewModel health() {
        return health;
    }

    private void workspaceLoaded(LoadedWorkspace loaded) {
        health.setWorkspace(loaded);
        if (loaded == null) {
            return;
        }
        session.open(loaded);
        history.setChoices(loaded.tenants().stream().map(LoadedTenant::id).toList(),
                loaded.pipelines().stream().map(p -> p.pipeline().id()).toList());
        preferences.addRecent(loaded.root());
        preferences.save();
        refreshRecent();
    }

    private void addMenus() {
        Menu file = view.menus().getMenus().get(0);
        recentMenu.setId("recentMenu");
        file.getItems().add(1, recentMenu);

        MenuItem run = new MenuItem("Run Pipeline...");
        run.setId("runPipelineMenuItem");
        run.setAccelerator(KeyCombination.keyCombination("Shortcut+R"));
        run.disableProperty().bind(workspace.workspaceProperty().isNull());
        run.setOnAction(event -> view.selectedPipeline().ifPresent(this::openLauncher));
        Menu runMenu = new Menu("Run", null, run);
        runMenu.setId("runMenu");

        MenuItem locksItem = new MenuItem("Locks");
        locksItem.setId("locksMenuItem");
        locksItem.setAccelerator(KeyCombination.keyCombination("Shortcut+L"));
        locksItem.setOnAction(event -> openLocks());
        MenuItem historyItem = new MenuItem("History");
        historyItem.setId("historyMenuItem");
        historyItem.setAccelerator(KeyCombination.keyCombination("Shortcut+H"));
        historyItem.setOnAction(event -> openHistory());
        MenuItem healthItem = new MenuItem("Connections and Health");
        healthItem.setId("healthMenuItem");
        healthItem.setOnAction(event -> openHealth());
        ToggleGroup themes = new ToggleGroup();
        RadioMenuItem light = new RadioMenuItem("Light");
        light.setId("themeLightMenuItem");
        RadioMenuItem dark = new RadioMenuItem("Dark");
        dark.setId("themeDarkMenuItem");
        light.setToggleGroup(themes);
        dark.setToggleGroup(themes);
        (preferences.theme() == Theme.DARK ? dark : light).setSelected(true);
        light.setOnAction(event -> setTheme(Theme.LIGHT));
        dark.setOnAction(event -> setTheme(Theme.DARK));
        Menu theme = new Menu("Theme", null, light, dark);
        theme.setId("themeMenu");
        Menu viewMenu = new Menu("View", null, locksItem, historyItem, healthItem, new javafx.scene.control.SeparatorMenuItem(), theme);
        viewMenu.setId("viewMenu");
        view.menus().getMenus().addAll(runMenu, viewMenu);
    }

    /** Switches theme and remembers it. */
    public void setTheme(Theme theme) {
        theme.apply(view.root());
        preferences.setTheme(theme);
        preferences.save();
    }

    private void refreshRecent() {
        List<MenuItem> items = new ArrayList<>();
        for (Path recent : preferences.recentWorkspaces()) {
            MenuItem item = new MenuItem(recent.toString());
            item.setOnAction(event -> workspace.open(recent));
            items.add(item);
        }
        recentMenu.getItems().setAll(items);
        recentMenu.setDisable(items.isEmpty());
    }

    private void addStatusItems() {
        Label runs = new Label();
        runs.setId("statusRuns");
        runs.textProperty().bind(Bindings.createStringBinding(() -> session.runningRunsProperty().get() + " running",
                session.runningRunsProperty()));
        Label held = new Label();
        held.setId("statusLocks");
        held.textProperty().bind(Bindings.createStringBinding(() -> session.heldLocksProperty().get() + (session.heldLocksProperty().get() == 1 ? " lock held" : " locks held"),
                session.heldLocksProperty()));
        held.setOnMouseClicked(event -> openLocks());
        Label message = new Label();
        message.setId("statusSession");
        message.textProperty().bind(session.messageProperty());
        view.addStatusItem(new Separator(Orientation.VERTICAL));
        view.addStatusItem(runs);
        view.addStatusItem(new Separator(Orientation.VERTICAL));
        view.addStatusItem(held);
        view.addStatusItem(message);
    }

    private void addTreeMenu() {
        MenuItem run = new MenuItem("Run...");
        run.setId("treeRunMenuItem");
        run.setOnAction(event -> view.selectedPipeline().ifPresent(this::openLauncher));
        MenuItem showHistory = new MenuItem("History");
        showHistory.setOnAction(event -> view.selectedPipeline().ifPresent(name -> {
            history.tenantProperty().set(name.substring(0, name.indexOf('/')));
            history.pipelineProperty().set(name.substring(name.indexOf('/') + 1));
            openHistory();
            history.search();
        }));
        view.tree().setContextMenu(new ContextMenu(run, showHistory));
    }

    /** Opens (or selects) the run launcher of a pipeline. */
    public void openLauncher(String qualifiedName) {
        LoadedWorkspace loaded = workspace.workspaceProperty().get();
        Optional<LoadedPipeline> pipeline = workspace.pipeline(qualifiedName);
        if (loaded == null || pipeline.isEmpty()) {
            return;
        }
        WorkspaceConfig config = settings.apply(loaded.config());
        showTab("launcher:" + qualifiedName, "Run " + pipeline.get().pipeline().id(), () -> {
            RunLauncherViewModel model = new RunLauncherViewModel(session, pipeline.get(),
                    new java.util.TreeSet<>(config.targets().keySet()).stream().toList(), config.defaultTarget(), clock, started -> { });
            return new TabContent(new RunLauncherView(model).root(), () -> { });
        });
    }

    private void openRun(RunViewModel model) {
        RunView run = new RunView(model);
        String title = model.pipeline().substring(model.pipeline().indexOf('/') + 1) + " " + shortId(model.runIdProperty().get());
        showTab("run:" + model.runIdProperty().get(), title, () -> new TabContent(run.root(), run::dispose));
    }

    private static String shortId(String runId) {
        return runId.length() > 8 ? runId.substring(runId.length() - 8) : runId;
    }

    public void openLocks() {
        showTab("screen:locks", "Locks", () -> {
            LocksView locksView = new LocksView(locks, dialogs);
            return new TabContent(locksView.root(), locksView::dispose);
        });
    }

    public void openHistory() {
        showTab("screen:history", "History", () -> new TabContent(new HistoryView(history).root(), () -> { }));
    }

    public void openHealth() {
        showTab("screen:health", "Connections and Health", () -> new TabContent(new HealthView(health).root(), () -> { }));
    }

    private record TabContent(Parent root, Runnable onClose) {
    }

    private void showTab(String key, String title, Supplier<TabContent> content) {
        for (Tab tab : view.tabs().getTabs()) {
            if (tab.getUserData() instanceof ShellTab shellTab && shellTab.key().equals(key)) {
                view.tabs().getSelectionModel().select(tab);
                return;
            }
        }
        TabContent made = content.get();
        Tab tab = new Tab(title, made.root());
        tab.setUserData(new ShellTab(key, made.onClose()));
        tab.setOnClosed(event -> made.onClose().run());
        view.tabs().getTabs().add(tab);
        view.tabs().getSelectionModel().select(tab);
    }

    /** Restores the remembered window bounds (if they still fit a screen). */
    public void restoreWindow(Stage stage) {
        preferences.window().ifPresent(bounds -> {
            boolean visible = javafx.stage.Screen.getScreensForRectangle(bounds.x(), bounds.y(), bounds.width(), bounds.height())
                    .size() > 0;
            if (visible) {
                stage.setX(bounds.x());
                stage.setY(bounds.y());
            }
            stage.setWidth(bounds.width());
            stage.setHeight(bounds.height());
            stage.setMaximized(bounds.maximized());
        });
    }

    /** Remembers the window bounds. */
    public void rememberWindow(Stage stage) {
        if (!Double.isNaN(stage.getX()) && stage.getWidth() > 0) {
            preferences.setWindow(new AppPreferences.WindowBounds(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(),
                    stage.isMaximized()));
            preferences.save();
        }
    }

    /**
     * The window's close request: with runs in flight, asks first, and on yes interrupts them (recorded
     * INTERRUPTED, locks released) before the window closes.
     */
    public void handleCloseRequest(WindowEvent event) {
        Window window = (Window) event.getSource();
        if (window instanceof Stage stage) {
            rememberWindow(stage);
        }
        if (closing || !session.hasRunsInFlight()) {
            statusTimer.stop();
            return;
        }
        event.consume();
        int running = Math.max(1, session.runningRunsProperty().get());
        boolean quit = dialogs.confirm(window, "Runs in flight", running + (running == 1 ? " run is" : " runs are")
                + " still running.\n\nQuit anyway? They will be interrupted (recorded as INTERRUPTED) and their locks released.");
        if (!quit) {
            return;
        }
        closing = true;
        session.shutdown(SHUTDOWN_GRACE, () -> {
            statusTimer.stop();
            window.hide();
        });
    }

    /** True once the user confirmed closing with runs in flight. */
    public boolean isClosing() {
        return closing;
    }
}
