package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.exec.PartitionWindow;
import java.util.List;
import java.util.Set;

/**
 * What to plan: the partition windows of the run (empty when the pipeline is not partitioned), the
 * steps to cover, and for {@code --resume} the units an earlier run already completed, which the
 * plan keeps as SKIPPED so that downstream units still see them as done.
 */
public record PlanRequest(List<PartitionWindow> partitions, StepSelection selection, Set<UnitKey> alreadySucceeded) {
    public PlanRequest {
        partitions = List.copyOf(requireNonNull(partitions, "partitions is null"));
        requireNonNull(selection, "selection is null");
        alreadySucceeded = Set.copyOf(requireNonNull(alreadySucceeded, "alreadySucceeded is null"));
    }

    /** Every step, no partitions, nothing to resume. */
    public static PlanRequest allSteps() {
        return new PlanRequest(List.of(), StepSelection.all(), Set.of());
    }

    /** Every step over these partitions. */
    public static PlanRequest forPartitions(List<PartitionWindow> partitions) {
        return new PlanRequest(partitions, StepSelection.all(), Set.of());
    }

    public PlanRequest withPartitions(List<PartitionWindow> newPartitions) {
        return new PlanRequest(newPartitions, selection, alreadySucceeded);
    }

    public PlanRequest withSelection(StepSelection newSelection) {
        return new PlanRequest(partitions, newSelection, alreadySucceeded);
    }

    public PlanRequest withAlreadySucceeded(Set<UnitKey> units) {
        return new PlanRequest(partitions, selection, units);
    }
}
