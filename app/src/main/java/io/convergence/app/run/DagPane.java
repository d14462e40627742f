package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.plan.StepEdge;
import io.convergence.engine.run.RunState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.scene.shape.Line;

/**
 * The run's steps as a layered graph (plan levels left to right), each node coloured by its state. Node ids are
 * {@code dag-<step id>}; the failed step gets the {@code failure-focus} style class.
 */
public final class DagPane extends Pane {
    static final double COLUMN = 190;
    static final double ROW = 56;
    static final double NODE_WIDTH = 150;
    static final double NODE_HEIGHT = 34;

    private final RunViewModel model;
    private final Map<String, Label> nodes = new HashMap<>();

    public DagPane(RunViewModel model) {
        this.model = requireNonNull(model, "model is null");
        setId("runDag");
        getStyleClass().add("run-dag");
        List<List<String>> levels = model.levels();
        for (int level = 0; level < levels.size(); level++) {
            List<String> steps = levels.get(level);
            for (int row = 0; row < steps.size(); row++) {
                String id = steps.get(row);
                Label node = new Label(id);
                node.setId("dag-" + id);
                node.getStyleClass().add("dag-node");
                node.setPrefSize(NODE_WIDTH, NODE_HEIGHT);
                node.relocate(16 + level * COLUMN, 16 + row * ROW);
                nodes.put(id, node);
            }
        }
        for (StepEdge edge : model.edges()) {
            Label from = nodes.get(edge.from());
            Label to = nodes.get(edge.to());
            if (from == null || to == null) {
                continue;
            }
            Line line = new Line(from.getLayoutX() + NODE_WIDTH, from.getLayoutY() + NODE_HEIGHT / 2,
                    to.getLayoutX(), to.getLayoutY() + NODE_HEIGHT / 2);
            line.getStyleClass().add(edge.perPartition() ? "dag-edge-partition" : "dag-edge");
            getChildren().add(line);
        }
        getChildren().addAll(nodes.values());
        double width = 32 + Math.max(1, levels.size()) * COLUMN;
        double height = 32 + levels.stream().mapToInt(List::size).max().orElse(1) * ROW;
        setPrefSize(width, height);
        setMinSize(width, height);
        model.revisionProperty().addListener((o, a, b) -> refresh());
        model.failureProperty().addListener((o, a, b) -> refresh());
        refresh();
    }

    /** Re-colours the nodes from the model; cheap (one node per step). */
    void refresh() {
        RunViewModel.Failure failure = model.failureProperty().get();
        for (int s = 0; s < model.stepIds().size(); s++) {
            String id = model.stepIds().get(s);
            Label node = nodes.get(id);
            RunViewModel.Cell cell = model.stepCell(s);
            RunState state = stepState(s);
            String style = StateColors.styleClass(state);
            if (!node.getStyleClass().contains(style)) {
                node.getStyleClass().removeIf(c -> c.startsWith("state-"));
                node.getStyleClass().add(style);
            }
            boolean focus = failure != null && failure.stepId().filter(id::equals).isPresent();
            if (focus != node.getStyleClass().contains("failure-focus")) {
                if (focus) {
                    node.getStyleClass().add("failure-focus");
                } else {
                    node.getStyleClass().remove("failure-focus");
                }
            }
            node.setTooltip(new Tooltip(id + ": " + state + ", " + cell.rows() + " rows"
                    + cell.duration().map(d -> ", " + RunViewModel.formatDuration(d)).orElse("")));
        }
    }

    /** A partitioned step is RUNNING while any partition runs, even before its aggregate says so. */
    private RunState stepState(int s) {
        RunState state = model.stepCell(s).state();
        if (!state.isTerminal() && model.isPartitioned(s)) {
            for (int p = 0; p < model.partitionKeys().size(); p++) {
                if (model.cell(s, p).state() != RunState.QUEUED) {
                    return RunState.RUNNING;
                }
            }
        }
        return state;
    }

    public Label node(String stepId) {
        return nodes.get(stepId);
    }
}
