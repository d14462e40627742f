package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.graph.GraphScene.Curve;
import io.convergence.engine.graph.GraphScene.SceneEdge;
import io.convergence.engine.graph.GraphScene.SceneNode;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link GraphScene} as a standalone SVG document: the picture the designer shows (same boxes, colours,
 * icons and curves), for docs and reviews. The text depends only on the scene, so it diffs cleanly.
 */
public final class SvgRenderer {
    private SvgRenderer() {
    }

    public static String render(GraphScene scene) {
        requireNonNull(scene, "scene is null");
        Bounds bounds = scene.bounds().grow(GraphStyle.MARGIN);
        if (scene.nodes().isEmpty()) {
            bounds = new Bounds(0, 0, 240, 80);
        }
        StringBuilder out = new StringBuilder(1024 + scene.nodes().size() * 900);
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(n(bounds.width()))
                .append("\" height=\"").append(n(bounds.height())).append("\" viewBox=\"").append(n(bounds.minX())).append(' ')
                .append(n(bounds.minY())).append(' ').append(n(bounds.width())).append(' ').append(n(bounds.height())).append("\">\n");
        out.append("  <title>").append(escape(scene.title())).append("</title>\n");
        out.append("  <defs>\n")
                .append("    <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\"")
                .append(" orient=\"auto-start-reverse\" markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"")
                .append(GraphStyle.EDGE).append("\"/></marker>\n")
                .append("    <marker id=\"arrow-error\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\"")
                .append(" orient=\"auto-start-reverse\" markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"")
                .append(GraphStyle.ERROR).append("\"/></marker>\n")
                .append("  </defs>\n");
        out.append("  <rect x=\"").append(n(bounds.minX())).append("\" y=\"").append(n(bounds.minY())).append("\" width=\"")
                .append(n(bounds.width())).append("\" height=\"").append(n(bounds.height())).append("\" fill=\"")
                .append(GraphStyle.BACKGROUND).append("\"/>\n");
        if (scene.nodes().isEmpty()) {
            out.append("  <text x=\"120\" y=\"44\" text-anchor=\"middle\" font-family=\"").append(GraphStyle.FONT_FAMILY)
                    .append("\" font-size=\"13\" fill=\"").append(GraphStyle.MUTED_TEXT).append("\">no steps</text>\n");
        }

        out.append("  <g id=\"edges\" fill=\"none\" stroke-width=\"1.5\">\n");
        for (SceneEdge edge : scene.edges()) {
            Curve c = edge.curve();
            String colour = edge.problem() ? GraphStyle.ERROR : GraphStyle.EDGE;
            out.append("    <path class=\"edge\" data-from=\"").append(escape(edge.edge().from())).append("\" data-to=\"")
                    .append(escape(edge.edge().to())).append("\" d=\"M").append(n(c.start().x())).append(',').append(n(c.start().y()))
                    .append(" C").append(n(c.control1().x())).append(',').append(n(c.control1().y())).append(' ')
                    .append(n(c.control2().x())).append(',').append(n(c.control2().y())).append(' ')
                    .append(n(c.end().x())).append(',').append(n(c.end().y())).append("\" stroke=\"").append(colour)
                    .append("\" marker-end=\"url(#").append(edge.problem() ? "arrow-error" : "arrow").append(")\"")
                    .append(edge.problem() ? " stroke-dasharray=\"6 4\"" : "").append("/>\n");
        }
        out.append("  </g>\n");

        out.append("  <g id=\"nodes\" font-family=\"").append(GraphStyle.FONT_FAMILY).append("\">\n");
        for (SceneNode node : scene.nodes()) {
            node(out, node);
        }
        out.append("  </g>\n</svg>\n");
        return out.toString();
    }

    private static void node(StringBuilder out, SceneNode node) {
        GraphStyle.TypeStyle style = GraphStyle.of(node.typeName());
        NodeBox box = node.box();
        out.append("    <g class=\"node ").append(escape(node.typeName())).append("\" data-id=\"").append(escape(node.id()))
                .append("\" transform=\"translate(").append(n(box.x())).append(',').append(n(box.y())).append(")\">\n");
        out.append("      <rect width=\"").append(n(box.width())).append("\" height=\"").append(n(box.height()))
                .append("\" rx=\"").append(n(GraphStyle.CORNER_RADIUS)).append("\" fill=\"").append(style.fill())
                .append("\" stroke=\"").append(node.errors() > 0 ? GraphStyle.ERROR : style.border()).append("\" stroke-width=\"1.5\"/>\n");
        out.append("      <g transform=\"translate(12,").append(n((box.height() - GraphStyle.ICON_SIZE) / 2))
                .append(")\" fill=\"none\" stroke=\"").append(style.border())
                .append("\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\">");
        for (List<Point> line : style.icon()) {
            out.append("<polyline points=\"");
            for (int i = 0; i < line.size(); i++) {
                out.append(i == 0 ? "" : " ").append(n(line.get(i).x())).append(',').append(n(line.get(i).y()));
            }
            out.append("\"/>");
        }
        out.append("</g>\n");
        double textWidth = box.width() - 40 - 12;
        out.append("      <text x=\"40\" y=\"24\" font-size=\"").append(n(GraphStyle.ID_FONT_SIZE)).append("\" font-weight=\"bold\" fill=\"")
                .append(GraphStyle.TEXT).append("\">").append(escape(GraphStyle.fit(node.id(), textWidth, GraphStyle.ID_FONT_SIZE)))
                .append("</text>\n");
        out.append("      <text x=\"40\" y=\"42\" font-size=\"").append(n(GraphStyle.TYPE_FONT_SIZE)).append("\" fill=\"")
                .append(GraphStyle.MUTED_TEXT).append("\">").append(escape(node.typeName())).append("</text>\n");
        out.append("      <circle cx=\"0\" cy=\"").append(n(box.height() / 2)).append("\" r=\"").append(n(GraphStyle.PORT_RADIUS))
                .append("\" fill=\"#ffffff\" stroke=\"").append(style.border()).append("\"/>\n");
        out.append("      <circle cx=\"").append(n(box.width())).append("\" cy=\"").append(n(box.height() / 2)).append("\" r=\"")
                .append(n(GraphStyle.PORT_RADIUS)).append("\" fill=\"").append(style.border()).append("\"/>\n");
        if (node.state() != null) {
            String label = GraphStyle.stateLabel(node.state());
            double width = label.length() * 6.2 + 10;
            out.append("      <rect class=\"state\" x=\"").append(n(box.width() - width - 8)).append("\" y=\"-8\" width=\"").append(n(width))
                    .append("\" height=\"16\" rx=\"8\" fill=\"").append(GraphStyle.stateColor(node.state())).append("\"/>")
                    .append("<text x=\"").append(n(box.width() - width / 2 - 8)).append("\" y=\"4\" text-anchor=\"middle\" font-size=\"10\"")
                    .append(" fill=\"#ffffff\">").append(label).append("</text>\n");
        }
        if (node.errors() > 0 || node.warnings() > 0) {
            boolean error = node.errors() > 0;
            out.append("      <circle class=\"badge\" cx=\"").append(n(box.width() - 2)).append("\" cy=\"").append(n(box.height() - 2))
                    .append("\" r=\"9\" fill=\"").append(error ? GraphStyle.ERROR : GraphStyle.WARNING).append("\"/>")
                    .append("<text x=\"").append(n(box.width() - 2)).append("\" y=\"").append(n(box.height() + 2))
                    .append("\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"bold\" fill=\"#ffffff\">")
                    .append(error ? node.errors() : node.warnings()).append("</text>\n");
        }
        out.append("    </g>\n");
    }

    private static String n(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> {
                    // XML 1.0 forbids most control characters even as references.
                    if (c >= 0x20 || c == '\t' || c == '\n') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
