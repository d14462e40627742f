package io.convergence.app;

import io.convergence.app.cli.Cli;
import io.convergence.app.ui.ConvergenceApp;

/**
 * Entry point of the jar and the installed binary. A plain class on purpose: a main class that
 * extends {@code javafx.application.Application} fails in a fat jar with "JavaFX runtime components
 * are missing". No arguments or {@code gui} open the desktop app; anything else is the CLI.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // The lambda keeps JavaFX unloaded unless the GUI is asked for.
        int exitCode = Cli.run(args, workspace -> ConvergenceApp.launchApp(workspace));
        System.exit(exitCode);
    }
}
