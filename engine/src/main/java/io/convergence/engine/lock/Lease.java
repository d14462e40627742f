package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A granted lock: valid until {@code expiresAt} unless renewed. The epoch is the fencing token: it
 * strictly increases with every grant of the same key, so a newer holder always has a larger epoch.
 */
public record Lease(LockKey key, LockHolder holder, long epoch, Instant acquiredAt, Instant heartbeatAt,
                    Instant expiresAt) {
    public Lease {
        requireNonNull(key, "key is null");
        requireNonNull(holder, "holder is null");
        requireNonNull(acquiredAt, "acquiredAt is null");
        requireNonNull(heartbeatAt, "heartbeatAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1, got " + epoch);
        }
    }

    public String runId() {
        return holder.runId();
    }

    /** True once {@code now} reached the expiry: an expired lease may be taken over. */
    public boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** How long the lock has been held. */
    public Duration age(Instant now) {
        return nonNegative(Duration.between(acquiredAt, now));
    }

    /** Time since the last heartbeat (or the grant). */
    public Duration sinceHeartbeat(Instant now) {
        return nonNegative(Duration.between(heartbeatAt, now));
    }

    /** Time left before expiry; zero once expired. */
    public Duration remaining(Instant now) {
        return nonNegative(Duration.between(now, expiresAt));
    }

    /** Length of the current lease window, from the last heartbeat to the expiry. */
    public Duration leaseDuration() {
        return nonNegative(Duration.between(heartbeatAt, expiresAt));
    }

    /**
     * Share of the current lease window already used, 0 to 100. A healthy holder stays well below
     * 100 because every heartbeat starts a new window; 100 means expired.
     */
    public double leaseUsedPercent(Instant now) {
        long window = leaseDuration().toMillis();
        if (window <= 0) {
            return 100.0;
        }
        double used = 100.0 * Duration.between(heartbeatAt, now).toMillis() / window;
        return Math.max(0.0, Math.min(100.0, used));
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
