package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import java.time.Duration;
import java.util.List;

/** Runs a BigQuery Standard SQL query into a target table. */
@Doc("Runs a SQL file (BigQuery Standard SQL; tables only through {{ ref('dataset.table') }}) into a table.")
public record TransformStep(
        @Doc("Step id, unique in the pipeline.") @Required @Pattern(Ids.ID) String id,
        @Doc("What this step does.") String description,
        @Doc("Steps that must succeed before this one.") List<@Pattern(Ids.ID) String> dependsOn,
        @Doc("Retries after a transient failure.") @Default("0") @Minimum(0) int retries,
        @Doc("Time limit of one attempt.") Duration timeout,
        @Doc("SQL file relative to pipeline.yml.") @Required String sql,
        @Doc("Target table as dataset.table.") @Required @Pattern(Ids.TABLE_REF) String target,
        @Doc("How the target is written.") @Default("replace") WriteMode write,
        @Doc("Time partitioning of the target (needed by replace_partitions).") PartitionBy partitionBy,
        @Doc("Clustering columns of the target, at most four.") List<@Pattern(Ids.COLUMN) String> clusterBy)
        implements Step {
    public TransformStep {
        requireNonNull(id, "id is null");
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requireNonNull(sql, "sql is null");
        requireNonNull(target, "target is null");
        requireNonNull(write, "write is null");
        clusterBy = clusterBy == null ? List.of() : List.copyOf(clusterBy);
    }

    @Override
    public String typeName() {
        return "transform";
    }

    @Override
    public TransformStep withId(String newId) {
        return new TransformStep(newId, description, dependsOn, retries, timeout, sql, target, write, partitionBy, clusterBy);
    }

    @Override
    public TransformStep withDependsOn(List<String> newDependsOn) {
        return new TransformStep(id, description, newDependsOn, retries, timeout, sql, target, write, partitionBy, clusterBy);
    }
}
