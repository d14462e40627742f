package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.util.Optional;

/** Final state of one unit of a finished run; {@code errorMessage} also carries a skip or cancel reason. */
public record UnitResult(UnitKey key, RunState state, int attempts, long rows, long bytes, Optional<Duration> duration,
        Optional<String> errorCode, Optional<String> errorMessage) {
    public UnitResult {
        requireNonNull(key, "key is null");
        requireNonNull(state, "state is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(errorCode, "errorCode is null");
        requireNonNull(errorMessage, "errorMessage is null");
    }
}
