package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

/** Where a step's node sits: its top-left corner and size in graph coordinates. */
public record NodeBox(String id, double x, double y, double width, double height) {
    public NodeBox {
        requireNonNull(id, "id is null");
    }

    public double centerX() {
        return x + width / 2;
    }

    public double centerY() {
        return y + height / 2;
    }

    public double maxX() {
        return x + width;
    }

    public double maxY() {
        return y + height;
    }

    /** The output port: middle of the right side. */
    public Point outputPort() {
        return new Point(maxX(), centerY());
    }

    /** The input port: middle of the left side. */
    public Point inputPort() {
        return new Point(x, centerY());
    }

    public boolean contains(double px, double py) {
        return px >= x && px <= maxX() && py >= y && py <= maxY();
    }

    public boolean intersects(double minX, double minY, double maxX, double maxY) {
        return x <= maxX && maxX() >= minX && y <= maxY && maxY() >= minY;
    }

    public NodeBox at(double newX, double newY) {
        return new NodeBox(id, newX, newY, width, height);
    }
}
