package io.convergence.app.cli;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.warehouse.bigquery.BigQueryDoctor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code convergence doctor}: checks the setup. {@code --target T} with a BigQuery target checks config loading,
 * credentials, connectivity, the metadata dataset, lock and fence tables of every tenant; other checks are not
 * wired yet.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Check the setup: Java, workspace, state store, targets and credentials."
                + " With --target naming a BigQuery target: config, credentials, connectivity, metadata dataset, lock table.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:Healthy.", "1:Not healthy.", "2:Wrong usage or configuration."})
final class DoctorCommand extends BaseCommand {
    @Option(names = "--target", paramLabel = "T", description = "Check only this target.")
    String target;

    @Override
    public Integer call() {
        if (target == null) {
            throw NotAvailable.of("doctor");
        }
        Path root = requireWorkspace();
        LoadResult loaded = load(root);
        LoadedWorkspace workspace = loaded.workspace().orElseThrow(() -> new ConvergenceException(ErrorCode.CONFIG_INVALID,
                "the workspace " + root + " could not be loaded; run 'convergence validate' to see why"));
        WorkspaceConfig config = effectiveConfig(workspace);
        Target chosen = config.targets().get(target);
        if (chosen == null) {
            throw new ConvergenceException(ErrorCode.TARGET_NOT_FOUND, "no target '" + target + "'; workspace.yml defines: "
                    + String.join(", ", new java.util.TreeSet<>(config.targets().keySet())));
        }
        if (!(chosen instanceof BigQueryTarget bigQuery)) {
            throw NotAvailable.of("doctor");
        }
        List<BigQueryDoctor.Check> checks = BigQueryDoctor.check(loaded, target, bigQuery);
        out().println("doctor: target " + target + " (bigquery, project " + bigQuery.project() + ")");
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
        for (BigQueryDoctor.Check check : checks) {
            out().println(String.format(Locale.ROOT, "  %-4s  %-" + width + "s  %s", check.ok() ? "ok" : "FAIL", check.name(), check.message()));
            if (!check.ok() && !check.fix().isBlank()) {
                out().println(String.format(Locale.ROOT, "  %-4s  %-" + width + "s  fix: %s", "", "", check.fix()));
            }
        }
        long failed = checks.stream().filter(c -> !c.ok()).count();
        out().println(failed == 0 ? "healthy" : "not healthy: " + failed + " of " + checks.size() + " checks failed");
        out().flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
