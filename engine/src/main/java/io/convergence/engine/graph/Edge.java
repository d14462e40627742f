package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

/** A dependency edge: {@code to} depends on {@code from} (data flows from, to). */
public record Edge(String from, String to) {
    public Edge {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
    }

    @Override
    public String toString() {
        return from + " \u2192 " + to;
    }
}
