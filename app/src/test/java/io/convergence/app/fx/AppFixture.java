package io.convergence.app.fx;

import io.convergence.app.ui.AppPreferences;
import io.convergence.app.ui.AppShell;
import io.convergence.app.ui.ConvergenceAppAccess;
import io.convergence.app.ui.Dialogs;
import io.convergence.app.ui.FxTaskExecutor;
import io.convergence.app.ui.SessionViewModel;
import io.convergence.app.ui.WorkspaceViewModel;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.health.Doctor;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.service.RunService;
import io.convergence.engine.service.StandardBackends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real app (real engine, DuckDB, SQLite, worker threads) on a copy of the demo workspace in a temporary
 * folder, for TestFX tests. Preferences go to the temporary folder too.
 */
public final class AppFixture implements AutoCloseable {
    public final Path root;
    public final FxTaskExecutor executor = new FxTaskExecutor(4);
    public final SessionViewModel session;
    public final WorkspaceViewModel workspace;
    public final AppShell shell;

    private AppFixture(Path root, Path preferences, Dialogs dialogs) {
        this.root = root;
        UnaryOperator<WorkspaceConfig> settings = UnaryOperator.identity();
        Clock clock = Clock.systemUTC();
        session = new SessionViewModel(executor,
                ws -> new RunService(ws, settings.apply(ws.config()), clock, StandardBackends.factory()));
        workspace = new WorkspaceViewModel(executor, ConvergenceAppAccess::loadWorkspace, ConvergenceAppAccess::readText);
        shell = new AppShell(workspace, session, executor, (owner, current) -> Optional.empty(), dialogs,
                AppPreferences.load(preferences), clock, settings, new Doctor(WorkspaceLoader::load, settings, clock));
    }

    /** Copies configs/ of the repository to {@code temp/ws} and builds the app on it (call on the FX thread). */
    public static AppFixture demo(Path temp, Dialogs dialogs) {
        Path root = temp.resolve("ws");
        copyTree(demoWorkspace(), root);
        return new AppFixture(root, temp.resolve("prefs/app.json"), dialogs);
    }

    public static Path demoWorkspace() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("configs/workspace.yml"))) {
                return dir.resolve("configs");
            }
        }
        throw new IllegalStateException("no configs/workspace.yml above " + here);
    }

    public void show(Stage stage, double width, double height) {
        stage.setScene(new Scene(shell.root(), width, height));
        stage.setOnCloseRequest(shell::handleCloseRequest);
        stage.show();
        workspace.open(root);
    }

    /** Waits until the workspace is loaded and its run service is open. */
    public RunService awaitService() {
        waitFor(30, () -> session.currentService().isPresent());
        return session.currentService().orElseThrow();
    }

    public static void waitFor(long seconds, BooleanSupplier condition) {
        try {
            WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> {
                WaitForAsyncUtils.waitForFxEvents();
                return condition.getAsBoolean();
            });
        } catch (TimeoutException e) {
            throw new AssertionError("condition not met within " + seconds + " s", e);
        }
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path relative = from.relativize(source);
                if (relative.toString().startsWith(".convergence")) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        session.close();
        executor.close();
    }
}
