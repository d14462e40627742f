package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.run.RunState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pipeline picture independent of any drawing toolkit: nodes with boxes, type, problem counts and an optional
 * run state; edges as cubic curves from output port to input port. The SVG writer, the PNG writer and the
 * designer canvas all draw this, so they show the same thing.
 */
public record GraphScene(String title, List<SceneNode> nodes, List<SceneEdge> edges, Bounds bounds) {
    public GraphScene {
        requireNonNull(title, "title is null");
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
        requireNonNull(bounds, "bounds is null");
    }

    /** One step's node. {@code state} is null when no run state is shown. */
    public record SceneNode(String id, String typeName, NodeBox box, int errors, int warnings, RunState state) {
        public SceneNode {
            requireNonNull(id, "id is null");
            requireNonNull(typeName, "typeName is null");
            requireNonNull(box, "box is null");
        }
    }

    /** One dependency edge. */
    public record SceneEdge(Edge edge, Curve curve, boolean problem) {
        public SceneEdge {
            requireNonNull(edge, "edge is null");
            requireNonNull(curve, "curve is null");
        }
    }

    /** A cubic Bezier curve. */
    public record Curve(Point start, Point control1, Point control2, Point end) {
        public Point at(double t) {
            double u = 1 - t;
            double a = u * u * u;
            double b = 3 * u * u * t;
            double c = 3 * u * t * t;
            double d = t * t * t;
            return new Point(a * start.x() + b * control1.x() + c * control2.x() + d * end.x(),
                    a * start.y() + b * control1.y() + c * control2.y() + d * end.y());
        }

        /** Direction at the end, as a unit vector (for the arrow head). */
        public Point endDirection() {
            double dx = end.x() - control2.x();
            double dy = end.y() - control2.y();
            double length = Math.hypot(dx, dy);
            return length < 1e-9 ? new Point(1, 0) : new Point(dx / length, dy / length);
        }

        /** Distance from a point to the curve, by sampling (good enough for hit tests). */
        public double distanceTo(double x, double y) {
            double best = Double.POSITIVE_INFINITY;
            Point previous = start;
            for (int i = 1; i <= 24; i++) {
                Point next = at(i / 24.0);
                best = Math.min(best, segmentDistance(previous, next, x, y));
                previous = next;
            }
            return best;
        }

        private static double segmentDistance(Point a, Point b, double x, double y) {
            double dx = b.x() - a.x();
            double dy = b.y() - a.y();
            double lengthSquared = dx * dx + dy * dy;
            double t = lengthSquared == 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x()) * dx + (y - a.y()) * dy) / lengthSquared));
            return Math.hypot(x - (a.x() + t * dx), y - (a.y() + t * dy));
        }
    }

    /** The curve of an edge between two boxes: out of the right side, into the left side. */
    public static Curve curve(NodeBox from, NodeBox to) {
        return curve(from.outputPort(), to.inputPort());
    }

    public static Curve curve(Point start, Point end) {
        double bend = Math.max(40, Math.abs(end.x() - start.x()) / 2);
        return new Curve(start, new Point(start.x() + bend, start.y()), new Point(end.x() - bend, end.y()), end);
    }

    /** The picture of a pipeline with a layout, problem badges and optional run states. */
    public static GraphScene of(Pipeline pipeline, LayoutResult layout, ProblemTargets problems, Map<String, RunState> states) {
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(layout, "layout is null");
        requireNonNull(problems, "problems is null");
        requireNonNull(states, "states is null");
        List<SceneNode> nodes = new ArrayList<>();
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (Step step : pipeline.steps()) {
            NodeBox box = layout.nodes().get(step.id());
            if (box == null || !seen.add(step.id())) {
                continue;
            }
            ProblemTargets.Counts counts = problems.counts(step.id());
            nodes.add(new SceneNode(step.id(), step.typeName(), box, counts.errors(), counts.warnings(), states.get(step.id())));
        }
        List<SceneEdge> edges = new ArrayList<>();
        for (Step step : pipeline.steps()) {
            NodeBox to = layout.nodes().get(step.id());
            for (String dependency : new LinkedHashSet<>(step.dependsOn())) {
                NodeBox from = layout.nodes().get(dependency);
                if (from == null || to == null || dependency.equals(step.id())) {
                    continue;
                }
                Edge edge = new Edge(dependency, step.id());
                edges.add(new SceneEdge(edge, curve(from, to), problems.hasProblem(edge)));
            }
        }
        return new GraphScene(pipeline.id(), nodes, edges, layout.bounds());
    }

    public static GraphScene of(Pipeline pipeline, LayoutResult layout) {
        return of(pipeline, layout, ProblemTargets.none(), Map.of());
    }
}
