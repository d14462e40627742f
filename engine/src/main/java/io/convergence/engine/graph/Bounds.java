package io.convergence.engine.graph;

import java.util.Collection;

/** An axis-aligned rectangle in graph coordinates. */
public record Bounds(double minX, double minY, double maxX, double maxY) {
    public static final Bounds EMPTY = new Bounds(0, 0, 0, 0);

    public double width() {
        return maxX - minX;
    }

    public double height() {
        return maxY - minY;
    }

    /** The smallest rectangle around all boxes; {@link #EMPTY} for none. */
    public static Bounds of(Collection<NodeBox> boxes) {
        if (boxes.isEmpty()) {
            return EMPTY;
        }
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (NodeBox box : boxes) {
            minX = Math.min(minX, box.x());
            minY = Math.min(minY, box.y());
            maxX = Math.max(maxX, box.maxX());
            maxY = Math.max(maxY, box.maxY());
        }
        return new Bounds(minX, minY, maxX, maxY);
    }

    public Bounds grow(double margin) {
        return new Bounds(minX - margin, minY - margin, maxX + margin, maxY + margin);
    }
}
