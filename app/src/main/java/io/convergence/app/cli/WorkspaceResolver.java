package io.convergence.app.cli;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the workspace a command works on: {@code --workspace}, else {@code CONVERGENCE_WORKSPACE},
 * else the nearest folder with workspace.yml from the current folder upward.
 */
final class WorkspaceResolver {
    private final CliContext context;

    WorkspaceResolver(CliContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** The workspace, or a USER error (exit 2) that says where it looked. */
    Path require(Optional<Path> option) {
        return find(option).orElseThrow(() -> new ConvergenceException(ErrorCode.WORKSPACE_NOT_FOUND,
                "no workspace: there is no " + WorkspaceLoader.WORKSPACE_FILE + " in " + context.cwd()
                        + " or any folder above it; pass --workspace DIR or set " + CliContext.WORKSPACE_VARIABLE));
    }

    /**
     * The workspace if one can be found. A folder named explicitly (option or variable) must hold
     * workspace.yml: a typo there is an error, not a reason to fall back to another workspace.
     */
    Optional<Path> find(Optional<Path> option) {
        if (option.isPresent()) {
            return Optional.of(explicit(context.resolve(option.get()), "--workspace"));
        }
        Optional<String> variable = context.variable(CliContext.WORKSPACE_VARIABLE);
        if (variable.isPresent()) {
            return Optional.of(explicit(context.resolve(Path.of(variable.get())), CliContext.WORKSPACE_VARIABLE));
        }
        return WorkspaceLoader.findWorkspace(context.cwd());
    }

    /** The workspace holding {@code path}, searching from it upward. */
    Optional<Path> enclosing(Path path) {
        Path start = Files.isDirectory(path) ? path : path.getParent();
        return start == null ? Optional.empty() : WorkspaceLoader.findWorkspace(start);
    }

    private static Path explicit(Path given, String source) {
        // Accept the workspace.yml file itself as well as its folder.
        Path dir = Files.isRegularFile(given) && given.getFileName().toString().equals(WorkspaceLoader.WORKSPACE_FILE)
                ? given.getParent()
                : given;
        if (!Files.isDirectory(dir)) {
            throw new ConvergenceException(ErrorCode.WORKSPACE_NOT_FOUND,
                    "no workspace: " + given + " (from " + source + ") is not a folder");
        }
        if (!Files.isRegularFile(dir.resolve(WorkspaceLoader.WORKSPACE_FILE))) {
            throw new ConvergenceException(ErrorCode.WORKSPACE_NOT_FOUND,
                    "no workspace: " + dir + " (from " + source + ") has no " + WorkspaceLoader.WORKSPACE_FILE);
        }
        return dir;
    }
}
