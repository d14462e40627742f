package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders a pipeline's DAG as Graphviz DOT: one node per step, shaped and coloured by step type,
 * one edge per {@code depends_on} entry (dependency to dependent).
 *
 * <p>The output depends only on the pipeline: steps appear in declared order, edges in declared
 * {@code depends_on} order, so the text diffs cleanly and can be checked into git. A dependency on a
 * step that does not exist is drawn as a dashed red node instead of being dropped, so an invalid
 * pipeline still shows where it is broken.
 */
public final class DotRenderer {
    private static final String INDENT = "  ";

    private DotRenderer() {
    }

    public static String render(Pipeline pipeline) {
        requireNonNull(pipeline, "pipeline is null");
        StringBuilder out = new StringBuilder(256 + pipeline.steps().size() * 160);
        out.append("digraph ").append(quote(pipeline.id())).append(" {\n");
        out.append(INDENT).append("graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=")
                .append(quote(pipeline.id())).append("];\n");
        out.append(INDENT).append("node [fontname=\"Helvetica\", fontsize=11, penwidth=1.2];\n");
        out.append(INDENT).append("edge [color=\"#64748b\", arrowsize=0.8];\n");

        Set<String> known = new LinkedHashSet<>();
        for (Step step : pipeline.steps()) {
            known.add(step.id());
        }
        // Sorted, so the output does not depend on which step first mentions a missing id.
        Set<String> unknown = new TreeSet<>();
        for (Step step : pipeline.steps()) {
            for (String dependency : step.dependsOn()) {
                if (!known.contains(dependency)) {
                    unknown.add(dependency);
                }
            }
        }

        if (!pipeline.steps().isEmpty()) {
            out.append('\n');
        }
        for (Step step : pipeline.steps()) {
            NodeStyle style = NodeStyle.of(step.typeName());
            out.append(INDENT).append(quote(step.id())).append(" [label=").append(quote(step.id() + "\n" + step.typeName()))
                    .append(", shape=").append(style.shape)
                    .append(", style=").append(quote(style.style))
                    .append(", fillcolor=").append(quote(style.fill))
                    .append(", color=").append(quote(style.border));
            if (step.description() != null && !step.description().isBlank()) {
                out.append(", tooltip=").append(quote(step.description().strip()));
            }
            out.append("];\n");
        }
        for (String id : unknown) {
            out.append(INDENT).append(quote(id)).append(" [label=").append(quote(id + "\nunknown step"))
                    .append(", shape=box, style=\"dashed\", color=\"#dc2626\", fontcolor=\"#dc2626\"];\n");
        }

        boolean firstEdge = true;
        for (Step step : pipeline.steps()) {
            // A repeated entry in depends_on is one dependency, so it is one edge.
            for (String dependency : new LinkedHashSet<>(step.dependsOn())) {
                if (firstEdge) {
                    out.append('\n');
                    firstEdge = false;
                }
                out.append(INDENT).append(quote(dependency)).append(" -> ").append(quote(step.id()));
                if (unknown.contains(dependency)) {
                    out.append(" [style=dashed, color=\"#dc2626\"]");
                }
                out.append(";\n");
            }
        }
        out.append("}\n");
        return out.toString();
    }

    /** A DOT double-quoted string; ids are validated elsewhere, but descriptions are free text. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> {
                    // dropped: a CRLF line end becomes one DOT line break
                }
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private enum NodeStyle {
        INGEST("cylinder", "filled", "#dbeafe", "#1d4ed8"),
        TRANSFORM("box", "filled,rounded", "#dcfce7", "#15803d"),
        QUALITY("hexagon", "filled", "#fef3c7", "#b45309"),
        OTHER("box", "filled", "#f1f5f9", "#475569");

        private final String shape;
        private final String style;
        private final String fill;
        private final String border;

        NodeStyle(String shape, String style, String fill, String border) {
            this.shape = shape;
            this.style = style;
            this.fill = fill;
            this.border = border;
        }

        static NodeStyle of(String typeName) {
            return switch (typeName) {
                case "ingest" -> INGEST;
                case "transform" -> TRANSFORM;
                case "quality" -> QUALITY;
                default -> OTHER;
            };
        }
    }
}
