package io.convergence.app.ui;

import io.convergence.engine.config.LoadResult;
import java.nio.file.Path;

/** Opens the app's package-private loaders to tests in other packages. */
public final class ConvergenceAppAccess {
    private ConvergenceAppAccess() {
    }

    public static LoadResult loadWorkspace(Path root) {
        return ConvergenceApp.loadWorkspace(root);
    }

    public static String readText(Path file) {
        return ConvergenceApp.readText(file);
    }
}
