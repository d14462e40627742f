package io.convergence.app.cli;

import io.convergence.engine.config.LoadResult;
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
}
