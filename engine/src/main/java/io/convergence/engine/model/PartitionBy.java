package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;

/** Time partitioning of a target table. */
@Doc("Time partitioning of a target table.")
public record PartitionBy(
        @Doc("DATE or TIMESTAMP column.") @Required @Pattern(Ids.COLUMN) String field,
        @Doc("Partition grain.") @Default("day") PartitionGrain type) {
    public PartitionBy {
        requireNonNull(field, "field is null");
        requireNonNull(type, "type is null");
    }
}
