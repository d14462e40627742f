package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javafx.geometry.Orientation;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;

/**
 * A timeline of the run: one row per unit (step or step partition) in plan order, a bar from its start to its
 * end (or to now while it runs). Draws only the visible rows, so it scales with the viewport, not the run.
 */
public final class GanttChart extends Region {
    static final double ROW = 14;
    static final double LABEL_WIDTH = 200;
    static final double AXIS = 18;

    private final RunViewModel model;
    private final Canvas canvas = new Canvas();
    private final ScrollBar scroll = new ScrollBar();
    private final Tooltip tooltip = new Tooltip();

    public GanttChart(RunViewModel model) {
        this.model = requireNonNull(model, "model is null");
        setId("ganttChart");
        scroll.setId("ganttScroll");
        scroll.setOrientation(Orientation.VERTICAL);
        scroll.valueProperty().addListener((o, a, b) -> draw());
        getChildren().addAll(canvas, scroll);
        Tooltip.install(canvas, tooltip);
        canvas.setOnMouseMoved(event -> {
            int unit = (int) ((event.getY() - AXIS) / ROW) + first();
            tooltip.setText(event.getY() < AXIS || unit >= model.units().size() ? null : describe(unit));
        });
        canvas.setOnScroll(event -> scroll.setValue(Math.max(0, Math.min(scroll.getMax(), scroll.getValue() - Math.signum(event.getDeltaY()) * 3))));
        model.revisionProperty().addListener((o, a, b) -> draw());
    }

    private String describe(int unit) {
        RunViewModel.Cell cell = model.units().get(unit);
        return model.unitLabel(unit) + ": " + cell.state() + cell.duration().map(d -> ", " + RunViewModel.formatDuration(d)).orElse("")
                + ", " + cell.rows() + " rows";
    }

    private int visibleRows() {
        return Math.max(1, (int) ((canvas.getHeight() - AXIS) / ROW));
    }

    private int first() {
        return (int) Math.round(scroll.getValue());
    }

    @Override
    protected void layoutChildren() {
        double barWidth = scroll.prefWidth(-1);
        canvas.setWidth(Math.max(0, getWidth() - barWidth));
        canvas.setHeight(Math.max(0, getHeight()));
        scroll.resizeRelocate(getWidth() - barWidth, 0, barWidth, getHeight());
        int hidden = Math.max(0, model.units().size() - visibleRows());
        scroll.setMax(hidden);
        scroll.setDisable(hidden == 0);
        draw();
    }

    void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        Instant start = model.startedAtProperty().get();
        if (w <= LABEL_WIDTH || h <= AXIS || start == null) {
            return;
        }
        Instant end = model.finishedAtProperty().get() != null ? model.finishedAtProperty().get()
                : model.lastEventAt().orElse(start);
        double span = Math.max(1, Duration.between(start, end).toMillis());
        double plot = w - LABEL_WIDTH - 8;
        Color text = getScene() != null && getScene().getRoot().getStyleClass().contains("theme-dark")
                ? Color.web("#e2e8f0") : Color.web("#1e293b");
        g.setFont(Font.font(11));
        g.setFill(text);
        g.fillText("0", LABEL_WIDTH, AXIS - 5);
        String total = RunViewModel.formatDuration(Duration.ofMillis((long) span));
        g.fillText(total, LABEL_WIDTH + plot - 7 * total.length(), AXIS - 5);
        List<RunViewModel.Cell> units = model.units();
        int first = first();
        int last = Math.min(units.size(), first + visibleRows());
        for (int u = first; u < last; u++) {
            double y = AXIS + (u - first) * ROW;
            RunViewModel.Cell cell = units.get(u);
            g.setFill(text);
            g.fillText(model.unitLabel(u), 4, y + ROW - 3, LABEL_WIDTH - 8);
            if (cell.startedAt().isEmpty()) {
                continue;
            }
            double x0 = Duration.between(start, cell.startedAt().get()).toMillis() / span * plot;
            Instant unitEnd = cell.finishedAt().orElse(end);
            double x1 = Duration.between(start, unitEnd).toMillis() / span * plot;
            g.setFill(StateColors.of(cell.state()));
            g.fillRect(LABEL_WIDTH + x0, y + 2, Math.max(2, x1 - x0), ROW - 4);
        }
    }
}
