package io.convergence.app.ui;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The desktop app: composes the main window from its view models and the engine. Start it through {@link #launchApp}. */
public final class ConvergenceApp extends Application {
    private static final String WORKSPACE_PARAMETER = "workspace";

    private FxTaskExecutor executor;

    /** Starts JavaFX and returns when the last window closes. */
    public static void launchApp(Optional<Path> workspace) {
        String[] arguments = workspace
                .map(path -> new String[] {"--" + WORKSPACE_PARAMETER + "=" + path.toAbsolutePath()})
                .orElseGet(() -> new String[0]);
        Application.launch(ConvergenceApp.class, arguments);
    }

    @Override
    public void start(Stage stage) {
        executor = new FxTaskExecutor(2);
        WorkspaceViewModel model = new WorkspaceViewModel(executor, ConvergenceApp::loadWorkspace, ConvergenceApp::readText);
        MainView view = new MainView(model, WorkspaceChooser.directoryChooser());
        stage.setScene(new Scene(view.root(), 1200, 780));
        stage.titleProperty().bind(model.titleProperty());
        stage.setMinWidth(640);
        stage.setMinHeight(400);
        stage.show();
        Optional.ofNullable(getParameters().getNamed().get(WORKSPACE_PARAMETER)).map(Path::of).ifPresent(model::open);
    }

    @Override
    public void stop() {
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
