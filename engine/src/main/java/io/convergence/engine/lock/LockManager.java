package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.LockSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's entry point to run locks: acquires with retries, keeps leases alive with a background
 * heartbeat, tells holders when they lose a lock, and releases what is still held on close or JVM
 * shutdown. One per process (per state store); the store itself is owned, and closed, by the caller.
 */
public final class LockManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LockManager.class);
    private static final AtomicInteger MANAGER_IDS = new AtomicInteger();

    private final LockStore store;
    private final LockSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RunStateRepair repair;
    private final LockMetrics metrics;
    private final ScheduledExecutorService heartbeats;
    private final Set<LockHandle> open = ConcurrentHashMap.newKeySet();
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LockManager(Builder builder) {
        this.store = builder.store;
        this.settings = builder.settings;
        this.clock = builder.clock;
        this.sleeper = builder.sleeper;
        this.repair = builder.repair;
        this.metrics = new LockMetrics(clock);
        int id = MANAGER_IDS.incrementAndGet();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "convergence-lock-heartbeat-" + id);
            // a heartbeat must never keep the JVM alive; the shutdown hook releases what is left
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.heartbeats = executor;
        if (builder.shutdownHook) {
            this.shutdownHook = new Thread(this::releaseAllOnShutdown, "convergence-lock-shutdown-" + id);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            this.shutdownHook = null;
        }
    }

    public static Builder builder(LockStore store, LockSettings settings) {
        return new Builder(store, settings);
    }

    /** Builds a {@link LockManager}; clock, sleeper, repair and the shutdown hook have production defaults. */
    public static final class Builder {
        private final LockStore store;
        private final LockSettings settings;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RunStateRepair repair = RunStateRepair.NONE;
        private boolean shutdownHook = true;

        private Builder(LockStore store, LockSettings settings) {
            this.store = requireNonNull(store, "store is null");
            this.settings = requireNonNull(settings, "settings is null");
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock is null");
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = requireNonNull(sleeper, "sleeper is null");
            return this;
        }

        /** Where runs found dead (expired lease taken over, force release) are marked INTERRUPTED. */
        public Builder repair(RunStateRepair repair) {
            this.repair = requireNonNull(repair, "repair is null");
            return this;
        }

        /** Whether a JVM shutdown hook releases locks still held (default true). */
        public Builder shutdownHook(boolean shutdownHook) {
            this.shutdownHook = shutdownHook;
            return this;
        }

        public LockManager build() {
            validate(settings);
            return new LockManager(this);
        }
    }

    /** Refuses settings under which a healthy holder could lose its lock. */
    static void validate(LockSettings settings) {
        if (!isPositive(settings.lease())) {
            throw invalid("locks.lease must be positive, got " + Durations.format(settings.lease()));
        }
        if (!isPositive(settings.heartbeat())) {
            throw invalid("locks.heartbeat must be positive, got " + Durations.format(settings.heartbeat()));
        }
        if (settings.heartbeat().compareTo(settings.lease()) >= 0) {
            throw invalid("locks.heartbeat (" + Durations.format(settings.heartbeat()) + ") must be shorter than"
                    + " locks.lease (" + Durations.format(settings.lease()) + "), else every lease expires before"
                    + " it is renewed; a third of the lease or less is usual");
        }
        if (settings.acquireRetries() < 0) {
            throw invalid("locks.acquire_retries must be 0 or more, got " + settings.acquireRetries());
        }
        if (settings.retryDelay().isNegative()) {
            throw invalid("locks.retry_delay must not be negative");
        }
        if (settings.shutdownGrace().isNegative()) {
            throw invalid("locks.shutdown_grace must not be negative");
        }
    }

    private static boolean isPositive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static ConvergenceException invalid(String message) {
        return new ConvergenceException(ErrorCode.SETTING_INVALID, message);
    }

    public LockStore store() {
        return store;
    }

    public LockSettings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public LockMetrics metrics() {
        return metrics;
    }

    /** Acquires the lock or throws {@link LockHeldException}; see {@link #acquire(LockKey, LockHolder, LockLossListener)}. */
    public LockHandle acquire(LockKey key, LockHolder holder) {
        return acquire(key, holder, LockLossListener.NONE);
    }

    /**
     * Acquires the lock on {@code key} for {@code holder}, trying {@code 1 + acquire_retries} times
     * {@code retry_delay} apart; a lease that expired is taken over (and its run marked INTERRUPTED).
     * The returned handle is renewed every {@code heartbeat} until closed; {@code onLost} hears when
     * it is lost.
     *
     * @throws LockHeldException when another run holds the lock throughout
     * @throws ConvergenceException {@code RUN_CANCELLED} when interrupted while waiting,
     *         {@code STATE_STORE_UNAVAILABLE} when the store fails
     */
    public LockHandle acquire(LockKey key, LockHolder holder, LockLossListener onLost) {
        requireNonNull(key, "key is null");
        requireNonNull(holder, "holder is null");
        requireNonNull(onLost, "onLost is null");
        checkOpen();
        Instant start = clock.instant();
        int attempts = 1 + settings.acquireRetries();
        Lease busy = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            LockGrant grant = store.tryAcquire(key, holder, settings.lease(), clock.instant());
            if (grant instanceof LockGrant.Granted granted) {
                LockHandle handle = register(granted.lease(), onLost);
                metrics.recordAcquired(granted.lease(), Duration.between(start, clock.instant()));
                LOG.info("Run {} acquired lock {} (epoch {}, lease {} until {})", holder.runId(), key,
                        granted.lease().epoch(), Durations.format(settings.lease()), granted.lease().expiresAt());
                granted.expiredPredecessor().ifPresent(previous -> interruptExpired(previous, granted.lease()));
                return handle;
            }
            busy = grant.lease();
            metrics.recordContention();
            LOG.info("Lock {} is held by {} (epoch {}, expires {}); attempt {} of {}", key, busy.holder().describe(),
                    busy.epoch(), busy.expiresAt(), attempt, attempts);
            if (attempt < attempts) {
                try {
                    sleeper.sleep(settings.retryDelay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    metrics.recordAcquireFailed(Duration.between(start, clock.instant()));
                    throw new ConvergenceException(ErrorCode.RUN_CANCELLED,
                            "interrupted while waiting for the lock on " + key, e);
                }
            }
        }
        Instant now = clock.instant();
        metrics.recordAcquireFailed(Duration.between(start, now));
        throw new LockHeldException(busy, attempts, now);
    }

    private LockHandle register(Lease lease, LockLossListener onLost) {
        LockHandle handle = new LockHandle(this, lease);
        handle.onLost(onLost);
        open.add(handle);
        long period = settings.heartbeat().toMillis();
        try {
            ScheduledFuture<?> future = heartbeats.scheduleWithFixedDelay(() -> {
                try {
                    handle.heartbeat();
                } catch (RuntimeException e) {
                    // an escaped exception would silently cancel the schedule; keep beating
                    LOG.error("Heartbeat of {} failed", handle, e);
                }
            }, period, period, TimeUnit.MILLISECONDS);
            handle.startHeartbeat(future);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        return handle;
    }

    private void interruptExpired(Lease previous, Lease taker) {
        metrics.recordExpirationSeen();
        String reason = "its lock on " + previous.key() + " (epoch " + previous.epoch() + ") expired at "
                + previous.expiresAt() + " without a heartbeat since " + previous.heartbeatAt()
                + "; taken over by run " + taker.runId();
        LOG.warn("Run {} on host {} (pid {}) stopped renewing lock {}; marking it interrupted",
                previous.runId(), previous.holder().host(), previous.holder().pid(), previous.key());
        try {
            repair.markInterrupted(previous.runId(), reason);
        } catch (RuntimeException e) {
            LOG.warn("Could not mark run {} interrupted; the zombie reaper will not find it any more", previous.runId(), e);
        }
    }

    void unregister(LockHandle handle) {
        open.remove(handle);
    }

    /** Locks this manager holds right now (not yet closed, lost ones included). */
    public List<LockHandle> openHandles() {
        return List.copyOf(open);
    }

    /** Every lease in the store, including other processes' and expired ones. */
    public List<Lease> currentLeases() {
        return store.currentLeases();
    }

    public Optional<Lease> lease(LockKey key) {
        return store.lease(key);
    }

    /**
     * Takes the lock on {@code key} away from its holder, audited with {@code by} and {@code reason};
     * the holder's run is marked INTERRUPTED (a live holder finds out at its next heartbeat and stops).
     *
     * @throws ConvergenceException {@code PARAMETER_INVALID} without a reason, {@code LOCK_NOT_HELD}
     *         when nobody holds the lock
     */
    public ForceRelease forceRelease(LockKey key, String by, String reason) {
        requireNonNull(key, "key is null");
        requireNonNull(by, "by is null");
        if (reason == null || reason.isBlank()) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                    "a force release needs a reason; it is kept in the lock audit");
        }
        Optional<ForceRelease> released = store.forceRelease(key, by, reason.strip(), clock.instant());
        if (released.isEmpty()) {
            throw new ConvergenceException(ErrorCode.LOCK_NOT_HELD, "pipeline " + key + " is not locked; nothing to release");
        }
        ForceRelease entry = released.get();
        metrics.recordForceRelease();
        // the audit record is the lock store's audit row; this line is for the logs (INFO): whoever released it was told
        // already (the CLI prints its own message, the app shows it), so it is no warning on their terminal
        LOG.info("Lock {} (epoch {}) of {} force-released by {}: {}", key, entry.previousEpoch(),
                entry.previousHolder().describe(), by, entry.reason());
        try {
            repair.markInterrupted(entry.previousHolder().runId(),
                    "its lock on " + key + " was force-released by " + by + ": " + entry.reason());
        } catch (RuntimeException e) {
            LOG.warn("Could not mark run {} interrupted after the force release", entry.previousHolder().runId(), e);
        }
        return entry;
    }

    /** Force releases, newest first, of one key or of all keys. */
    public List<ForceRelease> forceReleaseHistory(Optional<LockKey> key, int limit) {
        return store.forceReleaseHistory(key, limit);
    }

    /** A reaper over this manager's store, repair and metrics. */
    public ZombieReaper reaper() {
        return new ZombieReaper(store, repair, clock, metrics);
    }

    /** Releases every lock still held, stops the heartbeat and removes the shutdown hook. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseAll();
        heartbeats.shutdownNow();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running or will run, and finds nothing to do
            }
        }
    }

    /**
     * The shutdown hook: gives each run {@code shutdown_grace} to cancel its work, record INTERRUPTED
     * and close its handle itself, then releases whatever is still held.
     */
    void releaseAllOnShutdown() {
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        while (!open.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!open.isEmpty()) {
            LOG.warn("Releasing {} lock(s) still held at shutdown", open.size());
        }
        releaseAll();
    }

    private void releaseAll() {
        for (LockHandle handle : List.copyOf(open)) {
            handle.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("lock manager is closed");
        }
    }
}
