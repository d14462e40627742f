package io.convergence.engine.model;

import java.util.OptionalLong;

/** How many rows a quality step examines: {@code full} or a positive row count (YAML: {@code full} or a number). */
public record Sample(OptionalLong rows) {
    public static final Sample FULL = new Sample(OptionalLong.empty());

    public Sample {
        java.util.Objects.requireNonNull(rows, "rows is null");
        if (rows.isPresent() && rows.getAsLong() < 1) {
            throw new IllegalArgumentException("sample rows must be positive");
        }
    }

    public static Sample ofRows(long rows) {
        return new Sample(OptionalLong.of(rows));
    }

    public boolean isFull() {
        return rows.isEmpty();
    }

    @Override
    public String toString() {
        return rows.isPresent() ? Long.toString(rows.getAsLong()) : "full";
    }
}
