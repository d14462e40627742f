package io.convergence.app.cli;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code convergence gui}: opens the desktop app (also what {@code convergence} alone does). */
@Command(name = "gui", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Open the desktop app on the workspace.",
                "Without a workspace it opens on an empty window with 'Open workspace...'."})
final class GuiCommand extends BaseCommand {
    @Override
    public Integer call() {
        return open(this);
    }

    static int open(BaseCommand command) {
        CliContext context = command.context();
        // An explicit workspace that is wrong is an error; none found is the app's empty state.
        Optional<Path> workspace = command.resolver().find(command.workspaceOption());
        requireDisplay(context);
        context.gui().launch(workspace);
        return ExitCodes.OK;
    }

    /** Without a display JavaFX dies with a stack trace; say what is wrong instead. */
    private static void requireDisplay(CliContext context) {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (linux && context.variable("DISPLAY").isEmpty() && context.variable("WAYLAND_DISPLAY").isEmpty()) {
            throw new ConvergenceException(ErrorCode.FEATURE_NOT_AVAILABLE,
                    "the desktop app needs a display, and neither DISPLAY nor WAYLAND_DISPLAY is set;"
                            + " the commands work without one (see 'convergence --help')");
        }
    }
}
