package io.convergence.app.cli;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.service.WorkspaceState;
import io.convergence.engine.settings.Settings;
import java.time.Clock;
import java.util.Map;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the common options, its output streams and the CLI context. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin(name = CommonOptions.MIXIN_NAME)
    CommonOptions common;

    CliContext context() {
        return ((ConvergenceCommand) spec.root().userObject()).context();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Optional<Path> workspaceOption() {
        return CommonOptions.workspace(spec);
    }

    WorkspaceResolver resolver() {
        return new WorkspaceResolver(context());
    }

    /** The workspace this command works on, or a USER error (exit 2). */
    Path requireWorkspace() {
        return resolver().require(workspaceOption());
    }

    LoadResult load(Path root) {
        return context().loader().apply(root);
    }

    /** The loaded workspace; its pipelines may have problems, but workspace.yml must have loaded. */
    LoadedWorkspace loadWorkspace(Path root) {
        LoadResult result = load(root);
        return result.workspace().orElseThrow(() -> new ConvergenceException(ErrorCode.CONFIG_INVALID,
                "the workspace " + root + " could not be loaded (" + result.problems().size()
                        + " problems); run 'convergence validate' to see them"));
    }

    /** workspace.yml with CONVERGENCE_* environment overrides applied. */
    WorkspaceConfig effectiveConfig(LoadedWorkspace workspace) {
        return Settings.resolve(context().environment(), Map.of()).applyTo(workspace.config());
    }

    /** Opens the workspace's local state (history and locks), reaping zombie runs first. */
    WorkspaceState openState(LoadedWorkspace workspace) {
        return WorkspaceState.open(workspace.root(), effectiveConfig(workspace), Clock.systemUTC());
    }
}
