package io.convergence.engine.settings;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.StateSettings;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Every setting that can be overridden outside workspace.yml, by a {@code CONVERGENCE_*} environment variable
 * and (for some) a CLI flag. Precedence: workspace file, then environment, then flags. The .env.example file and
 * the settings section of the user guide are generated from this list.
 */
public enum Setting {
    WORKSPACE("CONVERGENCE_WORKSPACE", "", "Workspace folder (holding workspace.yml) when --workspace is not given.",
            null),
    TARGET("CONVERGENCE_TARGET", "local", "Target used when a command does not say --target (workspace.yml default_target).",
            (ws, v) -> new WorkspaceConfig(v, ws.targets(), ws.state(), ws.locks())),
    STATE_PATH("CONVERGENCE_STATE_PATH", ".convergence/state.db", "SQLite file for run history and local locks (state.path).",
            (ws, v) -> new WorkspaceConfig(ws.defaultTarget(), ws.targets(), new StateSettings(v), ws.locks())),
    LOCK_LEASE("CONVERGENCE_LOCK_LEASE", "2m", "Lock lease (locks.lease).",
            (ws, v) -> withLocks(ws, l -> new LockSettings(Durations.parse(v), l.heartbeat(), l.acquireRetries(), l.retryDelay(), l.shutdownGrace()))),
    LOCK_HEARTBEAT("CONVERGENCE_LOCK_HEARTBEAT", "20s", "Lock heartbeat interval (locks.heartbeat).",
            (ws, v) -> withLocks(ws, l -> new LockSettings(l.lease(), Durations.parse(v), l.acquireRetries(), l.retryDelay(), l.shutdownGrace()))),
    LOCK_ACQUIRE_RETRIES("CONVERGENCE_LOCK_ACQUIRE_RETRIES", "3", "Further lock acquisition attempts (locks.acquire_retries).",
            (ws, v) -> withLocks(ws, l -> new LockSettings(l.lease(), l.heartbeat(), parseCount(v), l.retryDelay(), l.shutdownGrace()))),
    LOCK_RETRY_DELAY("CONVERGENCE_LOCK_RETRY_DELAY", "5s", "Pause between lock acquisition attempts (locks.retry_delay).",
            (ws, v) -> withLocks(ws, l -> new LockSettings(l.lease(), l.heartbeat(), l.acquireRetries(), Durations.parse(v), l.shutdownGrace()))),
    SHUTDOWN_GRACE("CONVERGENCE_SHUTDOWN_GRACE", "30s", "Time a stopping run gets to cancel work and release its lock (locks.shutdown_grace).",
            (ws, v) -> withLocks(ws, l -> new LockSettings(l.lease(), l.heartbeat(), l.acquireRetries(), l.retryDelay(), Durations.parse(v)))),
    DUCKDB_THREADS("CONVERGENCE_DUCKDB_THREADS", "0", "DuckDB worker threads for every duckdb target; 0 means one per core.",
            (ws, v) -> withTargets(ws, t -> t instanceof DuckDbTarget d ? new DuckDbTarget(d.path(), parseCount(v), d.memoryLimit()) : t)),
    DUCKDB_MEMORY_LIMIT("CONVERGENCE_DUCKDB_MEMORY_LIMIT", "", "DuckDB memory limit for every duckdb target, such as 2GB; bounds the memory of large loads.",
            (ws, v) -> withTargets(ws, t -> t instanceof DuckDbTarget d ? new DuckDbTarget(d.path(), d.threads(), checkSize(v)) : t)),
    BIGQUERY_CREDENTIALS("CONVERGENCE_BIGQUERY_CREDENTIALS", "", "Credentials for every bigquery target: adc, none, or a key file path. Never the key itself.",
            (ws, v) -> withTargets(ws, t -> t instanceof BigQueryTarget b
                    ? b.withCredentials(v) : t)),
    BIGQUERY_ENDPOINT("CONVERGENCE_BIGQUERY_ENDPOINT", "", "API root URL for every bigquery target (a local BigQuery-compatible server).",
            (ws, v) -> withTargets(ws, t -> t instanceof BigQueryTarget b
                    ? b.withEndpoint(v) : t)),
    BIGQUERY_STORAGE_ENDPOINT("CONVERGENCE_BIGQUERY_STORAGE_ENDPOINT", "", "host:port of the Storage Read API (gRPC) for every bigquery target, for a local BigQuery-compatible server.",
            (ws, v) -> withTargets(ws, t -> t instanceof BigQueryTarget b ? b.withStorageEndpoint(v) : t)),
    SQL_ANALYSIS("CONVERGENCE_SQL_ANALYSIS", "on", "on: validation analyzes every SQL file as BigQuery does (native analyzer); off: refs and parameters only.",
            null),
    LOG_LEVEL("CONVERGENCE_LOG_LEVEL", "WARN", "Log level of the CLI and app: ERROR, WARN, INFO, DEBUG or TRACE.", null);

    private final String envName;
    private final String defaultValue;
    private final String description;
    private final BiFunction<WorkspaceConfig, String, WorkspaceConfig> apply;

    Setting(String envName, String defaultValue, String description, BiFunction<WorkspaceConfig, String, WorkspaceConfig> apply) {
        this.envName = requireNonNull(envName, "envName is null");
        this.defaultValue = requireNonNull(defaultValue, "defaultValue is null");
        this.description = requireNonNull(description, "description is null");
        this.apply = apply;
    }

    public String envName() {
        return envName;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** True when this setting overrides a workspace.yml value (others are read directly by the CLI or app). */
    public boolean overridesWorkspace() {
        return apply != null;
    }

    WorkspaceConfig applyTo(WorkspaceConfig config, String value) {
        return apply == null ? config : apply.apply(config, value);
    }

    private static WorkspaceConfig withLocks(WorkspaceConfig ws, java.util.function.UnaryOperator<LockSettings> change) {
        return new WorkspaceConfig(ws.defaultTarget(), ws.targets(), ws.state(), change.apply(ws.locks()));
    }

    private static WorkspaceConfig withTargets(WorkspaceConfig ws, java.util.function.UnaryOperator<Target> change) {
        Map<String, Target> targets = new HashMap<>();
        ws.targets().forEach((name, t) -> targets.put(name, change.apply(t)));
        return new WorkspaceConfig(ws.defaultTarget(), targets, ws.state(), ws.locks());
    }

    private static int parseCount(String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new io.convergence.engine.error.ConvergenceException(io.convergence.engine.error.ErrorCode.SETTING_INVALID,
                    "'" + v + "' is not a non-negative whole number");
        }
    }

    private static String checkSize(String v) {
        DataSize.parse(v);
        return v;
    }
}
