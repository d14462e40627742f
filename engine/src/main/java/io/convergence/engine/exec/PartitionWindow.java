package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.PartitionGrain;
import java.time.LocalDateTime;

/**
 * One time partition of a run: {@code [start, end)}. Bound as {@code @partition_start} and
 * {@code @partition_end} (DATE for day, month and year grains; TIMESTAMP for hours).
 */
public record PartitionWindow(String key, PartitionGrain grain, LocalDateTime start, LocalDateTime end) {
    public PartitionWindow {
        requireNonNull(key, "key is null");
        requireNonNull(grain, "grain is null");
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("partition end must be after start");
        }
    }
}
