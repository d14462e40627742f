package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds runs whose lock lease expired (their process crashed, was killed or hangs), marks them
 * INTERRUPTED through {@link RunStateRepair} and releases their locks. Safe to run from any process
 * at any time: an expired epoch can never be renewed, and the release names the expired epoch, so a
 * run that took the lock over in the meantime is never touched.
 */
public final class ZombieReaper {
    private static final Logger LOG = LoggerFactory.getLogger(ZombieReaper.class);

    private final LockStore store;
    private final RunStateRepair repair;
    private final Clock clock;
    private final LockMetrics metrics;

    public ZombieReaper(LockStore store, RunStateRepair repair, Clock clock) {
        this(store, repair, clock, new LockMetrics(clock));
    }

    public ZombieReaper(LockStore store, RunStateRepair repair, Clock clock, LockMetrics metrics) {
        this.store = requireNonNull(store, "store is null");
        this.repair = requireNonNull(repair, "repair is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /**
     * One pass: every lease expired now is reported to the repair and then released. A lease whose
     * repair fails stays in place, so the next pass tries again. Returns the leases reaped.
     */
    public List<Lease> reap() {
        Instant now = clock.instant();
        List<Lease> reaped = new ArrayList<>();
        for (Lease lease : store.expiredLeases(now)) {
            String reason = "its lock on " + lease.key() + " (epoch " + lease.epoch() + ") expired at "
                    + lease.expiresAt() + " with no heartbeat since " + lease.heartbeatAt() + ": the process (host "
                    + lease.holder().host() + ", pid " + lease.holder().pid() + ") crashed, was killed or hangs";
            try {
                repair.markInterrupted(lease.runId(), reason);
            } catch (RuntimeException e) {
                LOG.warn("Could not mark zombie run {} interrupted; keeping its expired lock on {} for the next pass",
                        lease.runId(), lease.key(), e);
                continue;
            }
            if (store.release(lease.key(), lease.runId(), lease.epoch())) {
                LOG.warn("Reaped zombie run {}: {}", lease.runId(), reason);
                metrics.recordExpirationSeen();
                metrics.recordReaped();
                reaped.add(lease);
            }
            // else it was taken over or released meanwhile; the run was interrupted either way
        }
        return reaped;
    }
}
