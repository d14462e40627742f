package io.convergence.engine.config;

import java.nio.file.Path;
import java.util.Optional;

/** Loads and validates a workspace (workspace.yml, tenants, pipelines, their files), reporting every problem at once. */
public final class WorkspaceLoader {
    public static final String WORKSPACE_FILE = "workspace.yml";

    private WorkspaceLoader() {
    }

    /** The nearest folder holding workspace.yml, from {@code start} upward. */
    public static Optional<Path> findWorkspace(Path start) {
        Path dir = start.toAbsolutePath().normalize();
        while (dir != null) {
            if (dir.resolve(WORKSPACE_FILE).toFile().isFile()) {
                return Optional.of(dir);
            }
            dir = dir.getParent();
        }
        return Optional.empty();
    }

    /** Loads and validates the whole workspace rooted at {@code root}; never throws for a user mistake. */
    public static LoadResult load(Path root) {
        throw new UnsupportedOperationException("WorkspaceLoader.load is being built (issue 2)");
    }
}
