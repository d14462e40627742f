package io.convergence.designer.canvas;

import static java.util.Objects.requireNonNull;

import io.convergence.designer.DesignerViewModel;
import io.convergence.engine.graph.Bounds;
import io.convergence.engine.graph.Edge;
import io.convergence.engine.graph.GraphScene;
import io.convergence.engine.graph.GraphScene.Curve;
import io.convergence.engine.graph.GraphScene.SceneEdge;
import io.convergence.engine.graph.GraphScene.SceneNode;
import io.convergence.engine.graph.GraphStyle;
import io.convergence.engine.graph.NodeBox;
import io.convergence.engine.graph.Point;
import io.convergence.engine.run.RunState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.SetChangeListener;
import javafx.geometry.Point2D;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.StrokeLineCap;
import javafx.scene.shape.StrokeLineJoin;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;

/**
 * The designer's canvas: the pipeline drawn on one JavaFX {@link Canvas} (not a node per step, so a 1,000-step
 * graph is one draw call list, and only what is visible is drawn), with a minimap in the corner. It draws the
 * engine's {@link GraphScene}, the same picture as the SVG and PNG writers, plus selection and drag feedback.
 * Every edit goes through the view model as a command; a drag commits once, on release.
 */
public final class GraphCanvas extends Region {
    private static final double MINIMAP_WIDTH = 180;
    private static final double MINIMAP_HEIGHT = 120;
    private static final double DETAIL_SCALE = 0.35;
    private static final double NUDGE = 10;

    private enum Mode { NONE, MOVE, CONNECT, BAND, PAN, MINIMAP }

    private final DesignerViewModel model;
    private final Canvas canvas = new Canvas();
    private final Canvas minimap = new Canvas(MINIMAP_WIDTH, MINIMAP_HEIGHT);
    private final Viewport viewport = new Viewport();
    private final ReadOnlyStringWrapper connectionFeedback = new ReadOnlyStringWrapper(this, "connectionFeedback", "");
    private final Map<String, Color> colours = new HashMap<>();
    private Map<String, RunState> runStates = Map.of();
    private GraphScene scene;
    private Map<String, NodeBox> boxes = Map.of();
    private boolean fitPending = true;

    private Mode mode = Mode.NONE;
    private Point pressGraph;
    private Point2D lastView;
    private double dragX;
    private double dragY;
    private String connectFrom;
    private String connectTarget;
    private boolean connectAllowed;
    private Point pointer;
    private long lastFrameNanos;

