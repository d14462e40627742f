package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** A stored log line of a run. */
public record LogRecord(Instant at, Optional<String> stepId, Optional<String> partition, String level, String message) {
    public LogRecord {
        requireNonNull(at, "at is null");
        requireNonNull(stepId, "stepId is null");
        requireNonNull(partition, "partition is null");
        requireNonNull(level, "level is null");
        requireNonNull(message, "message is null");
    }
}
