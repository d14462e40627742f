package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.history.HistoryRecorder;
import io.convergence.engine.history.HistoryStore;
import io.convergence.engine.history.SqliteHistoryStore;
import io.convergence.engine.lock.ForceRelease;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.LockManager;
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

    private WorkspaceState(Path file, HistoryStore history, SqliteLockStore lockStore, LockManager locks) {
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
        WorkspaceState state = new WorkspaceState(file, history, lockStore, locks);
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
     * Force-releases the lock on {@code key} (see {@link LockManager#forceRelease}) and appends a
     * {@code FORCE_RELEASED} lock change to the holder run's history, flushed before returning, so the CLI, the
     * app and anyone reading history see the release with who did it and why.
     */
    public ForceRelease forceRelease(LockKey key, String by, String reason) {
        ForceRelease released = locks.forceRelease(key, by, reason);
        recorder.onEvent(new RunEvent.LockChanged(released.previousHolder().runId(), released.at(), key.tenant(),
                key.pipeline(), "FORCE_RELEASED", released.previousEpoch(), "by " + by + ": " + released.reason()));
        try {
            recorder.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return released;
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
        locks.close();
        lockStore.close();
        history.close();
    }
}
