package io.convergence.app.cli;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Starts the desktop app and returns when its window closes. The CLI only knows this seam, so it
 * never loads JavaFX itself; {@code io.convergence.app.Main} supplies the JavaFX implementation.
 */
@FunctionalInterface
public interface GuiLauncher {
    /** Opens the app on {@code workspace}, or on its empty "Open workspace..." state when absent. */
    void launch(Optional<Path> workspace);
}
