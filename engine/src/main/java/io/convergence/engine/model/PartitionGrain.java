package io.convergence.engine.model;

/** Grain of a time partition, as in BigQuery time partitioning. */
public enum PartitionGrain {
    HOUR, DAY, MONTH, YEAR
}
