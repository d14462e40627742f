package io.convergence.app.cli;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.settings.Setting;
import io.convergence.engine.service.RunnerBackend;
import io.convergence.engine.service.StandardBackends;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the CLI takes from its surroundings: the current folder, the environment, the workspace
 * loader and the GUI. Tests build one in code; {@link #system(GuiLauncher)} is the real one.
 */
public record CliContext(Path cwd, Map<String, String> environment, Function<Path, LoadResult> loader, GuiLauncher gui,
                         RunnerBackend.Factory backends) {
    public static final String WORKSPACE_VARIABLE = Setting.WORKSPACE.envName();

    public CliContext {
        cwd = requireNonNull(cwd, "cwd is null").toAbsolutePath().normalize();
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        requireNonNull(loader, "loader is null");
        requireNonNull(gui, "gui is null");
        requireNonNull(backends, "backends is null");
    }

    /** A context running pipelines on the standard warehouses. */
    public CliContext(Path cwd, Map<String, String> environment, Function<Path, LoadResult> loader, GuiLauncher gui) {
        this(cwd, environment, loader, gui, StandardBackends.factory());
    }

    /** The process's own folder and environment, and the real workspace loader. */
    public static CliContext system(GuiLauncher gui) {
        return new CliContext(Path.of("").toAbsolutePath(), System.getenv(), WorkspaceLoader::load, gui);
    }

    /** An environment variable, absent when unset or blank. */
    public Optional<String> variable(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** {@code path} resolved against the current folder. */
    public Path resolve(Path path) {
        return cwd.resolve(path).toAbsolutePath().normalize();
    }

    public CliContext withLoader(Function<Path, LoadResult> newLoader) {
        return new CliContext(cwd, environment, newLoader, gui, backends);
    }
}
