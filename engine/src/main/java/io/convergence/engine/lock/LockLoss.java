package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A holder found out at {@code at} that it no longer holds {@code key} with {@code epoch}; {@code detail} says how. */
public record LockLoss(LockKey key, long epoch, LossReason reason, String detail, Instant at) {
    public LockLoss {
        requireNonNull(key, "key is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(at, "at is null");
    }
}
