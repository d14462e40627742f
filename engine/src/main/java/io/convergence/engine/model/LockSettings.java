package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import java.time.Duration;

/** Lease-based lock settings: one run per tenant and pipeline at a time. */
@Doc("Lease-based run locks: one run per tenant and pipeline at a time.")
public record LockSettings(
        @Doc("How long a lock stays valid without a heartbeat.") @Default("2m") Duration lease,
        @Doc("How often the holder renews its lease; well below the lease.") @Default("20s") Duration heartbeat,
        @Doc("How many more times to try when the lock is held.") @Default("3") @Minimum(0) int acquireRetries,
        @Doc("Pause between acquisition attempts.") @Default("5s") Duration retryDelay,
        @Doc("Time a stopping run gets to cancel its work and release its lock.") @Default("30s") Duration shutdownGrace) {
    public LockSettings {
        requireNonNull(lease, "lease is null");
        requireNonNull(heartbeat, "heartbeat is null");
        requireNonNull(retryDelay, "retryDelay is null");
        requireNonNull(shutdownGrace, "shutdownGrace is null");
    }
}
