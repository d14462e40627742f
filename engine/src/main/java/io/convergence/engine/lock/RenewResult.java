package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Answer to {@link LockStore#renew}: the extended lease, or why it cannot be renewed. */
public sealed interface RenewResult permits RenewResult.Renewed, RenewResult.Lost {
    boolean isRenewed();

    /** The lease was extended; {@code lease} carries the new heartbeat and expiry. */
    record Renewed(Lease lease) implements RenewResult {
        public Renewed {
            requireNonNull(lease, "lease is null");
        }

        @Override
        public boolean isRenewed() {
            return true;
        }
    }

    /** The caller's epoch is gone for good; {@code current} is whoever holds the key now, if anyone. */
    record Lost(LossReason reason, Optional<Lease> current) implements RenewResult {
        public Lost {
            requireNonNull(reason, "reason is null");
            requireNonNull(current, "current is null");
        }

        @Override
        public boolean isRenewed() {
            return false;
        }
    }
}
