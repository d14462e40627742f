package io.convergence.engine.model;

/** How a step writes its target table. */
public enum WriteMode {
    /** Add rows. */
    APPEND,
    /** Replace the whole table atomically. */
    REPLACE,
    /** Replace only the partitions this run covers, each atomically. */
    REPLACE_PARTITIONS
}
