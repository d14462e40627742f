package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.WriteMode;
import java.util.Optional;

/**
 * How staged rows reach their target: appended, replacing the whole table, or replacing one partition
 * (then {@code partition} is required and every staged row must fall inside it).
 */
public record Publication(TableId target, WriteMode mode, Optional<PartitionRange> partition) {
    public Publication {
        requireNonNull(target, "target is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(partition, "partition is null");
        if (mode == WriteMode.REPLACE_PARTITIONS && partition.isEmpty()) {
            throw new IllegalArgumentException("replace_partitions needs a partition range");
        }
    }

    public static Publication append(TableId target) {
        return new Publication(target, WriteMode.APPEND, Optional.empty());
    }

    public static Publication replace(TableId target) {
        return new Publication(target, WriteMode.REPLACE, Optional.empty());
    }

    public static Publication replacePartition(TableId target, PartitionRange range) {
        return new Publication(target, WriteMode.REPLACE_PARTITIONS, Optional.of(range));
    }
}
