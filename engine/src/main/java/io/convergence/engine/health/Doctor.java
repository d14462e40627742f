package io.convergence.engine.health;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.SqliteLockStore;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.warehouse.bigquery.BigQueryDoctor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;

/**
 * The checks behind {@code convergence doctor} and the app's Health screen: Java, the workspace, the state
 * store (integrity and expired locks), disk space for it, and the warehouse target. Every check that does not
 * pass says how to fix it. Reads only; the one thing it may create is an empty warehouse file on first use.
 */
public final class Doctor {
    /** Below this much free space in the state folder, history writes are at risk. */
    static final long MIN_FREE_BYTES = 100L * 1024 * 1024;
    /** Below this much, the doctor warns. */
    static final long LOW_FREE_BYTES = 1024L * 1024 * 1024;
    static final int MIN_JAVA = 17;

    private final Function<Path, LoadResult> loader;
    private final UnaryOperator<WorkspaceConfig> settings;
    private final Clock clock;
    private final int javaFeature;

    /**
     * @param loader loads and validates a workspace folder
     * @param settings applies environment overrides to workspace.yml (the effective settings)
     */
    public Doctor(Function<Path, LoadResult> loader, UnaryOperator<WorkspaceConfig> settings, Clock clock) {
        this(loader, settings, clock, Runtime.version().feature());
    }

    Doctor(Function<Path, LoadResult> loader, UnaryOperator<WorkspaceConfig> settings, Clock clock, int javaFeature) {
        this.loader = requireNonNull(loader, "loader is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.javaFeature = javaFeature;
    }

    /** Runs every check on the workspace at {@code root}; the target is {@code target}, else the default one. */
    public List<HealthCheck> check(Path root, Optional<String> target) {
        List<HealthCheck> checks = new ArrayList<>();
        checks.add(java());
        LoadResult result;
        try {
            result = loader.apply(root);
        } catch (ConvergenceException e) {
            checks.add(HealthCheck.fail("workspace", "Workspace loads", e.describe(),
                    "give the folder that holds workspace.yml (--workspace or CONVERGENCE_WORKSPACE)"));
            return List.copyOf(checks);
        }
        checks.add(workspace(root, result));
        Optional<LoadedWorkspace> workspace = result.workspace();
        if (workspace.isEmpty()) {
            return List.copyOf(checks);
        }
        WorkspaceConfig config = settings.apply(workspace.get().config());
        Path stateFile = root.resolve(config.state().path()).toAbsolutePath().normalize();
        checks.add(stateStore(stateFile));
        checks.add(expiredLocks(stateFile));
        checks.add(diskSpace(stateFile));
        checks.add(target(root, config, target));
        checks.addAll(bigQueryMetadata(root, config, target, workspace.get()));
        return List.copyOf(checks);
    }

    /** True when no check failed. */
    public static boolean healthy(List<HealthCheck> checks) {
        return checks.stream().noneMatch(HealthCheck::failed);
    }

    HealthCheck java() {
        String title = "Java " + MIN_JAVA + " or newer";
        String version = "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")";
        if (javaFeature < MIN_JAVA) {
            return HealthCheck.fail("java", title, "running on Java " + javaFeature,
                    "install a Java " + MIN_JAVA + "+ runtime and point JAVA_HOME at it");
        }
        return HealthCheck.pass("java", title, version);
    }

    private static HealthCheck workspace(Path root, LoadResult result) {
        String title = "Workspace loads without errors";
        List<Problem> errors = result.problems().stream().filter(Problem::isError).toList();
        long warnings = result.problems().size() - errors.size();
        if (result.workspace().isEmpty()) {
            return HealthCheck.fail("workspace", title, "workspace.yml in " + root + " could not be loaded ("
                    + errors.size() + " errors)", "run 'convergence validate' and fix the problems it lists");
        }
        if (!errors.isEmpty()) {
            Problem first = errors.get(0);
            return HealthCheck.fail("workspace", title, errors.size() + " error(s); first: " + first.code().id() + " "
                            + first.location().display(root) + ": " + first.message(),
                    "run 'convergence validate' and fix the problems it lists");
        }
        LoadedWorkspace loaded = result.workspace().get();
        return HealthCheck.pass("workspace", title, root + ": " + loaded.tenants().size() + " tenant(s), "
                + loaded.pipelines().size() + " pipeline(s)" + (warnings > 0 ? ", " + warnings + " warning(s)" : ""));
    }

