package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** A stored lock change of a run (acquired, renewed, lost, released, force-released). */
public record LockRecord(Instant at, String change, long epoch, Optional<String> detail) {
    public LockRecord {
        requireNonNull(at, "at is null");
        requireNonNull(change, "change is null");
        requireNonNull(detail, "detail is null");
    }
}
