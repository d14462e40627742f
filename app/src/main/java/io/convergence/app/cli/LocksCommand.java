package io.convergence.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence locks}: pipeline locks and their holders (not wired yet). */
@Command(name = "locks", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List pipeline locks: holder, age, lease and expiry (not available yet).",
        subcommands = LocksCommand.Release.class)
final class LocksCommand extends BaseCommand {
    enum Format { TABLE, JSON }

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "Output format. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Override
    public Integer call() {
        throw NotAvailable.of("locks");
    }

    /** {@code convergence locks release}: force-releases a stuck lock, audited with who, when and why. */
    @Command(name = "release", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Force-release a pipeline's lock; the holder can no longer publish (not available yet).")
    static final class Release extends BaseCommand {
        @Parameters(index = "0", paramLabel = "TENANT", description = "Tenant id.")
        String tenant;

        @Parameters(index = "1", paramLabel = "PIPELINE", description = "Pipeline id.")
        String pipeline;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why; kept in the audit log.")
        String reason;

        @Override
        public Integer call() {
            throw NotAvailable.of("locks release");
        }
    }
}
