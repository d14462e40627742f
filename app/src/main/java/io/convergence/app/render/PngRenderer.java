package io.convergence.app.render;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.graph.Bounds;
import io.convergence.engine.graph.GraphScene;
import io.convergence.engine.graph.GraphScene.Curve;
import io.convergence.engine.graph.GraphScene.SceneEdge;
import io.convergence.engine.graph.GraphScene.SceneNode;
import io.convergence.engine.graph.GraphStyle;
import io.convergence.engine.graph.NodeBox;
import io.convergence.engine.graph.Point;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws a {@link GraphScene} with Java2D into a PNG: the picture the designer shows, without a screen
 * ({@code convergence graph --format png}). Works with {@code java.awt.headless=true}.
 */
public final class PngRenderer {
    /** Largest side in pixels; a 1,000-step graph is scaled down to fit instead of allocating gigabytes. */
    public static final int MAX_SIDE = 8000;

    private PngRenderer() {
    }

    /** The scene as PNG bytes at {@code scale} (2 gives crisp pictures on high-density screens). */
    public static byte[] render(GraphScene scene, double scale) {
        BufferedImage image = draw(scene, scale);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static BufferedImage draw(GraphScene scene, double requestedScale) {
        requireNonNull(scene, "scene is null");
        Bounds bounds = scene.nodes().isEmpty() ? new Bounds(0, 0, 240, 80) : scene.bounds().grow(GraphStyle.MARGIN);
        double scale = Math.min(requestedScale, MAX_SIDE / Math.max(bounds.width(), bounds.height()));
        int width = Math.max(1, (int) Math.ceil(bounds.width() * scale));
        int height = Math.max(1, (int) Math.ceil(bounds.height() * scale));
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(color(GraphStyle.BACKGROUND));
            g.fillRect(0, 0, width, height);
            g.scale(scale, scale);
            g.translate(-bounds.minX(), -bounds.minY());
            if (scene.nodes().isEmpty()) {
                g.setColor(color(GraphStyle.MUTED_TEXT));
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                g.drawString("no steps", 94, 44);
            }
            for (SceneEdge edge : scene.edges()) {
                edge(g, edge);
            }
            for (SceneNode node : scene.nodes()) {
                node(g, node);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void edge(Graphics2D g, SceneEdge edge) {
        Curve c = edge.curve();
        Color colour = color(edge.problem() ? GraphStyle.ERROR : GraphStyle.EDGE);
        g.setColor(colour);
        g.setStroke(edge.problem()
                ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(1.5f));
        // stop the line at the arrow's base so the tip stays sharp
        Point direction = c.endDirection();
        Point end = new Point(c.end().x() - direction.x() * 8, c.end().y() - direction.y() * 8);
        g.draw(new CubicCurve2D.Double(c.start().x(), c.start().y(), c.control1().x(), c.control1().y(),
                c.control2().x(), c.control2().y(), end.x(), end.y()));
        Path2D.Double arrow = new Path2D.Double();
        double nx = -direction.y();
        double ny = direction.x();
        arrow.moveTo(c.end().x(), c.end().y());
        arrow.lineTo(end.x() + nx * 4, end.y() + ny * 4);
        arrow.lineTo(end.x() - nx * 4, end.y() - ny * 4);
        arrow.closePath();
        g.fill(arrow);
    }

    private static void node(Graphics2D g, SceneNode node) {
        GraphStyle.TypeStyle style = GraphStyle.of(node.typeName());
        NodeBox box = node.box();
        double r = GraphStyle.CORNER_RADIUS * 2;
        RoundRectangle2D shape = new RoundRectangle2D.Double(box.x(), box.y(), box.width(), box.height(), r, r);
        g.setColor(color(style.fill()));
        g.fill(shape);
        g.setColor(color(node.errors() > 0 ? GraphStyle.ERROR : style.border()));
        g.setStroke(new BasicStroke(1.5f));
        g.draw(shape);

        g.setColor(color(style.border()));
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        double iconX = box.x() + 12;
        double iconY = box.y() + (box.height() - GraphStyle.ICON_SIZE) / 2;
        for (List<Point> line : style.icon()) {
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < line.size(); i++) {
                Point p = line.get(i);
                if (i == 0) {
                    path.moveTo(iconX + p.x(), iconY + p.y());
                } else {
                    path.lineTo(iconX + p.x(), iconY + p.y());
                }
            }
            g.draw(path);
        }

        double textWidth = box.width() - 40 - 12;
        g.setColor(color(GraphStyle.TEXT));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) GraphStyle.ID_FONT_SIZE));
        g.drawString(GraphStyle.fit(node.id(), textWidth, GraphStyle.ID_FONT_SIZE), (float) (box.x() + 40), (float) (box.y() + 24));
        g.setColor(color(GraphStyle.MUTED_TEXT));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) GraphStyle.TYPE_FONT_SIZE));
        g.drawString(node.typeName(), (float) (box.x() + 40), (float) (box.y() + 42));

        double pr = GraphStyle.PORT_RADIUS;
        Ellipse2D.Double in = new Ellipse2D.Double(box.x() - pr, box.centerY() - pr, pr * 2, pr * 2);
        g.setColor(Color.WHITE);
        g.fill(in);
        g.setColor(color(style.border()));
        g.setStroke(new BasicStroke(1f));
        g.draw(in);
        g.fill(new Ellipse2D.Double(box.maxX() - pr, box.centerY() - pr, pr * 2, pr * 2));

        if (node.state() != null) {
            String label = GraphStyle.stateLabel(node.state());
            double width = label.length() * 6.2 + 10;
            g.setColor(color(GraphStyle.stateColor(node.state())));
            g.fill(new RoundRectangle2D.Double(box.maxX() - width - 8, box.y() - 8, width, 16, 16, 16));
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            int textPixels = g.getFontMetrics().stringWidth(label);
            g.drawString(label, (float) (box.maxX() - width / 2 - 8 - textPixels / 2.0), (float) (box.y() + 4));
        }
        if (node.errors() > 0 || node.warnings() > 0) {
            boolean error = node.errors() > 0;
            g.setColor(color(error ? GraphStyle.ERROR : GraphStyle.WARNING));
            g.fill(new Ellipse2D.Double(box.maxX() - 2 - 9, box.maxY() - 2 - 9, 18, 18));
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 10));
            String count = String.valueOf(error ? node.errors() : node.warnings());
            int textPixels = g.getFontMetrics().stringWidth(count);
            g.drawString(count, (float) (box.maxX() - 2 - textPixels / 2.0), (float) (box.maxY() + 2));
        }
    }

    static Color color(String hex) {
        int[] rgb = GraphStyle.rgb(hex);
        return new Color(rgb[0], rgb[1], rgb[2]);
    }
}
