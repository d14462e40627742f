package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Names one unit of work of a run: a step, plus its partition key when the step is partitioned. */
public record UnitKey(String stepId, Optional<String> partition) {
    public UnitKey {
        requireNonNull(stepId, "stepId is null");
        requireNonNull(partition, "partition is null");
    }

    /** The single unit of a step that runs once. */
    public static UnitKey of(String stepId) {
        return new UnitKey(stepId, Optional.empty());
    }

    /** One partition of a partitioned step. */
    public static UnitKey of(String stepId, String partition) {
        return new UnitKey(stepId, Optional.of(partition));
    }

    /** {@code step} or {@code step[partition]}, as shown in logs and skip reasons. */
    @Override
    public String toString() {
        return partition.map(p -> stepId + "[" + p + "]").orElse(stepId);
    }
}
