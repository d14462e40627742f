package io.convergence.engine.graph;

import io.convergence.engine.run.RunState;
import java.util.List;
import java.util.Locale;

/**
 * The look shared by every picture of a pipeline (designer canvas, SVG, PNG): node size, colours per
 * step type as hex, and small line icons in a 16x16 box. Keeping it in one place is what makes the
 * CLI's picture the one the designer shows.
 */
public final class GraphStyle {
    public static final double NODE_WIDTH = 200;
    public static final double NODE_HEIGHT = 56;
    public static final double CORNER_RADIUS = 10;
    public static final double PORT_RADIUS = 5;
    public static final double ICON_SIZE = 16;
    public static final double LAYER_SPACING = 80;
    public static final double NODE_SPACING = 28;
    public static final double MARGIN = 24;

    public static final String BACKGROUND = "#ffffff";
    public static final String GRID = "#f1f5f9";
    public static final String TEXT = "#0f172a";
    public static final String MUTED_TEXT = "#475569";
    public static final String EDGE = "#64748b";
    public static final String SELECTION = "#2563eb";
    public static final String ERROR = "#dc2626";
    public static final String WARNING = "#d97706";
    public static final String FONT_FAMILY = "Helvetica, Arial, sans-serif";
    public static final double ID_FONT_SIZE = 13;
    public static final double TYPE_FONT_SIZE = 11;

    /** Colours and icon of one step type. */
    public record TypeStyle(String typeName, String fill, String border, List<List<Point>> icon) {
        public TypeStyle {
            icon = List.copyOf(icon);
        }
    }

    private static final TypeStyle INGEST = new TypeStyle("ingest", "#dbeafe", "#1d4ed8", List.of(
            // an arrow into a tray: data coming in
            List.of(new Point(8, 1), new Point(8, 10)),
            List.of(new Point(4, 6), new Point(8, 10), new Point(12, 6)),
            List.of(new Point(1, 10), new Point(1, 15), new Point(15, 15), new Point(15, 10))));
    private static final TypeStyle TRANSFORM = new TypeStyle("transform", "#dcfce7", "#15803d", List.of(
            // two chevrons: data flowing through
            List.of(new Point(2, 3), new Point(7, 8), new Point(2, 13)),
            List.of(new Point(9, 3), new Point(14, 8), new Point(9, 13))));
    private static final TypeStyle QUALITY = new TypeStyle("quality", "#fef3c7", "#b45309", List.of(
            // a check mark
            List.of(new Point(2, 8), new Point(6, 13), new Point(14, 3))));
    private static final TypeStyle OTHER = new TypeStyle("other", "#f1f5f9", "#475569", List.of(
            List.of(new Point(3, 3), new Point(13, 3), new Point(13, 13), new Point(3, 13), new Point(3, 3))));

    private GraphStyle() {
    }

    public static TypeStyle of(String typeName) {
        return switch (typeName) {
            case "ingest" -> INGEST;
            case "transform" -> TRANSFORM;
            case "quality" -> QUALITY;
            default -> OTHER;
        };
    }

    /** Fill colour of a run-state badge. */
    public static String stateColor(RunState state) {
        return switch (state) {
            case QUEUED -> "#94a3b8";
            case RUNNING -> "#2563eb";
            case SUCCEEDED -> "#16a34a";
            case FAILED -> "#dc2626";
            case CANCELLED, SKIPPED -> "#64748b";
            case INTERRUPTED -> "#ea580c";
        };
    }

    public static String stateLabel(RunState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Red, green, blue in 0..255 of a {@code #rrggbb} colour. */
    public static int[] rgb(String hex) {
        int value = Integer.parseInt(hex.substring(1), 16);
        return new int[] {(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff};
    }

    /**
     * {@code text} cut to fit about {@code maxWidth} pixels at {@code fontSize}, with an ellipsis. An estimate
     * (average glyph width 0.6 em), so every renderer cuts at the same place without measuring fonts.
     */
    public static String fit(String text, double maxWidth, double fontSize) {
        int max = (int) Math.floor(maxWidth / (fontSize * 0.6));
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, Math.max(1, max - 1)) + "\u2026";
    }
}
