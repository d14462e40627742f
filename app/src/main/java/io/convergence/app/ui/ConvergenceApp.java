package io.convergence.app.ui;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.health.Doctor;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.service.RunService;
import io.convergence.engine.service.StandardBackends;
import io.convergence.engine.settings.Settings;
import java.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The desktop app: composes the main window from its view models and the engine. Start it through {@link #launchApp}. */
public final class ConvergenceApp extends Application {
    private static final String WORKSPACE_PARAMETER = "workspace";

    private FxTaskExecutor executor;
    private SessionViewModel session;
    private AppShell shell;
    private Stage stage;

    /** Starts JavaFX and returns when the last window closes. */
    public static void launchApp(Optional<Path> workspace) {
        String[] arguments = workspace
                .map(path -> new String[] {"--" + WORKSPACE_PARAMETER + "=" + path.toAbsolutePath()})
                .orElseGet(() -> new String[0]);
        Application.launch(ConvergenceApp.class, arguments);
    }

    @Override
    public void start(Stage stage) {
        this.stage = stage;
        // four workers: a run start may wait for a lock while the screens keep querying
        executor = new FxTaskExecutor(4);
        AppPreferences preferences = AppPreferences.load(AppPreferences.defaultFile());
        Map<String, String> environment = System.getenv();
        UnaryOperator<WorkspaceConfig> settings = config -> Settings.resolve(environment, Map.of()).applyTo(config);
        Clock clock = Clock.systemUTC();
        session = new SessionViewModel(executor,
                workspace -> new RunService(workspace, settings.apply(workspace.config()), clock, StandardBackends.factory()));
        WorkspaceViewModel model = new WorkspaceViewModel(executor, ConvergenceApp::loadWorkspace, ConvergenceApp::readText);
        shell = new AppShell(model, session, executor, WorkspaceChooser.directoryChooser(), Dialogs.alerts(), preferences, clock,
                settings, new Doctor(ConvergenceApp::loadWorkspace, settings, clock));
        stage.setScene(new Scene(shell.root(), 1200, 780));
        stage.titleProperty().bind(model.titleProperty());
        stage.setMinWidth(640);
        stage.setMinHeight(400);
        shell.restoreWindow(stage);
        stage.setOnCloseRequest(shell::handleCloseRequest);
        stage.show();
        Optional<Path> given = Optional.ofNullable(getParameters().getNamed().get(WORKSPACE_PARAMETER)).map(Path::of);
        // without a workspace on the command line, reopen the last one that still exists
        given.or(() -> preferences.recentWorkspaces().stream()
                        .filter(p -> Files.isRegularFile(p.resolve(WorkspaceLoader.WORKSPACE_FILE))).findFirst())
                .ifPresent(model::open);
    }

    @Override
    public void stop() {
        if (shell != null && stage != null) {
            shell.rememberWindow(stage);
        }
        if (session != null) {
            // interrupts whatever still runs (the window-close question already did, if there was any) and closes the store
            session.close();
        }
        if (executor != null) {
            executor.close();
        }
    }

    /** Runs on a worker thread: a folder chosen in the dialog may not be a workspace at all. */
    static LoadResult loadWorkspace(Path root) {
        if (!Files.isRegularFile(root.resolve(WorkspaceLoader.WORKSPACE_FILE))) {
            throw new ConvergenceException(ErrorCode.WORKSPACE_NOT_FOUND,
                    root + " has no " + WorkspaceLoader.WORKSPACE_FILE + "; choose the folder that holds it");
        }
        return WorkspaceLoader.load(root);
    }

    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
