package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How a run ended, with every unit's final state in plan order. */
public record RunResult(String runId, RunState state, Instant startedAt, Instant finishedAt, Optional<String> errorCode,
        Optional<String> errorMessage, List<UnitResult> units) {
    public RunResult {
        requireNonNull(runId, "runId is null");
        requireNonNull(state, "state is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(errorCode, "errorCode is null");
        requireNonNull(errorMessage, "errorMessage is null");
        units = List.copyOf(units);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    public Optional<UnitResult> unit(UnitKey key) {
        return units.stream().filter(u -> u.key().equals(key)).findFirst();
    }

    public List<UnitResult> unitsIn(RunState wanted) {
        return units.stream().filter(u -> u.state() == wanted).toList();
    }
}
