package io.convergence.designer.canvas;

import io.convergence.engine.graph.Bounds;
import io.convergence.engine.graph.Point;

/** Zoom and pan: maps graph coordinates to view pixels and back. Plain math, tested without FX. */
public final class Viewport {
    public static final double MIN_SCALE = 0.05;
    public static final double MAX_SCALE = 4;

    private double scale = 1;
    private double offsetX;
    private double offsetY;

    public double scale() {
        return scale;
    }

    public double offsetX() {
        return offsetX;
    }

    public double offsetY() {
        return offsetY;
    }

    public Point toView(double x, double y) {
        return new Point(x * scale + offsetX, y * scale + offsetY);
    }

    public Point toGraph(double viewX, double viewY) {
        return new Point((viewX - offsetX) / scale, (viewY - offsetY) / scale);
    }

    public void pan(double dx, double dy) {
        offsetX += dx;
        offsetY += dy;
    }

    /** Zooms by {@code factor} keeping the graph point under ({@code viewX}, {@code viewY}) where it is. */
    public void zoom(double factor, double viewX, double viewY) {
        Point anchor = toGraph(viewX, viewY);
        scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale * factor));
        offsetX = viewX - anchor.x() * scale;
        offsetY = viewY - anchor.y() * scale;
    }

    /** Shows all of {@code bounds} centred in a view of the given size, never zooming in past 1. */
    public void fit(Bounds bounds, double width, double height, double margin) {
        if (bounds.width() <= 0 || width <= 0 || height <= 0) {
            scale = 1;
            offsetX = margin;
            offsetY = margin;
            return;
        }
        double sx = (width - 2 * margin) / bounds.width();
        double sy = (height - 2 * margin) / bounds.height();
        scale = Math.max(MIN_SCALE, Math.min(1, Math.min(sx, sy)));
        offsetX = (width - bounds.width() * scale) / 2 - bounds.minX() * scale;
        offsetY = (height - bounds.height() * scale) / 2 - bounds.minY() * scale;
    }

    /** Centres the view on a graph point. */
    public void centerOn(Point point, double width, double height) {
        offsetX = width / 2 - point.x() * scale;
        offsetY = height / 2 - point.y() * scale;
    }

    /** The graph-space rectangle visible in a view of the given size. */
    public Bounds visible(double width, double height) {
        Point min = toGraph(0, 0);
        Point max = toGraph(width, height);
        return new Bounds(min.x(), min.y(), max.x(), max.y());
    }
}
