package io.convergence.engine.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Storage SPI for run locks. Implementations: {@link SqliteLockStore} (one workstation, safe across
 * processes) and, later, a BigQuery lock table (shared across workstations).
 *
 * <p>Contract, checked by {@code LockStoreContractTest} for every implementation:
 * <ul>
 *   <li>Every method is one atomic transaction against the store; two processes calling
 *       {@link #tryAcquire} on the same key at the same time never both get a grant.</li>
 *   <li>A key has at most one holder. A lease is held until released, force-released, or expired
 *       ({@code now >= expiresAt}); an expired lease stays visible until someone takes the key over
 *       or releases it, so zombies can be found.</li>
 *   <li>Each grant of a key gets epoch = last epoch of that key + 1, starting at 1. Epochs never go
 *       back, also across releases: the store keeps the key's last epoch forever. The epoch is the
 *       fencing token that the warehouse checks before a publish.</li>
 *   <li>Renew and release name the lease by run id <em>and</em> epoch, so a stale holder can never
 *       touch a newer holder's lease.</li>
 *   <li>Time is always given by the caller ({@code now}); stores do not read a clock. Stores may
 *       truncate instants (SQLite keeps milliseconds); the leases they return carry the stored values.</li>
 *   <li>Failures of the store itself surface as {@code ConvergenceException(STATE_STORE_UNAVAILABLE)}.</li>
 * </ul>
 */
public interface LockStore extends AutoCloseable {
    /**
     * Grants the lock if it is free or its lease expired at {@code now}, with epoch = previous + 1 and
     * expiry {@code now + leaseDuration}; otherwise answers {@link LockGrant.Busy} with the holder's lease.
     * Not re-entrant: a run asking again for a lock it holds gets {@code Busy} with its own lease.
     */
    LockGrant tryAcquire(LockKey key, LockHolder holder, Duration leaseDuration, Instant now);

    /**
     * Extends the lease held by {@code runId} with {@code epoch} to {@code now} + its lease duration.
     * Fails with {@link RenewResult.Lost} once that lease expired, was released, or was taken over:
     * a lost epoch can never be renewed again.
     */
    RenewResult renew(LockKey key, String runId, long epoch, Instant now);

    /**
     * Releases the lease if {@code runId} still holds it with {@code epoch} (expired or not); keeps the
     * key's epoch. Idempotent; anyone else's lease is left untouched. Returns true if this call released it.
     */
    boolean release(LockKey key, String runId, long epoch);

    /**
     * Takes the lock away from its holder, whoever it is, and records who did it and why in the audit
     * log. Returns the audit entry, or empty (and records nothing) when nobody holds the key.
     */
    Optional<ForceRelease> forceRelease(LockKey key, String by, String reason, Instant now);

    /** Every held lease, expired ones included, ordered by tenant and pipeline. */
    List<Lease> currentLeases();

    /** The lease held on {@code key}, expired or not; empty when free. */
    Optional<Lease> lease(LockKey key);

    /** Held leases that expired at {@code now}: their holders stopped heartbeating (zombie candidates). */
    List<Lease> expiredLeases(Instant now);

    /** Force releases, newest first, of one key or (when empty) of all keys; at most {@code limit}. */
    List<ForceRelease> forceReleaseHistory(Optional<LockKey> key, int limit);

    /**
     * True only if {@code epoch} is the current, unexpired lease of {@code key} at {@code now}. This is
     * the fencing check: a holder that is told false must not publish anything.
     */
    boolean validateEpoch(LockKey key, long epoch, Instant now);

    /**
     * Makes the store ready to lock these keys. Stores that can only update existing rows (the
     * BigQuery lock table uses a conditional UPDATE on pre-created rows) create them here; stores that
     * upsert need nothing. Idempotent.
     */
    default void prepare(Collection<LockKey> keys) {
    }

    /** Where the locks live, for doctor and error messages, e.g. the SQLite file path. */
    default String describe() {
        return getClass().getSimpleName();
    }

    @Override
    default void close() {
    }
}
