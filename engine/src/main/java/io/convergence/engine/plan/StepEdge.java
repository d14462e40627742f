package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

/**
 * A dependency between two planned steps. {@code perPartition} edges link partition p of
 * {@code from} only to partition p of {@code to}; other edges are barriers (every unit of
 * {@code from} before any unit of {@code to}).
 */
public record StepEdge(String from, String to, boolean perPartition) {
    public StepEdge {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
    }
}