    public GraphCanvas(DesignerViewModel model) {
        this.model = requireNonNull(model, "model is null");
        setId("designerCanvas");
        getStyleClass().add("designer-canvas");
        setFocusTraversable(true);
        minimap.setId("designerMinimap");
        getChildren().addAll(canvas, minimap);
        setMinSize(200, 150);

        model.commands().stateProperty().addListener((o, a, b) -> rebuild());
        model.problemTargetsProperty().addListener((o, a, b) -> rebuild());
        model.selection().steps().addListener((SetChangeListener<String>) change -> redraw());
        model.selection().edgeProperty().addListener((o, a, b) -> redraw());

        addEventHandler(MouseEvent.MOUSE_PRESSED, this::pressed);
        addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragged);
        addEventHandler(MouseEvent.MOUSE_RELEASED, this::released);
        addEventHandler(ScrollEvent.SCROLL, this::scrolled);
        addEventHandler(KeyEvent.KEY_PRESSED, this::keyPressed);
        rebuild();
    }

    // ------------------------------------------------------------------ public API

    public Viewport viewport() {
        return viewport;
    }

    /** Zooms and pans so every step is visible. */
    public void fitToView() {
        if (getWidth() <= 0 || getHeight() <= 0) {
            fitPending = true;
            return;
        }
        viewport.fit(scene.bounds(), getWidth(), getHeight(), 40);
        fitPending = false;
        redraw();
    }

    public void zoom(double factor) {
        viewport.zoom(factor, getWidth() / 2, getHeight() / 2);
        redraw();
    }

    /** Pans the view by pixels (the minimap, scroll bars and tests). */
    public void pan(double dx, double dy) {
        viewport.pan(dx, dy);
        redraw();
    }

    /** Centres the view on a step (a click in the problems list). */
    public void reveal(String stepId) {
        NodeBox box = boxes.get(stepId);
        if (box != null) {
            viewport.centerOn(new Point(box.centerX(), box.centerY()), getWidth(), getHeight());
            redraw();
        }
    }

    /** Run states to show as badges on the nodes (the run view); empty shows none. */
    public void setRunStates(Map<String, RunState> states) {
        runStates = Map.copyOf(states);
        rebuild();
    }

    /** Why the connection being dragged would be refused, or what it would do; empty when not dragging. */
    public ReadOnlyStringProperty connectionFeedbackProperty() {
        return connectionFeedback.getReadOnlyProperty();
    }

    /** Screen position of a step's centre (tests drive the canvas through the model's coordinates). */
    public Point2D screenCenterOf(String stepId) {
        NodeBox box = box(stepId);
        return toScreen(box.centerX(), box.centerY());
    }

    public Point2D screenOutputPortOf(String stepId) {
        Point port = box(stepId).outputPort();
        return toScreen(port.x(), port.y());
    }

    /** Screen position of a graph point. */
    public Point2D toScreen(double graphX, double graphY) {
        Point view = viewport.toView(graphX, graphY);
        return canvas.localToScreen(view.x(), view.y());
    }

    /** A point of the canvas with no node or edge under it, in screen coordinates, for a click on the background. */
    public Optional<Point2D> screenEmptyPoint() {
        for (double y = 10; y < getHeight() - 10; y += 17) {
            for (double x = 10; x < getWidth() - MINIMAP_WIDTH - 10; x += 17) {
                Point g = viewport.toGraph(x, y);
                if (nodeAt(g) == null && edgeAt(g) == null && outputPortAt(g) == null) {
                    return Optional.of(canvas.localToScreen(x, y));
                }
            }
        }
        return Optional.empty();
    }

    /** How long the last redraw took to issue its drawing commands, in nanoseconds (benchmarks). */
    public long lastFrameNanos() {
        return lastFrameNanos;
    }

    public GraphScene scene() {
        return scene;
    }

    Canvas canvas() {
        return canvas;
    }

    // ------------------------------------------------------------------ layout and drawing

    @Override
    protected void layoutChildren() {
        double width = getWidth();
        double height = getHeight();
        if (canvas.getWidth() != width || canvas.getHeight() != height) {
            canvas.setWidth(width);
            canvas.setHeight(height);
        }
        minimap.relocate(width - MINIMAP_WIDTH - 8, height - MINIMAP_HEIGHT - 8);
        if (fitPending && width > 0 && height > 0) {
            fitToView();
        } else {
            redraw();
        }
    }

    private void rebuild() {
        boolean wasEmpty = boxes.isEmpty();
        scene = GraphScene.of(model.pipeline(), model.layout(), model.problemTargetsProperty().get(), runStates);
        Map<String, NodeBox> byId = new LinkedHashMap<>();
        for (SceneNode node : scene.nodes()) {
            byId.put(node.id(), node.box());
        }
        boxes = byId;
        if (wasEmpty && !boxes.isEmpty()) {
            fitPending = true;
            requestLayout();
        }
        redraw();
    }

    /** Draws the visible part of the graph and the minimap. */
    public void redraw() {
        long start = System.nanoTime();
        double width = canvas.getWidth();
        double height = canvas.getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setTransform(1, 0, 0, 1, 0, 0);
        g.setFill(colour(GraphStyle.BACKGROUND));
        g.fillRect(0, 0, width, height);
        if (scene.nodes().isEmpty()) {
            g.setFill(colour(GraphStyle.MUTED_TEXT));
            g.setFont(Font.font(14));
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText("Add a step from the palette", width / 2, height / 2);
            g.setTextAlign(TextAlignment.LEFT);
        }
        g.setTransform(viewport.scale(), 0, 0, viewport.scale(), viewport.offsetX(), viewport.offsetY());
        Bounds visible = viewport.visible(width, height).grow(GraphStyle.PORT_RADIUS * 2);
        boolean detail = viewport.scale() >= DETAIL_SCALE;
        Set<String> selected = model.selection().steps();
        Edge selectedEdge = model.selection().edgeProperty().get();

        g.setLineCap(StrokeLineCap.ROUND);
        g.setLineJoin(StrokeLineJoin.ROUND);
        if (!detail && mode != Mode.MOVE) {
            drawOverview(g, visible, selected, selectedEdge);
        } else {
            drawDetail(g, visible, detail, selected, selectedEdge);
        }
        if (mode == Mode.CONNECT && pointer != null) {
            NodeBox from = current(connectFrom);
            Color c = connectTarget == null ? colour(GraphStyle.SELECTION) : colour(connectAllowed ? "#16a34a" : GraphStyle.ERROR);
            drawCurve(g, GraphScene.curve(from.outputPort(), pointer), c, 2, connectTarget != null && !connectAllowed, true);
            if (connectTarget != null) {
                NodeBox target = current(connectTarget);
                g.setStroke(c);
                g.setLineWidth(3);
                g.strokeRoundRect(target.x() - 3, target.y() - 3, target.width() + 6, target.height() + 6, 24, 24);
            }
        }
        if (mode == Mode.BAND && pointer != null) {
            g.setFill(colour(GraphStyle.SELECTION).deriveColor(0, 1, 1, 0.12));
            g.setStroke(colour(GraphStyle.SELECTION));
            g.setLineWidth(1 / viewport.scale());
            double x = Math.min(pressGraph.x(), pointer.x());
            double y = Math.min(pressGraph.y(), pointer.y());
            g.fillRect(x, y, Math.abs(pointer.x() - pressGraph.x()), Math.abs(pointer.y() - pressGraph.y()));
            g.strokeRect(x, y, Math.abs(pointer.x() - pressGraph.x()), Math.abs(pointer.y() - pressGraph.y()));
        }
        g.setTransform(1, 0, 0, 1, 0, 0);
        if (mode == Mode.CONNECT && !connectionFeedback.get().isEmpty() && pointer != null) {
            Point at = viewport.toView(pointer.x(), pointer.y());
            g.setFont(Font.font(12));
            g.setFill(colour(connectAllowed ? "#166534" : GraphStyle.ERROR));
            g.fillText(connectionFeedback.get(), at.x() + 14, at.y() - 10);
        }
        drawMinimap();
        lastFrameNanos = System.nanoTime() - start;
    }

    /** Every visible edge and node at full detail (curves, icons, text, badges). */
    private void drawDetail(GraphicsContext g, Bounds visible, boolean detail, Set<String> selected, Edge selectedEdge) {
        for (SceneEdge edge : scene.edges()) {
            NodeBox from = current(edge.edge().from());
            NodeBox to = current(edge.edge().to());
            if (!curveVisible(from, to, visible)) {
                continue;
            }
            Curve curve = mode == Mode.MOVE ? GraphScene.curve(from, to) : edge.curve();
            boolean isSelected = edge.edge().equals(selectedEdge);
            String hex = isSelected ? GraphStyle.SELECTION : edge.problem() ? GraphStyle.ERROR : GraphStyle.EDGE;
            drawCurve(g, curve, colour(hex), isSelected ? 3 : 1.5, edge.problem() && !isSelected, detail);
        }
        for (SceneNode node : scene.nodes()) {
            NodeBox box = current(node.id());
            if (box.intersects(visible.minX(), visible.minY(), visible.maxX(), visible.maxY())) {
                drawNode(g, node, box, selected.contains(node.id()), detail);
            }
        }
    }

    /**
     * Zoomed far out: edges as straight lines in one path per colour and nodes as plain rectangles, so a 1,000-step
     * overview is a handful of fill and stroke calls.
     */
    private void drawOverview(GraphicsContext g, Bounds visible, Set<String> selected, Edge selectedEdge) {
        g.setLineDashes((double[]) null);
        for (boolean problem : new boolean[] {false, true}) {
            g.setStroke(colour(problem ? GraphStyle.ERROR : GraphStyle.EDGE));
            g.setLineWidth(1 / viewport.scale());
            g.beginPath();
            for (SceneEdge edge : scene.edges()) {
                if (edge.problem() != problem) {
                    continue;
                }
                NodeBox from = boxes.get(edge.edge().from());
                NodeBox to = boxes.get(edge.edge().to());
                if (curveVisible(from, to, visible)) {
                    g.moveTo(from.maxX(), from.centerY());
                    g.lineTo(to.x(), to.centerY());
                }
            }
            g.stroke();
        }
        for (String type : List.of("ingest", "transform", "quality", "other")) {
            g.setFill(colour(GraphStyle.of(type).border()));
            for (SceneNode node : scene.nodes()) {
                NodeBox box = node.box();
                if (GraphStyle.of(node.typeName()).typeName().equals(type)
                        && box.intersects(visible.minX(), visible.minY(), visible.maxX(), visible.maxY())) {
                    g.fillRect(box.x(), box.y(), box.width(), box.height());
                }
            }
        }
        g.setLineWidth(3 / viewport.scale());
        for (SceneNode node : scene.nodes()) {
            NodeBox box = node.box();
            if (node.errors() > 0 || node.warnings() > 0) {
                g.setFill(colour(node.errors() > 0 ? GraphStyle.ERROR : GraphStyle.WARNING));
                g.fillOval(box.maxX() - 20, box.maxY() - 20, 36, 36);
            }
            if (selected.contains(node.id())) {
                g.setStroke(colour(GraphStyle.SELECTION));
                g.strokeRect(box.x(), box.y(), box.width(), box.height());
            }
        }
        if (selectedEdge != null && boxes.containsKey(selectedEdge.from()) && boxes.containsKey(selectedEdge.to())) {
            drawCurve(g, GraphScene.curve(boxes.get(selectedEdge.from()), boxes.get(selectedEdge.to())), colour(GraphStyle.SELECTION),
                    3 / viewport.scale(), false, false);
        }
    }

    private boolean curveVisible(NodeBox from, NodeBox to, Bounds visible) {
        double minX = Math.min(from.maxX(), to.x()) - 80;
        double maxX = Math.max(from.maxX(), to.x()) + 80;
        double minY = Math.min(from.centerY(), to.centerY());
        double maxY = Math.max(from.centerY(), to.centerY());
        return maxX >= visible.minX() && minX <= visible.maxX() && maxY >= visible.minY() && minY <= visible.maxY();
    }

    private void drawCurve(GraphicsContext g, Curve c, Color colour, double width, boolean dashed, boolean arrow) {
        g.setStroke(colour);
        g.setLineWidth(width);
        g.setLineDashes(dashed ? new double[] {6, 4} : null);
        Point direction = c.endDirection();
        Point end = arrow ? new Point(c.end().x() - direction.x() * 8, c.end().y() - direction.y() * 8) : c.end();
        g.beginPath();
        g.moveTo(c.start().x(), c.start().y());
        g.bezierCurveTo(c.control1().x(), c.control1().y(), c.control2().x(), c.control2().y(), end.x(), end.y());
        g.stroke();
        g.setLineDashes((double[]) null);
        if (arrow) {
            double nx = -direction.y();
            double ny = direction.x();
            g.setFill(colour);
            g.fillPolygon(new double[] {c.end().x(), end.x() + nx * 4, end.x() - nx * 4},
                    new double[] {c.end().y(), end.y() + ny * 4, end.y() - ny * 4}, 3);
        }
    }

    private void drawNode(GraphicsContext g, SceneNode node, NodeBox box, boolean selected, boolean detail) {
        GraphStyle.TypeStyle style = GraphStyle.of(node.typeName());
        double arc = GraphStyle.CORNER_RADIUS * 2;
        g.setFill(colour(style.fill()));
        g.fillRoundRect(box.x(), box.y(), box.width(), box.height(), arc, arc);
        g.setStroke(colour(selected ? GraphStyle.SELECTION : node.errors() > 0 ? GraphStyle.ERROR : style.border()));
        g.setLineWidth(selected ? 3 : 1.5);
        g.strokeRoundRect(box.x(), box.y(), box.width(), box.height(), arc, arc);
        if (!detail) {
            if (node.errors() > 0 || node.warnings() > 0) {
                g.setFill(colour(node.errors() > 0 ? GraphStyle.ERROR : GraphStyle.WARNING));
                g.fillOval(box.maxX() - 20, box.maxY() - 20, 36, 36);
            }
            return;
        }
        g.setStroke(colour(style.border()));
        g.setLineWidth(2);
        double iconX = box.x() + 12;
        double iconY = box.y() + (box.height() - GraphStyle.ICON_SIZE) / 2;
        for (List<Point> line : style.icon()) {
            g.beginPath();
            for (int i = 0; i < line.size(); i++) {
                Point p = line.get(i);
                if (i == 0) {
                    g.moveTo(iconX + p.x(), iconY + p.y());
                } else {
                    g.lineTo(iconX + p.x(), iconY + p.y());
                }
            }
            g.stroke();
        }
        double textWidth = box.width() - 40 - 12;
        g.setFill(colour(GraphStyle.TEXT));
        g.setFont(Font.font("System", FontWeight.BOLD, GraphStyle.ID_FONT_SIZE));
        g.fillText(GraphStyle.fit(node.id(), textWidth, GraphStyle.ID_FONT_SIZE), box.x() + 40, box.y() + 24);
        g.setFill(colour(GraphStyle.MUTED_TEXT));
        g.setFont(Font.font("System", GraphStyle.TYPE_FONT_SIZE));
        g.fillText(node.typeName(), box.x() + 40, box.y() + 42);

        double r = GraphStyle.PORT_RADIUS;
        g.setFill(Color.WHITE);
        g.fillOval(box.x() - r, box.centerY() - r, 2 * r, 2 * r);
        g.setStroke(colour(style.border()));
        g.setLineWidth(1);
        g.strokeOval(box.x() - r, box.centerY() - r, 2 * r, 2 * r);
        g.setFill(colour(style.border()));
        g.fillOval(box.maxX() - r, box.centerY() - r, 2 * r, 2 * r);

        if (node.state() != null) {
            String label = GraphStyle.stateLabel(node.state());
            double width = label.length() * 6.2 + 10;
            g.setFill(colour(GraphStyle.stateColor(node.state())));
            g.fillRoundRect(box.maxX() - width - 8, box.y() - 8, width, 16, 16, 16);
            g.setFill(Color.WHITE);
            g.setFont(Font.font(10));
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(label, box.maxX() - width / 2 - 8, box.y() + 4);
            g.setTextAlign(TextAlignment.LEFT);
        }
        if (node.errors() > 0 || node.warnings() > 0) {
            boolean error = node.errors() > 0;
            g.setFill(colour(error ? GraphStyle.ERROR : GraphStyle.WARNING));
            g.fillOval(box.maxX() - 11, box.maxY() - 11, 18, 18);
            g.setFill(Color.WHITE);
            g.setFont(Font.font("System", FontWeight.BOLD, 10));
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(String.valueOf(error ? node.errors() : node.warnings()), box.maxX() - 2, box.maxY() + 2);
            g.setTextAlign(TextAlignment.LEFT);
        }
    }

    private void drawMinimap() {
        GraphicsContext m = minimap.getGraphicsContext2D();
        m.setTransform(1, 0, 0, 1, 0, 0);
        m.setFill(Color.rgb(248, 250, 252, 0.92));
        m.fillRect(0, 0, MINIMAP_WIDTH, MINIMAP_HEIGHT);
        m.setStroke(colour("#cbd5e1"));
        m.setLineWidth(1);
        m.strokeRect(0.5, 0.5, MINIMAP_WIDTH - 1, MINIMAP_HEIGHT - 1);
        minimap.setVisible(!scene.nodes().isEmpty());
        if (scene.nodes().isEmpty()) {
            return;
        }
        Bounds all = minimapBounds();
        double s = minimapScale(all);
        for (SceneNode node : scene.nodes()) {
            NodeBox box = node.box();
            m.setFill(colour(GraphStyle.of(node.typeName()).border()));
            m.fillRect(4 + (box.x() - all.minX()) * s, 4 + (box.y() - all.minY()) * s, Math.max(1.5, box.width() * s),
                    Math.max(1.5, box.height() * s));
        }
        Bounds visible = viewport.visible(getWidth(), getHeight());
        m.setStroke(colour(GraphStyle.SELECTION));
        m.setLineWidth(1.5);
        m.strokeRect(4 + (visible.minX() - all.minX()) * s, 4 + (visible.minY() - all.minY()) * s, visible.width() * s, visible.height() * s);
    }

    /** The graph and the visible area together, so the viewport frame always lies inside the minimap. */
    private Bounds minimapBounds() {
        Bounds graph = scene.bounds().grow(GraphStyle.MARGIN);
        Bounds visible = viewport.visible(getWidth(), getHeight());
        return new Bounds(Math.min(graph.minX(), visible.minX()), Math.min(graph.minY(), visible.minY()),
                Math.max(graph.maxX(), visible.maxX()), Math.max(graph.maxY(), visible.maxY()));
    }

    private double minimapScale(Bounds all) {
        return Math.min((MINIMAP_WIDTH - 8) / Math.max(1, all.width()), (MINIMAP_HEIGHT - 8) / Math.max(1, all.height()));
    }

    private Color colour(String hex) {
        return colours.computeIfAbsent(hex, Color::web);
    }

    // ------------------------------------------------------------------ hit tests

    private NodeBox box(String id) {
        NodeBox box = boxes.get(id);
        if (box == null) {
            throw new IllegalArgumentException("no step '" + id + "' on the canvas");
        }
        return box;
    }

    /** A box where it is drawn now: moved by the drag offset while moving the selection. */
    private NodeBox current(String id) {
        NodeBox box = boxes.get(id);
        if (mode == Mode.MOVE && model.selection().steps().contains(id)) {
            return box.at(box.x() + dragX, box.y() + dragY);
        }
        return box;
    }

    private String nodeAt(Point g) {
        List<SceneNode> nodes = scene.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).box().contains(g.x(), g.y())) {
                return nodes.get(i).id();
            }
        }
        return null;
    }

    private String outputPortAt(Point g) {
        double radius = Math.max(GraphStyle.PORT_RADIUS + 3, 8 / viewport.scale());
        for (SceneNode node : scene.nodes()) {
            Point port = node.box().outputPort();
            if (Math.hypot(port.x() - g.x(), port.y() - g.y()) <= radius) {
                return node.id();
            }
        }
        return null;
    }

    private Edge edgeAt(Point g) {
        double tolerance = 6 / viewport.scale();
        for (SceneEdge edge : scene.edges()) {
            if (edge.curve().distanceTo(g.x(), g.y()) <= tolerance) {
                return edge.edge();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ input

    private boolean inMinimap(MouseEvent e) {
        return minimap.isVisible() && minimap.getBoundsInParent().contains(e.getX(), e.getY());
    }

    private void pressed(MouseEvent e) {
        requestFocus();
        lastView = new Point2D(e.getX(), e.getY());
        Point g = viewport.toGraph(e.getX(), e.getY());
        pressGraph = g;
        pointer = null;
        dragX = 0;
        dragY = 0;
        if (inMinimap(e)) {
            mode = Mode.MINIMAP;
            centreFromMinimap(e);
            return;
        }
        if (e.getButton() == MouseButton.MIDDLE || e.getButton() == MouseButton.SECONDARY || e.isAltDown()) {
            mode = Mode.PAN;
            return;
        }
        String port = outputPortAt(g);
        if (port != null) {
            mode = Mode.CONNECT;
            connectFrom = port;
            connectTarget = null;
            return;
        }
        String node = nodeAt(g);
        if (node != null) {
            if (e.isShiftDown() || e.isShortcutDown()) {
                model.selection().toggle(node);
                mode = Mode.NONE;
            } else {
                if (!model.selection().steps().contains(node)) {
                    model.selection().select(node);
                }
                mode = Mode.MOVE;
            }
            return;
        }
        Edge edge = edgeAt(g);
        if (edge != null) {
            model.selection().selectEdge(edge);
            mode = Mode.NONE;
            return;
        }
        if (!e.isShiftDown()) {
            model.selection().clear();
        }
        mode = Mode.BAND;
    }

    private void dragged(MouseEvent e) {
        Point g = viewport.toGraph(e.getX(), e.getY());
        switch (mode) {
            case PAN -> {
                viewport.pan(e.getX() - lastView.getX(), e.getY() - lastView.getY());
                lastView = new Point2D(e.getX(), e.getY());
            }
            case MINIMAP -> centreFromMinimap(e);
            case MOVE -> {
                dragX = g.x() - pressGraph.x();
                dragY = g.y() - pressGraph.y();
            }
            case CONNECT -> {
                pointer = g;
                String target = nodeAt(g);
                connectTarget = target != null && !target.equals(connectFrom) ? target : null;
                if (connectTarget == null) {
                    connectAllowed = false;
                    connectionFeedback.set("");
                } else {
                    Optional<String> refusal = model.checkConnection(connectFrom, connectTarget);
                    connectAllowed = refusal.isEmpty();
                    connectionFeedback.set(refusal.orElse("connect " + connectFrom + " \u2192 " + connectTarget));
                }
            }
            case BAND -> pointer = g;
            default -> {
                return;
            }
        }
        redraw();
    }

    private void released(MouseEvent e) {
        Mode finished = mode;
        mode = Mode.NONE;
        switch (finished) {
            case MOVE -> {
                if (Math.abs(dragX) + Math.abs(dragY) > 0.5) {
                    Map<String, Point> moved = new LinkedHashMap<>();
                    for (String id : model.selection().steps()) {
                        NodeBox box = boxes.get(id);
                        if (box != null) {
                            moved.put(id, new Point(Math.round(box.x() + dragX), Math.round(box.y() + dragY)));
                        }
                    }
                    model.moveSteps(moved);
                }
            }
            case CONNECT -> {
                if (connectTarget != null) {
                    model.connect(connectFrom, connectTarget);
                }
                connectionFeedback.set("");
            }
            case BAND -> {
                if (pointer != null) {
                    double minX = Math.min(pressGraph.x(), pointer.x());
                    double maxX = Math.max(pressGraph.x(), pointer.x());
                    double minY = Math.min(pressGraph.y(), pointer.y());
                    double maxY = Math.max(pressGraph.y(), pointer.y());
                    List<String> inside = scene.nodes().stream()
                            .filter(n -> n.box().intersects(minX, minY, maxX, maxY)).map(SceneNode::id).toList();
                    model.selection().selectAll(inside, e.isShiftDown());
                }
            }
            default -> {
            }
        }
        dragX = 0;
        dragY = 0;
        pointer = null;
        connectTarget = null;
        redraw();
    }

    private void centreFromMinimap(MouseEvent e) {
        Bounds all = minimapBounds();
        double s = minimapScale(all);
        double x = (e.getX() - minimap.getLayoutX() - 4) / s + all.minX();
        double y = (e.getY() - minimap.getLayoutY() - 4) / s + all.minY();
        viewport.centerOn(new Point(x, y), getWidth(), getHeight());
        redraw();
    }

    private void scrolled(ScrollEvent e) {
        if (e.isShortcutDown() || e.getDeltaX() == 0) {
            viewport.zoom(e.getDeltaY() > 0 ? 1.1 : 1 / 1.1, e.getX(), e.getY());
        } else {
            viewport.pan(e.getDeltaX(), e.getDeltaY());
        }
        redraw();
        e.consume();
    }

    private void keyPressed(KeyEvent e) {
        KeyCode code = e.getCode();
        boolean shortcut = e.isShortcutDown();
        boolean handled = true;
        if (code == KeyCode.DELETE || code == KeyCode.BACK_SPACE) {
            model.deleteSelection();
        } else if (shortcut && code == KeyCode.Z && e.isShiftDown() || shortcut && code == KeyCode.Y) {
            model.redo();
        } else if (shortcut && code == KeyCode.Z) {
            model.undo();
        } else if (shortcut && code == KeyCode.C) {
            model.copySelection();
        } else if (shortcut && code == KeyCode.V) {
            model.paste();
        } else if (shortcut && code == KeyCode.A) {
            model.selectAll();
        } else if (code == KeyCode.F && !shortcut) {
            fitToView();
        } else if (code == KeyCode.LEFT || code == KeyCode.RIGHT || code == KeyCode.UP || code == KeyCode.DOWN) {
            double step = e.isShiftDown() ? 1 : NUDGE;
            model.nudge(code == KeyCode.LEFT ? -step : code == KeyCode.RIGHT ? step : 0,
                    code == KeyCode.UP ? -step : code == KeyCode.DOWN ? step : 0);
        } else {
            handled = false;
        }
        if (handled) {
            e.consume();
        }
    }
}
