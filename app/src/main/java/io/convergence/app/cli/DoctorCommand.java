package io.convergence.app.cli;

import io.convergence.engine.health.Doctor;
import io.convergence.engine.health.HealthCheck;
import io.convergence.engine.health.HealthStatus;
import io.convergence.engine.settings.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code convergence doctor}: checks Java, the workspace, the state store, disk space and a target, with fixes. */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Check the setup: Java, workspace, state store (integrity, expired locks), disk space and the target.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:Healthy (warnings allowed).", "1:At least one check failed.", "2:Wrong usage or configuration."})
final class DoctorCommand extends BaseCommand {
    @Option(names = "--target", paramLabel = "T", description = "Check this target instead of the default one.")
    String target;

    @Override
    public Integer call() {
        Path root = requireWorkspace();
        Doctor doctor = new Doctor(context().loader(),
                config -> Settings.resolve(context().environment(), Map.of()).applyTo(config), Clock.systemUTC());
        List<HealthCheck> checks = doctor.check(root, Optional.ofNullable(target));
        for (HealthCheck check : checks) {
            out().println(mark(check.status()) + " " + check.title() + ": " + check.detail());
            check.fix().ifPresent(fix -> out().println("       fix: " + fix));
        }
        boolean healthy = Doctor.healthy(checks);
        long failed = checks.stream().filter(HealthCheck::failed).count();
        out().println(healthy ? "healthy" : failed + " check(s) failed");
        out().flush();
        return healthy ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static String mark(HealthStatus status) {
        return switch (status) {
            case PASS -> "[ ok ]";
            case WARN -> "[warn]";
            case FAIL -> "[FAIL]";
        };
    }
}
