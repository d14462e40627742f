package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.Step;
import java.util.Optional;

/**
 * One schedulable unit of a {@link Plan}: a step, or one partition of a partitioned step.
 * {@code index} is the unit's position in the plan's deterministic topological order;
 * {@code resumed} marks a unit an earlier run completed, which the executor reports SKIPPED.
 */
public record PlanUnit(int index, Step step, Optional<PartitionWindow> partition, boolean resumed) {
    public PlanUnit {
        requireNonNull(step, "step is null");
        requireNonNull(partition, "partition is null");
        if (index < 0) {
            throw new IllegalArgumentException("index is negative");
        }
    }

    public String stepId() {
        return step.id();
    }

    public Optional<String> partitionKey() {
        return partition.map(PartitionWindow::key);
    }

    public UnitKey key() {
        return new UnitKey(step.id(), partitionKey());
    }

    @Override
    public String toString() {
        return key().toString();
    }
}
