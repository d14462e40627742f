package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.Clustering;
import com.google.cloud.bigquery.TimePartitioning;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.TransformStep;
import java.util.List;
import java.util.Optional;

/**
 * Time partitioning and clustering of a table as the pipeline YAML declares them ({@code partition_by},
 * {@code cluster_by}); applied when Convergence creates the table.
 */
public record TableLayout(Optional<PartitionBy> partitionBy, List<String> clusterBy) {
    public static final TableLayout NONE = new TableLayout(Optional.empty(), List.of());

    public TableLayout {
        requireNonNull(partitionBy, "partitionBy is null");
        clusterBy = List.copyOf(clusterBy);
    }

    public static TableLayout of(TransformStep step) {
        return new TableLayout(Optional.ofNullable(step.partitionBy()), step.clusterBy());
    }

    public boolean isEmpty() {
        return partitionBy.isEmpty() && clusterBy.isEmpty();
    }

    Optional<TimePartitioning> timePartitioning() {
        return partitionBy.map(p -> TimePartitioning.newBuilder(type(p.type())).setField(p.field()).build());
    }

    Optional<Clustering> clustering() {
        return clusterBy.isEmpty() ? Optional.empty() : Optional.of(Clustering.newBuilder().setFields(clusterBy).build());
    }

    private static TimePartitioning.Type type(PartitionGrain grain) {
        switch (grain) {
            case HOUR:
                return TimePartitioning.Type.HOUR;
            case MONTH:
                return TimePartitioning.Type.MONTH;
            case YEAR:
                return TimePartitioning.Type.YEAR;
            default:
                return TimePartitioning.Type.DAY;
        }
    }
}
