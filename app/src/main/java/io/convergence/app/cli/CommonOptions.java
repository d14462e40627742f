package io.convergence.app.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Options every command accepts, mixed into each one so they may stand before or after the
 * subcommand name ({@code convergence -v validate} and {@code convergence validate -v}).
 */
final class CommonOptions {
    static final String MIXIN_NAME = "common";

    @Option(names = {"-w", "--workspace"}, paramLabel = "DIR",
            description = "Workspace folder. Default: $CONVERGENCE_WORKSPACE, else the nearest workspace.yml upward.")
    Path workspace;

    @Option(names = {"-v", "--verbose"}, description = "Log INFO to stderr and print stack traces of errors.")
    boolean verbose;

    /** The innermost {@code --workspace} given on this command or any command above it. */
    static Optional<Path> workspace(CommandSpec command) {
        for (CommandSpec spec = command; spec != null; spec = spec.parent()) {
            CommonOptions options = of(spec);
            if (options != null && options.workspace != null) {
                return Optional.of(options.workspace);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code --verbose} was given on this command or any command above it. */
    static boolean verbose(CommandSpec command) {
        for (CommandSpec spec = command; spec != null; spec = spec.parent()) {
            CommonOptions options = of(spec);
            if (options != null && options.verbose) {
                return true;
            }
        }
        return false;
    }

    private static CommonOptions of(CommandSpec spec) {
        CommandSpec mixin = spec.mixins().get(MIXIN_NAME);
        return mixin != null && mixin.userObject() instanceof CommonOptions options ? options : null;
    }
}
