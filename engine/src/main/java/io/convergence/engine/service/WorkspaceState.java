package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.history.HistoryRecorder;
import io.convergence.engine.history.HistoryStore;
import io.convergence.engine.history.SqliteHistoryStore;
import io.convergence.engine.lock.ForceRelease;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.LockManager;
import io.convergence.engine.lock.LockStore;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.warehouse.bigquery.BigQueryHistoryStore;
import io.convergence.engine.warehouse.bigquery.BigQueryLockStore;
import java.util.Optional;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import io.convergence.engine.lock.SqliteLockStore;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.run.RunEvent;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local state of a workspace (the SQLite file at {@code state.path}): run history and workstation locks,
 * opened together so zombie detection can repair history when it frees a lock. Opening it reaps zombies.
 */
public final class WorkspaceState implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkspaceState.class);

    private final Path file;
    private final HistoryStore history;
    private final HistoryRecorder recorder;
    private final SqliteLockStore lockStore;
    private final LockManager locks;
    private final Path root;
    private final WorkspaceConfig config;
    private final Clock clock;
    /** Lock managers of shared (BigQuery) targets, by target name; opened on first use. */
    private final Map<String, SharedLocks> shared = new HashMap<>();

    /** Run history of shared (BigQuery) targets, by target name, with the recorders that write it. */
    private final Map<String, SharedHistory> sharedHistory = new HashMap<>();

    /** A lock store shared across workstations, the manager over it, and the shared history its repairs write. */
    private record SharedLocks(LockStore store, LockManager manager, SharedHistory history) {
    }

    /** A history store shared across workstations and its recorder. */
    private record SharedHistory(HistoryStore store, HistoryRecorder recorder) {
    }

    private WorkspaceState(Path root, WorkspaceConfig config, Clock clock, Path file, HistoryStore history, SqliteLockStore lockStore,
                           LockManager locks) {
        this.root = root;
        this.config = config;
        this.clock = clock;
        this.file = file;
        this.history = history;
        this.recorder = new HistoryRecorder(history);
        this.lockStore = lockStore;
        this.locks = locks;
    }

    /** Opens (creating if needed) the state file of the workspace at {@code root}, then reaps zombie runs. */
    public static WorkspaceState open(Path root, WorkspaceConfig config, Clock clock) {
        requireNonNull(root, "root is null");
        requireNonNull(config, "config is null");
        requireNonNull(clock, "clock is null");
        Path file = root.resolve(config.state().path()).normalize();
        SqliteHistoryStore history = SqliteHistoryStore.open(file);
        SqliteLockStore lockStore;
        try {
            lockStore = SqliteLockStore.open(file);
        } catch (RuntimeException e) {
            history.close();
            throw e;
        }
        LockManager locks = LockManager.builder(lockStore, config.locks())
                .clock(clock)
                .repair((runId, reason) -> history.markInterrupted(runId, clock.instant(), reason))
                .build();
        WorkspaceState state = new WorkspaceState(root, config, clock, file, history, lockStore, locks);
        state.reapZombies();
        return state;
    }

    public Path file() {
        return file;
    }

    public HistoryStore history() {
        return history;
    }

    /** The listener that appends run events to history (batched; flushed on run end and close). */
    public HistoryRecorder recorder() {
        return recorder;
    }

    public LockManager locks() {
        return locks;
    }

    /**
     * The locks a run on {@code target} takes. A BigQuery target shares its locks with every workstation through
     * the lock table in each tenant's metadata dataset ({@link BigQueryLockStore}); other targets use this
     * workstation's SQLite locks. The zombie repair of a shared lock (an expired lease taken over, a force release)
     * marks the run INTERRUPTED in this workstation's history and in the target's shared history (runs on BigQuery
     * are recorded in both, ADR 0011), so {@code runs --target} does not show a dead run as RUNNING for ever.
     */
    public synchronized LockManager locksFor(String targetName, Target target, Collection<TenantConfig> tenants) {
        if (!(target instanceof BigQueryTarget bigQuery)) {
            return locks;
        }
        SharedLocks existing = shared.get(targetName);
        if (existing != null) {
            return existing.manager();
        }
        SharedHistory sharedRuns = sharedHistory(targetName, target, tenants).orElseThrow();
        LockStore store = BigQueryLockStore.open(bigQuery, root, tenants);
        LockManager manager = LockManager.builder(store, config.locks())
                .clock(clock)
                .repair((runId, reason) -> {
                    java.time.Instant at = clock.instant();
                    history.markInterrupted(runId, at, reason);
                    try {
                        sharedRuns.store().markInterrupted(runId, at, reason);
                    } catch (ConvergenceException e) {
                        // the lock is freed either way; the shared history then shows the run as last recorded
                        log.warn("could not mark run {} interrupted in the shared history of target {}: {}", runId, targetName, e.getMessage());
                    }
                })
                .build();
        shared.put(targetName, new SharedLocks(store, manager, sharedRuns));
        return manager;
    }

    /**
     * The run history of {@code target}: a BigQuery target's is the {@code run_events} table of each tenant's metadata
     * dataset, shared by every workstation; other targets' is this workstation's. Runs on a BigQuery target are
     * recorded in both (the local copy serves {@code --resume} and works offline).
     */
    public synchronized HistoryStore historyFor(String targetName, Target target, Collection<TenantConfig> tenants) {
        return sharedHistory(targetName, target, tenants).map(SharedHistory::store).orElse(history);
    }

    /** The recorder that writes a BigQuery target's shared history, if the target has one. */
    public synchronized Optional<HistoryRecorder> sharedRecorder(String targetName, Target target, Collection<TenantConfig> tenants) {
        return sharedHistory(targetName, target, tenants).map(SharedHistory::recorder);
    }

    private Optional<SharedHistory> sharedHistory(String targetName, Target target, Collection<TenantConfig> tenants) {
        if (!(target instanceof BigQueryTarget bigQuery)) {
            return Optional.empty();
        }
        SharedHistory existing = sharedHistory.get(targetName);
        if (existing == null) {
            HistoryStore store = BigQueryHistoryStore.open(bigQuery, root, tenants);
            existing = new SharedHistory(store, new HistoryRecorder(store));
            sharedHistory.put(targetName, existing);
        }
        return Optional.of(existing);
    }

    /**
     * Force-releases the lock on {@code key} (see {@link LockManager#forceRelease}) and appends a
     * {@code FORCE_RELEASED} lock change to the holder run's history, flushed before returning, so the CLI, the
     * app and anyone reading history see the release with who did it and why.
     */
    public ForceRelease forceRelease(LockKey key, String by, String reason) {
        return forceRelease(locks, key, by, reason);
    }

    /** {@link #forceRelease(LockKey, String, String)} on another lock manager, such as a BigQuery target's shared locks. */
    public ForceRelease forceRelease(LockManager manager, LockKey key, String by, String reason) {
        ForceRelease released = manager.forceRelease(key, by, reason);
        RunEvent.LockChanged change = new RunEvent.LockChanged(released.previousHolder().runId(), released.at(), key.tenant(),
                key.pipeline(), "FORCE_RELEASED", released.previousEpoch(), "by " + by + ": " + released.reason());
        Optional<HistoryRecorder> sharedRecorder = sharedRecorderOf(manager);
        recorder.onEvent(change);
        sharedRecorder.ifPresent(r -> r.onEvent(change));
        try {
            recorder.flush();
            if (sharedRecorder.isPresent()) {
                sharedRecorder.get().flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return released;
    }

    /** The shared history recorder of a shared lock manager; empty for this workstation's locks. */
    private synchronized Optional<HistoryRecorder> sharedRecorderOf(LockManager manager) {
        return shared.values().stream().filter(l -> l.manager() == manager).findFirst().map(l -> l.history().recorder());
    }

    /** Marks runs whose lock lease expired as INTERRUPTED and frees their locks; safe to call any time. */
    public void reapZombies() {
        try {
            locks.reaper().reap();
        } catch (ConvergenceException e) {
            log.warn("zombie check failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        recorder.close();
        synchronized (this) {
            for (SharedLocks locks : shared.values()) {
                locks.manager().close();
                locks.store().close();
            }
            shared.clear();
            for (SharedHistory h : sharedHistory.values()) {
                h.recorder().close();
                h.store().close();
            }
            sharedHistory.clear();
        }
        locks.close();
        lockStore.close();
        history.close();
    }
}
