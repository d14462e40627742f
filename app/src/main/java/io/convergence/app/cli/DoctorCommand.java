package io.convergence.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code convergence doctor}: checks Java, the workspace, the state store and the targets (not wired yet). */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Check the setup: Java, workspace, state store, targets and credentials (not available yet).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:Healthy.", "1:Not healthy.", "2:Wrong usage or configuration."})
final class DoctorCommand extends BaseCommand {
    @Option(names = "--target", paramLabel = "T", description = "Check only this target.")
    String target;

    @Override
    public Integer call() {
        throw NotAvailable.of("doctor");
    }
}
