package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunState;
import java.util.Locale;
import javafx.geometry.Orientation;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.util.Duration;

/**
 * Steps (rows) by partitions (columns), each cell coloured by state; hovering a cell tells its state, rows and
 * duration. One canvas the size of the viewport, drawing only the visible columns, so 10,000 partitions cost
 * what 100 do.
 */
public final class PartitionGrid extends Region {
    static final double CELL = 14;
    static final double LABEL_WIDTH = 140;
    static final double HEADER = 18;

    private final RunViewModel model;
    private final Canvas canvas = new Canvas();
    private final ScrollBar scroll = new ScrollBar();
    private final Tooltip tooltip = new Tooltip();

    public PartitionGrid(RunViewModel model) {
        this.model = requireNonNull(model, "model is null");
        setId("partitionGrid");
        scroll.setId("partitionGridScroll");
        scroll.setOrientation(Orientation.HORIZONTAL);
        scroll.valueProperty().addListener((o, a, b) -> draw());
        getChildren().addAll(canvas, scroll);
        tooltip.setShowDelay(Duration.millis(150));
        Tooltip.install(canvas, tooltip);
        canvas.setOnMouseMoved(event -> tooltip.setText(describe(event.getX(), event.getY())));
        model.revisionProperty().addListener((o, a, b) -> draw());
        setMinHeight(HEADER + CELL * 2 + 20);
        setPrefHeight(HEADER + CELL * Math.max(1, model.stepIds().size()) + 40);
    }

    private int columns() {
        return Math.max(1, model.partitionKeys().size());
    }

    private int visibleColumns() {
        return Math.max(1, (int) ((canvas.getWidth() - LABEL_WIDTH) / CELL));
    }

    @Override
    protected void layoutChildren() {
        double barHeight = scroll.prefHeight(-1);
        canvas.setWidth(Math.max(0, getWidth()));
        canvas.setHeight(Math.max(0, getHeight() - barHeight));
        scroll.resizeRelocate(0, getHeight() - barHeight, getWidth(), barHeight);
        int hidden = Math.max(0, columns() - visibleColumns());
        scroll.setMax(hidden);
        scroll.setVisibleAmount(Math.max(1, hidden == 0 ? 1 : visibleColumns() * (double) hidden / columns()));
        scroll.setDisable(hidden == 0);
        draw();
    }

    /** What the cell under (x, y) holds, for the tooltip. */
    String describe(double x, double y) {
        int step = (int) ((y - HEADER) / CELL);
        int column = (int) ((x - LABEL_WIDTH) / CELL) + first();
        if (y < HEADER || x < LABEL_WIDTH || step < 0 || step >= model.stepIds().size() || column >= columns()) {
            return null;
        }
        return describeCell(model, step, column);
    }

    /** "step[partition]: STATE, n rows, duration", or "step (once): ..." (also the accessible text of a cell). */
    static String describeCell(RunViewModel model, int step, int column) {
        RunViewModel.Cell cell = model.cell(step, column);
        String stepId = model.stepIds().get(step);
        String unit = model.isPartitioned(step) ? UnitKey.of(stepId, model.partitionKeys().get(column)).toString() : stepId + " (once)";
        StringBuilder text = new StringBuilder(unit).append(": ").append(cell.state());
        text.append(String.format(Locale.ROOT, ", %,d rows", cell.rows()));
        cell.duration().ifPresent(d -> text.append(", ").append(RunViewModel.formatDuration(d)));
        if (cell.attempt() > 1) {
            text.append(", attempt ").append(cell.attempt());
        }
        cell.errorMessage().ifPresent(m -> text.append("\n").append(m));
        return text.toString();
    }

    private int first() {
        return (int) Math.round(scroll.getValue());
    }

    void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        if (w <= 0 || h <= 0) {
            return;
        }
        g.setFont(Font.font(11));
        Color text = textColor();
        int first = first();
        int last = Math.min(columns(), first + visibleColumns());
        g.setFill(text);
        if (!model.partitionKeys().isEmpty()) {
            g.fillText(model.partitionKeys().get(first) + (last - 1 > first ? "  ..  " + model.partitionKeys().get(last - 1) : "")
                    + "   (" + model.partitionKeys().size() + " partitions)", LABEL_WIDTH, HEADER - 5);
        } else {
            g.fillText("not partitioned", LABEL_WIDTH, HEADER - 5);
        }
        for (int s = 0; s < model.stepIds().size(); s++) {
            double y = HEADER + s * CELL;
            if (y > h) {
                break;
            }
            g.setFill(text);
            g.fillText(model.stepIds().get(s), 4, y + CELL - 3, LABEL_WIDTH - 8);
            if (!model.isPartitioned(s)) {
                g.setFill(StateColors.of(model.cell(s, 0).state()));
                g.fillRect(LABEL_WIDTH, y + 1, Math.max(CELL - 2, (last - first) * CELL - 2), CELL - 2);
                continue;
            }
            for (int p = first; p < last; p++) {
                RunState state = model.cell(s, p).state();
                g.setFill(StateColors.of(state));
                g.fillRect(LABEL_WIDTH + (p - first) * CELL, y + 1, CELL - 2, CELL - 2);
            }
        }
    }

    private Color textColor() {
        return getScene() != null && getScene().getRoot().getStyleClass().contains("theme-dark") ? Color.web("#e2e8f0") : Color.web("#1e293b");
    }
}
