package io.convergence.app.cli;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.RunResult;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.service.PreparedRun;
import io.convergence.engine.service.RunRequest;
import io.convergence.engine.service.RunService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence run}: runs a pipeline with progress on the terminal, recording it in history. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run a pipeline on a target. Takes the pipeline's lock; Ctrl-C interrupts gracefully.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:The run succeeded.", "1:The run failed.", "2:Wrong usage or configuration.",
                "3:Another run holds the lock (its run id is printed).", "4:The run was interrupted or cancelled.",
                "5:An external system failed.",
                "143/130:Stopped by SIGTERM/SIGINT (the run is recorded INTERRUPTED and its lock released)."})
final class RunCommand extends BaseCommand {
    enum Progress { AUTO, BARS, PLAIN }

    @Parameters(index = "0", paramLabel = "PIPELINE", description = "tenant/pipeline, or a path to pipeline.yml.")
    String pipeline;

    @Option(names = "--target", paramLabel = "T", description = "Target from workspace.yml (default: its default_target).")
    String target;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter value; repeatable.")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--from", paramLabel = "PARTITION", description = "First partition, e.g. 2024-03-01 (day), 2024-03 (month).")
    String from;

    @Option(names = "--to", paramLabel = "PARTITION", description = "Last partition, inclusive.")
    String to;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "Redo only the steps and partitions that did not succeed in that run.")
    String resume;

    @Option(names = "--dry-run", description = "Print the plan (steps, partitions, parameters) without running anything;"
            + " on a BigQuery target also the bytes each step would process and the on-demand cost.")
    boolean dryRun;

    @Option(names = "--progress", paramLabel = "auto|bars|plain", defaultValue = "auto",
            description = "Live bars on a terminal, plain lines otherwise. Default: ${DEFAULT-VALUE}.")
    Progress progress;

    @Override
    public Integer call() throws InterruptedException {
        Path root = PipelineLookup.workspaceFor(this, pipeline);
        LoadResult result = load(root);
        LoadedPipeline found = PipelineLookup.find(context(), root, result, pipeline);
        requireValid(result, root, found);
        LoadedWorkspace workspace = result.workspace().orElseThrow();
        WorkspaceConfig config = effectiveConfig(workspace);
        RunRequest request = new RunRequest(found.qualifiedName(), Optional.ofNullable(target), parameters,
                Optional.ofNullable(from), Optional.ofNullable(to), Optional.ofNullable(resume));
        try (RunService service = new RunService(workspace, config, Clock.systemUTC(), context().backends())) {
            PreparedRun prepared = service.prepare(request);
            if (dryRun) {
                out().print(prepared.describe());
                if (prepared.target() instanceof BigQueryTarget) {
                    // bytes per step and cost come from BigQuery dry runs: nothing runs, nothing is billed
                    out().print(service.estimate(prepared).render());
                }
                out().flush();
                return ExitCodes.OK;
            }
            Thread hook = new Thread(() -> service.shutdown(config.locks().shutdownGrace()), "convergence-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                RunService.StartedRun run = service.start(prepared, new RunProgress(out(), useBars()));
                RunResult outcome = run.await();
                out().println("details: convergence runs show " + outcome.runId());
                out().flush();
                return switch (outcome.state()) {
                    case SUCCEEDED -> ExitCodes.OK;
                    case INTERRUPTED, CANCELLED -> ExitCodes.INTERRUPTED;
                    default -> ExitCodes.FAILED;
                };
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it finishes the graceful stop
                }
            }
        }
    }

    private boolean useBars() {
        return switch (progress) {
            case BARS -> true;
            case PLAIN -> false;
            case AUTO -> System.console() != null && !"dumb".equals(context().environment().get("TERM"))
                    && context().variable("CI").isEmpty();
        };
    }

    /** A pipeline with errors, or a workspace.yml/tenant.yml with errors, never starts: show why and stop. */
    private void requireValid(LoadResult result, Path root, LoadedPipeline found) {
        List<Path> relevant = List.of(found.dir(), root.resolve("workspace.yml"), root.resolve("tenants").resolve(found.tenantId()).resolve("tenant.yml"));
        ValidationReport report = ValidationReport.of(result, root, context().cwd(), relevant);
        if (report.errors() > 0 || !found.isValid()) {
            report.writeText(err());
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, found.qualifiedName()
                    + " has configuration errors; fix them (see above or 'convergence validate') before running it");
        }
    }
}
