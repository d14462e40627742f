package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Answer to {@link LockStore#tryAcquire}: the new lease, or the lease of whoever holds the lock now. */
public sealed interface LockGrant permits LockGrant.Granted, LockGrant.Busy {
    /** The caller's new lease when granted, else the current holder's lease. */
    Lease lease();

    boolean isGranted();

    /**
     * The lock is ours. {@code expiredPredecessor} is the lease we took over when its holder had let it
     * expire (a crashed or stalled run): the caller should record that run as interrupted.
     */
    record Granted(Lease lease, Optional<Lease> expiredPredecessor) implements LockGrant {
        public Granted {
            requireNonNull(lease, "lease is null");
            requireNonNull(expiredPredecessor, "expiredPredecessor is null");
        }

        @Override
        public boolean isGranted() {
            return true;
        }
    }

    /** Someone else holds an unexpired lease; {@code lease} is theirs. */
    record Busy(Lease lease) implements LockGrant {
        public Busy {
            requireNonNull(lease, "lease is null");
        }

        @Override
        public boolean isGranted() {
            return false;
        }
    }
}