    HealthCheck stateStore(Path file) {
        String title = "State store opens and is intact";
        if (!Files.exists(file)) {
            return HealthCheck.pass("state", title, file + " does not exist yet; the first run creates it");
        }
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, readOnly.toProperties());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            List<String> lines = new ArrayList<>();
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
            if (lines.equals(List.of("ok"))) {
                return HealthCheck.pass("state", title, file + ": PRAGMA integrity_check ok");
            }
            return HealthCheck.fail("state", title, file + ": integrity_check reports "
                            + lines.stream().limit(3).collect(Collectors.joining("; ")),
                    "stop Convergence, move " + file.getFileName() + " away (history and locks start empty) or"
                            + " repair it with sqlite3 '.recover'");
        } catch (SQLException e) {
            return HealthCheck.fail("state", title, file + " cannot be read: " + e.getMessage(),
                    "check the file's permissions; if it is not a SQLite database, move it away (history and"
                            + " locks start empty)");
        }
    }

    HealthCheck expiredLocks(Path file) {
        String title = "No expired locks";
        if (!Files.exists(file)) {
            return HealthCheck.pass("locks", title, "no locks yet");
        }
        try (SqliteLockStore store = SqliteLockStore.open(file)) {
            List<Lease> expired = store.expiredLeases(clock.instant());
            if (expired.isEmpty()) {
                return HealthCheck.pass("locks", title, store.currentLeases().size() + " lock(s) held, none expired");
            }
            String which = expired.stream().map(l -> l.key() + " (run " + l.runId() + ", pid " + l.holder().pid() + ")")
                    .collect(Collectors.joining(", "));
            return HealthCheck.fail("locks", title, expired.size() + " expired: " + which,
                    "their holders stopped; 'convergence locks' reaps them (runs marked INTERRUPTED), or release one"
                            + " with 'convergence locks release TENANT PIPELINE --reason TEXT'");
        } catch (ConvergenceException e) {
            return HealthCheck.fail("locks", title, "locks cannot be read: " + e.describe(),
                    "see the state store check above");
        }
    }

    HealthCheck diskSpace(Path stateFile) {
        String title = "Disk space for the state folder";
        Path folder = stateFile.getParent();
        while (folder != null && !Files.exists(folder)) {
            folder = folder.getParent();
        }
        if (folder == null) {
            return HealthCheck.fail("disk", title, "no existing folder above " + stateFile, "check state.path in workspace.yml");
        }
        try {
            long free = Files.getFileStore(folder).getUsableSpace();
            String detail = DataSize.format(free) + " free in " + folder;
            if (free < MIN_FREE_BYTES) {
                return HealthCheck.fail("disk", title, detail, "free disk space, or move state.path to another disk");
            }
            if (free < LOW_FREE_BYTES) {
                return HealthCheck.warn("disk", title, detail, "history grows with every run; free some disk space soon");
            }
            return HealthCheck.pass("disk", title, detail);
        } catch (IOException e) {
            return HealthCheck.warn("disk", title, "free space of " + folder + " unknown: " + e.getMessage(),
                    "check the disk by hand");
        }
    }

    private HealthCheck target(Path root, WorkspaceConfig config, Optional<String> wanted) {
        String name = wanted.orElse(config.defaultTarget());
        Target target = config.targets().get(name);
        if (target == null) {
            return HealthCheck.fail("target." + name, "Target '" + name + "' answers", "workspace.yml defines no target '"
                    + name + "'; it defines: " + String.join(", ", new TreeSet<>(config.targets().keySet())),
                    "pick one of those with --target, or add it under targets: in workspace.yml");
        }
        return TargetCheck.check(root, name, target, clock);
    }

    /**
     * On a BigQuery target whose API answered: each tenant's metadata dataset, lock table and fence table (created
     * idempotently, as the first run would), one check each.
     */
    private List<HealthCheck> bigQueryMetadata(Path root, WorkspaceConfig config, Optional<String> wanted, LoadedWorkspace workspace) {
        String name = wanted.orElse(config.defaultTarget());
        if (!(config.targets().get(name) instanceof BigQueryTarget bigQuery)) {
            return List.of();
        }
        List<HealthCheck> out = new ArrayList<>();
        List<BigQueryDoctor.Check> checks = BigQueryDoctor.check(root, name, bigQuery,
                workspace.tenants().stream().map(t -> t.config()).toList());
        if (!checks.stream().filter(c -> c.name().equals("connectivity")).allMatch(BigQueryDoctor.Check::ok)) {
            // the target check above already says why BigQuery cannot be reached
            return out;
        }
        for (BigQueryDoctor.Check check : checks) {
            if (check.name().equals("credentials") || check.name().equals("connectivity")) {
                continue;
            }
            String id = "target." + name + "." + check.name().replaceAll("[^a-z0-9]+", "_").replaceAll("_$", "");
            out.add(check.ok() ? HealthCheck.pass(id, capitalize(check.name()), check.message())
                    : HealthCheck.fail(id, capitalize(check.name()), check.message(), check.fix()));
        }
        return out;
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
