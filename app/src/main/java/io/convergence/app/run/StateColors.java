package io.convergence.app.run;

import io.convergence.engine.run.RunState;
import java.util.Locale;
import javafx.scene.paint.Color;

/** One colour per state, shared by the DAG, the partition grid, the timeline and the history tables. */
public final class StateColors {
    private StateColors() {
    }

    public static Color of(RunState state) {
        if (state == null) {
            return Color.web("#e2e8f0");
        }
        return switch (state) {
            case QUEUED -> Color.web("#94a3b8");
            case RUNNING -> Color.web("#3b82f6");
            case SUCCEEDED -> Color.web("#22c55e");
            case FAILED -> Color.web("#ef4444");
            case CANCELLED -> Color.web("#f59e0b");
            case INTERRUPTED -> Color.web("#f97316");
            case SKIPPED -> Color.web("#cbd5e1");
        };
    }

    /** The CSS class for a state, such as {@code state-succeeded}. */
    public static String styleClass(RunState state) {
        return "state-" + (state == null ? "none" : state.name().toLowerCase(Locale.ROOT));
    }
}
