package io.convergence.app.cli;

import static java.util.Objects.requireNonNull;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** {@code convergence}: the top command; without a subcommand it opens the desktop app. */
@Command(name = "convergence",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Design, validate and run BigQuery data pipelines.",
                "Without a command, opens the desktop app on the workspace."},
        subcommands = {
                GuiCommand.class,
                ValidateCommand.class,
                SchemaCommand.class,
                GraphCommand.class,
                RunCommand.class,
                RunsCommand.class,
                LocksCommand.class,
                DoctorCommand.class,
                HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                " 0:Success.",
                " 1:Validation found errors, or the run failed.",
                " 2:Wrong usage or configuration (no workspace, unknown pipeline).",
                " 3:Another run holds the pipeline's lock.",
                " 4:The run was interrupted or cancelled.",
                " 5:An external system (warehouse, network, files) failed.",
                "70:Internal error: a bug in Convergence, please report it."},
        footer = {"", "The workspace is --workspace, else $CONVERGENCE_WORKSPACE, else the nearest workspace.yml "
                + "from the current folder upward."})
final class ConvergenceCommand extends BaseCommand {
    private final CliContext context;

    ConvergenceCommand(CliContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    @Override
    CliContext context() {
        return context;
    }

    @Override
    public Integer call() {
        return GuiCommand.open(this);
    }
}
