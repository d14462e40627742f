package io.convergence.engine.graph;

/** A point in graph coordinates (pixels at zoom 1, y down). */
public record Point(double x, double y) {
    public Point translate(double dx, double dy) {
        return new Point(x + dx, y + dy);
    }
}
