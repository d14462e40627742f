package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock held by a run, kept alive by the manager's heartbeat. Close it (try-with-resources) to
 * release; closing twice is harmless. When the lease is lost the handle turns invalid for good, its
 * {@link LockLossListener}s fire once, and {@link #checkFence()} refuses: the run must stop.
 */
public final class LockHandle implements FenceGuard, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LockHandle.class);

    private enum State { ACTIVE, LOST, RELEASED }

    private final LockManager manager;
    private final LockKey key;
    private final LockHolder holder;
    private final long epoch;
    private final List<LockLossListener> listeners = new CopyOnWriteArrayList<>();

    // guarded by this
    private State state = State.ACTIVE;
    private Lease lease;
    private LockLoss loss;
    private ScheduledFuture<?> heartbeat;

    LockHandle(LockManager manager, Lease lease) {
        this.manager = requireNonNull(manager, "manager is null");
        this.lease = requireNonNull(lease, "lease is null");
        this.key = lease.key();
        this.holder = lease.holder();
        this.epoch = lease.epoch();
    }

    @Override
    public LockKey key() {
        return key;
    }

    public LockHolder holder() {
        return holder;
    }

    public String runId() {
        return holder.runId();
    }

    /** The fencing token: pass it to the warehouse, which refuses publishes from older epochs. */
    @Override
    public long epoch() {
        return epoch;
    }

    /** The lease as of the last successful renewal. */
    public synchronized Lease lease() {
        return lease;
    }

    /** Why the lock was lost; empty while held or after a normal release. */
    public synchronized Optional<LockLoss> loss() {
        return Optional.ofNullable(loss);
    }

    /** True while the lock is held, not released, and its lease has not run out by this process's clock. */
    public boolean isValid() {
        Lease current;
        synchronized (this) {
            if (state != State.ACTIVE) {
                return false;
            }
            current = lease;
        }
        return !current.isExpired(manager.clock().instant());
    }

    /** Registers a listener told once when the lock is lost; told at once if it already is. */
    public void onLost(LockLossListener listener) {
        requireNonNull(listener, "listener is null");
        LockLoss already;
        synchronized (this) {
            listeners.add(listener);
            already = loss;
        }
        if (already != null) {
            notifyListener(listener, already);
        }
    }

    /**
     * Asks the store whether this epoch still holds the lock; throws {@code ConvergenceException}
     * with {@code FENCING_REJECTED} (and marks the handle lost) if not. Call it right before publishing.
     */
    public void checkFence() {
        State current;
        LockLoss lost;
        synchronized (this) {
            current = state;
            lost = loss;
        }
        if (current == State.RELEASED) {
            throw new ConvergenceException(ErrorCode.FENCING_REJECTED, "run " + runId() + " may not publish to "
                    + key + ": it already released its lock (epoch " + epoch + ")");
        }
        if (current == State.LOST) {
            throw rejected(lost.detail());
        }
        Instant now = manager.clock().instant();
        if (manager.store().validateEpoch(key, epoch, now)) {
            return;
        }
        Optional<Lease> holderNow;
        try {
            holderNow = manager.store().lease(key);
        } catch (RuntimeException e) {
            // the verdict stands; only the explanation is poorer
            holderNow = Optional.empty();
        }
        LossReason reason;
        if (holderNow.isEmpty()) {
            reason = LossReason.RELEASED;
        } else if (holderNow.get().epoch() != epoch) {
            reason = LossReason.TAKEN_OVER;
        } else {
            reason = LossReason.EXPIRED;
        }
        String detail = describeLoss(reason, holderNow, now);
        markLost(reason, detail, now);
        throw rejected(detail);
    }

    /** Same as {@link #checkFence()}: the {@link FenceGuard} a warehouse calls before publishing. */
    @Override
    public void check() {
        checkFence();
    }

    /** Releases the lock (if still held) and stops the heartbeat. Idempotent; never throws. */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.RELEASED) {
                return;
            }
            state = State.RELEASED;
            cancelHeartbeat();
        }
        try {
            if (manager.store().release(key, runId(), epoch)) {
                LOG.debug("Released lock {} (epoch {}) of run {}", key, epoch, runId());
            }
        } catch (RuntimeException e) {
            Lease last = lease();
            LOG.warn("Could not release lock {} (epoch {}) of run {}; others can take it after it expires at {}",
                    key, epoch, runId(), last.expiresAt(), e);
        }
        manager.metrics().recordReleased(key, epoch);
        manager.unregister(this);
    }

    synchronized void startHeartbeat(ScheduledFuture<?> future) {
        if (state == State.ACTIVE) {
            heartbeat = future;
        } else {
            future.cancel(false);
        }
    }

    /**
     * One heartbeat: renews the lease, or marks the handle lost when the lease already ran out or the
     * store says the epoch is gone. A store that cannot be reached is retried at the next heartbeat
     * until the lease runs out.
     */
    void heartbeat() {
        Lease current;
        synchronized (this) {
            if (state != State.ACTIVE) {
                return;
            }
            current = lease;
        }
        Instant now = manager.clock().instant();
        if (current.isExpired(now)) {
            markLost(LossReason.EXPIRED, describeLoss(LossReason.EXPIRED, Optional.of(current), now), now);
            return;
        }
        RenewResult result;
        try {
            result = manager.store().renew(key, runId(), epoch, now);
        } catch (RuntimeException e) {
            LOG.warn("Could not renew lock {} (epoch {}) of run {}; will retry until the lease expires at {}",
                    key, epoch, runId(), current.expiresAt(), e);
            return;
        }
        if (result instanceof RenewResult.Renewed renewed) {
            synchronized (this) {
                if (state != State.ACTIVE) {
                    return;
                }
                lease = renewed.lease();
            }
            manager.metrics().recordRenewed(renewed.lease());
            return;
        }
        RenewResult.Lost lost = (RenewResult.Lost) result;
        Optional<Lease> holderNow = lost.reason() == LossReason.EXPIRED ? Optional.of(current) : lost.current();
        markLost(lost.reason(), describeLoss(lost.reason(), holderNow, now), now);
    }

    private void markLost(LossReason reason, String detail, Instant now) {
        LockLoss newLoss;
        synchronized (this) {
            if (state != State.ACTIVE) {
                return;
            }
            state = State.LOST;
            newLoss = new LockLoss(key, epoch, reason, detail, now);
            loss = newLoss;
            cancelHeartbeat();
        }
        LOG.warn("Run {} lost its lock on {} (epoch {}): {}", runId(), key, epoch, detail);
        manager.metrics().recordLost(key, epoch, reason);
        for (LockLossListener listener : listeners) {
            notifyListener(listener, newLoss);
        }
    }

    private void notifyListener(LockLossListener listener, LockLoss lockLoss) {
        try {
            listener.lockLost(this, lockLoss);
        } catch (RuntimeException e) {
            // one broken listener must not keep the others (the one that cancels the run) from hearing it
            LOG.error("Lock loss listener failed for {} (run {})", key, runId(), e);
        }
    }

    private void cancelHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    private String describeLoss(LossReason reason, Optional<Lease> holderNow, Instant now) {
        switch (reason) {
            case EXPIRED:
                Lease last = holderNow.orElse(lease());
                return "its lease (epoch " + epoch + ") expired at " + last.expiresAt() + " before it was renewed"
                        + " (last heartbeat " + last.heartbeatAt() + ", now " + now + ")";
            case TAKEN_OVER:
                return holderNow.map(l -> "its lock (epoch " + epoch + ") was taken over by " + l.holder().describe()
                        + " with epoch " + l.epoch()).orElse("its lock (epoch " + epoch + ") was taken over");
            case RELEASED:
            default:
                return "its lock (epoch " + epoch + ") was released by someone else (a force release or the"
                        + " zombie reaper; see the lock audit)";
        }
    }

    private ConvergenceException rejected(String detail) {
        return new ConvergenceException(ErrorCode.FENCING_REJECTED,
                "run " + runId() + " may not publish to " + key + ": " + detail);
    }

    @Override
    public String toString() {
        return "LockHandle[" + key + ", epoch " + epoch + ", run " + runId() + "]";
    }
}
