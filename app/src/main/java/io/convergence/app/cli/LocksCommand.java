package io.convergence.app.cli;

import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.lock.LockManager;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.engine.lock.ForceRelease;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.service.WorkspaceState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence locks}: pipeline locks held on this workstation's state store, and force release. */
@Command(name = "locks", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List pipeline locks: holder, age, lease used and expiry. Expired leases are reaped first.",
        subcommands = LocksCommand.Release.class)
final class LocksCommand extends BaseCommand {
    enum Format { TABLE, JSON }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "Output format. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--metrics", description = "Print lock metrics in Prometheus text format instead.")
    boolean metrics;

    @Option(names = "--target", paramLabel = "T", description = "Locks of this target: a BigQuery target's are shared by every"
            + " workstation (the lock table in each tenant's metadata dataset). Default: this workstation's locks.")
    String target;

    @Override
    public Integer call() throws Exception {
        LoadedWorkspace workspace = loadWorkspace(requireWorkspace());
        try (WorkspaceState state = openState(workspace)) {
            LockManager locks = locksOf(state, workspace, effectiveConfig(workspace), target);
            if (metrics) {
                out().print(locks.metrics().toPrometheus());
                out().flush();
                return ExitCodes.OK;
            }
            Instant now = Instant.now();
            List<Lease> leases = new ArrayList<>(locks.currentLeases());
            leases.sort(Comparator.comparing((Lease l) -> l.key().tenant()).thenComparing(l -> l.key().pipeline()));
            if (format == Format.JSON) {
                ObjectNode root = JSON.createObjectNode();
                ArrayNode array = root.putArray("locks");
                for (Lease l : leases) {
                    ObjectNode o = array.addObject();
                    o.put("tenant", l.key().tenant());
                    o.put("pipeline", l.key().pipeline());
                    o.put("run_id", l.holder().runId());
                    o.put("host", l.holder().host());
                    o.put("user", l.holder().user());
                    o.put("pid", l.holder().pid());
                    o.put("epoch", l.epoch());
                    o.put("acquired_at", l.acquiredAt().toString());
                    o.put("heartbeat_at", l.heartbeatAt().toString());
                    o.put("expires_at", l.expiresAt().toString());
                    o.put("age_ms", l.age(now).toMillis());
                    o.put("lease_used_percent", Math.round(l.leaseUsedPercent(now) * 10) / 10.0);
                    o.put("expired", l.isExpired(now));
                }
                out().println(JSON.writeValueAsString(root));
                return ExitCodes.OK;
            }
            if (leases.isEmpty()) {
                out().println("no locks held");
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TENANT", "PIPELINE", "RUN", "HOLDER", "EPOCH", "AGE", "LEASE USED", "EXPIRES (UTC)"});
            for (Lease l : leases) {
                rows.add(new String[] {l.key().tenant(), l.key().pipeline(), l.holder().runId(),
                        l.holder().user() + "@" + l.holder().host() + " pid " + l.holder().pid(), Long.toString(l.epoch()),
                        RunsCommand.duration(l.age(now)), String.format(Locale.ROOT, "%.0f%%", l.leaseUsedPercent(now)),
                        RunsCommand.TIME.format(l.expiresAt())});
            }
            Table.print(out(), rows);
        }
        return ExitCodes.OK;
    }

    /** The lock manager of {@code target}, or this workstation's when no target is named. */
    static LockManager locksOf(WorkspaceState state, LoadedWorkspace workspace, WorkspaceConfig config, String target) {
        if (target == null) {
            return state.locks();
        }
        Target t = config.targets().get(target);
        if (t == null) {
            throw new ConvergenceException(ErrorCode.TARGET_NOT_FOUND, "no target '" + target + "'; workspace.yml defines: "
                    + String.join(", ", new java.util.TreeSet<>(config.targets().keySet())));
        }
        return state.locksFor(target, t, workspace.tenants().stream().map(LoadedTenant::config).toList());
    }

    /** {@code convergence locks release}: force-releases a stuck lock, audited with who, when and why. */
    @Command(name = "release", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Force-release a pipeline's lock; the holder can no longer publish. Recorded with who, when and why.")
    static final class Release extends BaseCommand {
        @Parameters(index = "0", paramLabel = "TENANT", description = "Tenant id.")
        String tenant;

        @Parameters(index = "1", paramLabel = "PIPELINE", description = "Pipeline id.")
        String pipeline;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why; kept in the audit log.")
        String reason;

        @Option(names = "--target", paramLabel = "T", description = "Release the lock on this target's lock store (a BigQuery"
                + " target's shared lock table). Default: this workstation's locks.")
        String target;

        @Override
        public Integer call() {
            LoadedWorkspace workspace = loadWorkspace(requireWorkspace());
            try (WorkspaceState state = openState(workspace)) {
                LockHolder me = LockHolder.current("cli");
                String by = me.user() + "@" + me.host();
                LockKey key = new LockKey(tenant, pipeline);
                ForceRelease released = target == null ? state.forceRelease(key, by, reason)
                        : state.forceRelease(locksOf(state, workspace, effectiveConfig(workspace), target), key, by, reason);
                out().println("released " + tenant + "/" + pipeline + " (epoch " + released.previousEpoch() + ") held by run "
                        + released.previousHolder().runId() + " on " + released.previousHolder().host() + " pid "
                        + released.previousHolder().pid() + "; that run can no longer publish");
                out().flush();
            }
            return ExitCodes.OK;
        }
    }
}
