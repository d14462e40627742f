package io.convergence.app.cli;

import io.convergence.engine.run.RunState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence runs}: run history (not wired yet). */
@Command(name = "runs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List runs, newest first (not available yet).",
        subcommands = RunsCommand.Show.class)
final class RunsCommand extends BaseCommand {
    enum Format { TABLE, JSON }

    @Option(names = "--tenant", paramLabel = "T", description = "Only this tenant's runs.")
    String tenant;

    @Option(names = "--pipeline", paramLabel = "P", description = "Only this pipeline's runs.")
    String pipeline;

    @Option(names = "--status", paramLabel = "S", description = "Only runs in this state: ${COMPLETION-CANDIDATES}.")
    RunState status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Most runs shown. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "Output format. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Override
    public Integer call() {
        throw NotAvailable.of("runs");
    }

    /** {@code convergence runs show RUN_ID}: one run with its steps, partitions and checks. */
    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Show one run: steps, partitions, checks and timing (not available yet).")
    static final class Show extends BaseCommand {
        enum Format { TEXT, JSON }

        @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run's id.")
        String runId;

        @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format. Default: ${DEFAULT-VALUE}.")
        Format format;

        @Override
        public Integer call() {
            throw NotAvailable.of("runs show");
        }
    }
}
