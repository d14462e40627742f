package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;

/** How a run splits into partitions; each binds {@code @partition_start} and {@code @partition_end}. */
@Doc("Partitioning of runs. Without --from/--to a run covers run_date minus 'lookback' units up to run_date.")
public record Partitioning(
        @Doc("Partition grain.") @Default("day") PartitionGrain type,
        @Doc("Extra earlier partitions reprocessed by a default run (late-arriving data).") @Default("0") @Minimum(0) int lookback) {
    public Partitioning {
        requireNonNull(type, "type is null");
    }
}
