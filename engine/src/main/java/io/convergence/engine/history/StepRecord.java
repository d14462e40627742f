package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The latest state of one step (or, with a partition, of one partition of a step) in a run, folded
 * from its events. {@code errorMessage} also carries skip and cancel reasons.
 */
public record StepRecord(
        String stepId,
        Optional<String> partition,
        RunState state,
        int attempt,
        long rows,
        long bytes,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        Optional<Duration> duration,
        Optional<String> errorCode,
        Optional<String> errorMessage) {
    public StepRecord {
        requireNonNull(stepId, "stepId is null");
        requireNonNull(partition, "partition is null");
        requireNonNull(state, "state is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(errorCode, "errorCode is null");
        requireNonNull(errorMessage, "errorMessage is null");
    }
}
