package io.convergence.app.cli;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence run}: runs a pipeline with progress on the terminal (not wired yet). */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run a pipeline on a target (not available yet).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:The run succeeded.", "1:The run failed.", "2:Wrong usage or configuration.",
                "3:Another run holds the lock (its run id is printed).", "4:The run was interrupted.",
                "5:An external system failed."})
final class RunCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "PIPELINE", description = "tenant/pipeline, or a path to pipeline.yml.")
    String pipeline;

    @Option(names = "--target", paramLabel = "T", description = "Target from workspace.yml (default: its default_target).")
    String target;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter value; repeatable.")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--from", paramLabel = "DATE", description = "First partition (yyyy-mm-dd).")
    LocalDate from;

    @Option(names = "--to", paramLabel = "DATE", description = "Last partition (yyyy-mm-dd).")
    LocalDate to;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "Redo only the missing or failed partitions of a run.")
    String resume;

    @Option(names = "--dry-run", description = "Plan and estimate (bytes processed) without writing anything.")
    boolean dryRun;

    @Override
    public Integer call() {
        throw NotAvailable.of("run");
    }
}
