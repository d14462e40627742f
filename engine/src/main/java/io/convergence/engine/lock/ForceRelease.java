package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** Audit record of a lock taken away from its holder by a person: who, when and why. */
public record ForceRelease(LockKey key, LockHolder previousHolder, long previousEpoch, String by, String reason,
                           Instant at) {
    public ForceRelease {
        requireNonNull(key, "key is null");
        requireNonNull(previousHolder, "previousHolder is null");
        requireNonNull(by, "by is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(at, "at is null");
    }
}
