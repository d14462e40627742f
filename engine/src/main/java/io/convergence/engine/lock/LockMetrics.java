package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Lock metrics of one process (one {@link LockManager}): locks held, their ages, contention, waits,
 * expirations and force releases. Read as a {@link Snapshot} or as Prometheus text.
 */
public final class LockMetrics {
    /** Upper bounds, in seconds, of the acquire wait histogram buckets (+Inf is implied). */
    public static final List<Double> WAIT_BUCKETS = List.of(
            0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0);

    private final Clock clock;
    private final Map<LockKey, Lease> active = new ConcurrentHashMap<>();
    private final AtomicLong acquisitions = new AtomicLong();
    private final AtomicLong acquireFailures = new AtomicLong();
    private final AtomicLong contention = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong expirations = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong forceReleases = new AtomicLong();
    private final AtomicLong reaped = new AtomicLong();
    private final AtomicLongArray waitBuckets = new AtomicLongArray(WAIT_BUCKETS.size() + 1);
    private final AtomicLong waitCount = new AtomicLong();
    private final DoubleAdder waitSeconds = new DoubleAdder();

    public LockMetrics(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A lock held by this process, as the metrics last saw it. */
    public record ActiveLock(LockKey key, long epoch, Duration age, double leaseUsedPercent) {
        public ActiveLock {
            requireNonNull(key, "key is null");
            requireNonNull(age, "age is null");
        }
    }

    /** The metrics at one instant. {@code waitBuckets} are cumulative counts, the last one is +Inf. */
    public record Snapshot(Instant at, List<ActiveLock> activeLocks, long acquisitions, long acquireFailures,
                           long contention, long renewals, long expirations, long lost, long forceReleases,
                           long reaped, long waitCount, double waitSecondsSum, List<Long> waitBuckets) {
        public Snapshot {
            requireNonNull(at, "at is null");
            activeLocks = List.copyOf(activeLocks);
            waitBuckets = List.copyOf(waitBuckets);
        }
    }

    void recordAcquired(Lease lease, Duration wait) {
        active.put(lease.key(), lease);
        acquisitions.incrementAndGet();
        recordWait(wait);
    }

    void recordAcquireFailed(Duration wait) {
        acquireFailures.incrementAndGet();
        recordWait(wait);
    }

    /** An acquisition attempt found the lock held by someone else. */
    void recordContention() {
        contention.incrementAndGet();
    }

    void recordRenewed(Lease lease) {
        renewals.incrementAndGet();
        active.computeIfPresent(lease.key(), (k, old) -> old.epoch() == lease.epoch() ? lease : old);
    }

    /** This process stopped holding {@code key} at {@code epoch} (released, or lost). */
    void recordReleased(LockKey key, long epoch) {
        active.computeIfPresent(key, (k, old) -> old.epoch() == epoch ? null : old);
    }

    void recordLost(LockKey key, long epoch, LossReason reason) {
        lost.incrementAndGet();
        if (reason == LossReason.EXPIRED) {
            expirations.incrementAndGet();
        }
        recordReleased(key, epoch);
    }

    /** An expired lease of another run was seen and dealt with (taken over or reaped). */
    void recordExpirationSeen() {
        expirations.incrementAndGet();
    }

    void recordReaped() {
        reaped.incrementAndGet();
    }

    void recordForceRelease() {
        forceReleases.incrementAndGet();
    }

    private void recordWait(Duration wait) {
        double seconds = Math.max(0, wait.toNanos()) / 1e9;
        int bucket = WAIT_BUCKETS.size();
        for (int i = 0; i < WAIT_BUCKETS.size(); i++) {
            if (seconds <= WAIT_BUCKETS.get(i)) {
                bucket = i;
                break;
            }
        }
        waitBuckets.incrementAndGet(bucket);
        waitCount.incrementAndGet();
        waitSeconds.add(seconds);
    }

    public Snapshot snapshot() {
        Instant now = clock.instant();
        List<ActiveLock> locks = new ArrayList<>();
        for (Lease lease : active.values()) {
            locks.add(new ActiveLock(lease.key(), lease.epoch(), lease.age(now), lease.leaseUsedPercent(now)));
        }
        locks.sort(Comparator.comparing((ActiveLock l) -> l.key().tenant()).thenComparing(l -> l.key().pipeline()));
        List<Long> cumulative = new ArrayList<>();
        long running = 0;
        for (int i = 0; i < waitBuckets.length(); i++) {
            running += waitBuckets.get(i);
            cumulative.add(running);
        }
        return new Snapshot(now, locks, acquisitions.get(), acquireFailures.get(), contention.get(), renewals.get(),
                expirations.get(), lost.get(), forceReleases.get(), reaped.get(), waitCount.get(), waitSeconds.sum(),
                cumulative);
    }

    /** The metrics in the Prometheus text exposition format (version 0.0.4). */
    public String toPrometheus() {
        Snapshot s = snapshot();
        StringBuilder out = new StringBuilder();
        gauge(out, "convergence_locks_active", "Locks held by this process.", s.activeLocks().size());
        header(out, "convergence_lock_age_seconds", "gauge", "How long each held lock has been held.");
        for (ActiveLock lock : s.activeLocks()) {
            sample(out, "convergence_lock_age_seconds", labels(lock.key()), lock.age().toMillis() / 1000.0);
        }
        header(out, "convergence_lock_lease_used_ratio", "gauge",
                "Share of the current lease window used since the last heartbeat (1 = expired).");
        for (ActiveLock lock : s.activeLocks()) {
            sample(out, "convergence_lock_lease_used_ratio", labels(lock.key()), lock.leaseUsedPercent() / 100.0);
        }
        header(out, "convergence_lock_epoch", "gauge", "Fencing epoch of each held lock.");
        for (ActiveLock lock : s.activeLocks()) {
            sample(out, "convergence_lock_epoch", labels(lock.key()), lock.epoch());
        }
        counter(out, "convergence_lock_acquisitions_total", "Locks acquired.", s.acquisitions());
        counter(out, "convergence_lock_acquire_failures_total",
                "Acquisitions given up because the lock stayed held.", s.acquireFailures());
        counter(out, "convergence_lock_contention_total",
                "Acquisition attempts that found the lock held by another run.", s.contention());
        counter(out, "convergence_lock_renewals_total", "Lease renewals (heartbeats).", s.renewals());
        counter(out, "convergence_lock_expirations_total",
                "Expired leases seen: own leases that ran out, and other runs' leases taken over or reaped.",
                s.expirations());
        counter(out, "convergence_lock_lost_total", "Locks this process lost while running.", s.lost());
        counter(out, "convergence_lock_force_releases_total", "Locks force-released from this process.",
                s.forceReleases());
        counter(out, "convergence_lock_zombies_reaped_total",
                "Expired leases whose runs were marked interrupted and released.", s.reaped());
        header(out, "convergence_lock_acquire_wait_seconds", "histogram",
                "Time from asking for a lock to getting it or giving up.");
        for (int i = 0; i < s.waitBuckets().size(); i++) {
            String le = i < WAIT_BUCKETS.size() ? number(WAIT_BUCKETS.get(i)) : "+Inf";
            sample(out, "convergence_lock_acquire_wait_seconds_bucket", "{le=\"" + le + "\"}", s.waitBuckets().get(i));
        }
        sample(out, "convergence_lock_acquire_wait_seconds_sum", "", s.waitSecondsSum());
        sample(out, "convergence_lock_acquire_wait_seconds_count", "", s.waitCount());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        header(out, name, "gauge", help);
        sample(out, name, "", value);
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        sample(out, name, "", value);
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append(labels).append(' ').append(number(value)).append('\n');
    }

    private static String labels(LockKey key) {
        return "{tenant=\"" + escape(key.tenant()) + "\",pipeline=\"" + escape(key.pipeline()) + "\"}";
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }
}
