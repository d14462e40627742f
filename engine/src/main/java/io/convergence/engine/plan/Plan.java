package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An immutable DAG of {@link PlanUnit}s built by {@link Planner}. Units are numbered in a
 * deterministic topological order (step order in the file breaks ties, then partition start), so
 * the executor can keep per-unit state in plain arrays and every predecessor index is lower than
 * the unit's own.
 */
public final class Plan {
    private final LoadedPipeline pipeline;
    private final List<Step> steps;
    private final Map<String, Integer> stepPositions;
    private final Set<String> partitionedSteps;
    private final List<PartitionWindow> partitions;
    private final List<StepEdge> edges;
    private final List<List<Step>> levels;
    private final List<PlanUnit> units;
    private final int[] unitStep;
    private final int[][] predecessors;
    private final int[][] successors;
    private final Map<UnitKey, PlanUnit> unitsByKey;

    Plan(LoadedPipeline pipeline, List<Step> steps, Set<String> partitionedSteps, List<PartitionWindow> partitions,
            List<StepEdge> edges, List<List<Step>> levels, List<PlanUnit> units, int[][] predecessors, int[][] successors) {
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.steps = List.copyOf(steps);
        this.partitionedSteps = Set.copyOf(partitionedSteps);
        this.partitions = List.copyOf(partitions);
        this.edges = List.copyOf(edges);
        this.levels = levels.stream().map(List::copyOf).toList();
        this.units = List.copyOf(units);
        this.predecessors = predecessors;
        this.successors = successors;
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < this.steps.size(); i++) {
            positions.put(this.steps.get(i).id(), i);
        }
        this.stepPositions = Map.copyOf(positions);
        this.unitStep = new int[this.units.size()];
        Map<UnitKey, PlanUnit> byKey = new HashMap<>();
        for (PlanUnit unit : this.units) {
            unitStep[unit.index()] = positions.get(unit.stepId());
            byKey.put(unit.key(), unit);
        }
        this.unitsByKey = Map.copyOf(byKey);
    }

    public LoadedPipeline pipeline() {
        return pipeline;
    }

    /** The planned steps in topological order (the order units and levels use). */
    public List<Step> steps() {
        return steps;
    }

    /** Position of a planned step in {@link #steps()}, or -1. */
    public int stepPosition(String stepId) {
        Integer position = stepPositions.get(stepId);
        return position == null ? -1 : position;
    }

    /** Position in {@link #steps()} of the step of unit {@code unitIndex}. */
    public int stepPositionOfUnit(int unitIndex) {
        return unitStep[unitIndex];
    }

    public boolean isPartitioned(String stepId) {
        return partitionedSteps.contains(stepId);
    }

    /** The run's partition windows in time order; empty when the pipeline is not partitioned. */
    public List<PartitionWindow> partitions() {
        return partitions;
    }

    public List<StepEdge> edges() {
        return edges;
    }

    /** Steps grouped by depth: level 0 has no planned predecessor, level n waits on level n-1 at most. */
    public List<List<Step>> levels() {
        return levels;
    }

    public List<PlanUnit> units() {
        return units;
    }

    public int unitCount() {
        return units.size();
    }

    public PlanUnit unit(int index) {
        return units.get(index);
    }

    public Optional<PlanUnit> unit(UnitKey key) {
        return Optional.ofNullable(unitsByKey.get(key));
    }

    public int predecessorCount(int unitIndex) {
        return predecessors[unitIndex].length;
    }

    public int predecessor(int unitIndex, int i) {
        return predecessors[unitIndex][i];
    }

    public int successorCount(int unitIndex) {
        return successors[unitIndex].length;
    }

    public int successor(int unitIndex, int i) {
        return successors[unitIndex][i];
    }

    public List<PlanUnit> predecessors(PlanUnit unit) {
        return Arrays.stream(predecessors[unit.index()]).mapToObj(units::get).toList();
    }

    public List<PlanUnit> successors(PlanUnit unit) {
        return Arrays.stream(successors[unit.index()]).mapToObj(units::get).toList();
    }

    /** Units of one step in partition order. */
    public List<PlanUnit> unitsOf(String stepId) {
        return units.stream().filter(u -> u.stepId().equals(stepId)).toList();
    }

    public int maxParallel() {
        return Math.max(1, pipeline.pipeline().maxParallel());
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(pipeline.pipeline().timeout()).filter(d -> !d.isZero() && !d.isNegative());
    }

    /** The text {@code convergence run --dry-run} prints: partitions, then each level with its steps and units. */
    public String render() {
        Pipeline p = pipeline.pipeline();
        StringBuilder out = new StringBuilder();
        long resumed = units.stream().filter(PlanUnit::resumed).count();
        out.append("Plan for ").append(pipeline.qualifiedName()).append(": ")
                .append(count(steps.size(), "step")).append(", ")
                .append(count(units.size(), "unit"));
        if (resumed > 0) {
            out.append(" (").append(resumed).append(" already succeeded, skipped)");
        }
        out.append(", max_parallel ").append(maxParallel());
        timeout().ifPresent(t -> out.append(", timeout ").append(io.convergence.engine.model.Durations.format(t)));
        out.append('\n');
        if (!partitions.isEmpty()) {
            out.append("Partitions (").append(p.partitions().type().name().toLowerCase(java.util.Locale.ROOT))
                    .append("): ").append(describeKeys(partitions.stream().map(PartitionWindow::key).toList()))
                    .append('\n');
        }
        int idWidth = steps.stream().mapToInt(s -> s.id().length()).max().orElse(4);
        Map<String, List<StepEdge>> incoming = edges.stream().collect(Collectors.groupingBy(StepEdge::to));
        for (int level = 0; level < levels.size(); level++) {
            out.append("Level ").append(level + 1).append('\n');
            for (Step step : levels.get(level)) {
                out.append("  ").append(pad(step.id(), idWidth)).append("  ").append(pad(step.typeName(), 9)).append("  ");
                List<PlanUnit> stepUnits = unitsOf(step.id());
                if (isPartitioned(step.id())) {
                    out.append("per partition (").append(stepUnits.size()).append(')');
                }
                else {
                    out.append("once");
                }
                List<StepEdge> in = incoming.getOrDefault(step.id(), List.of());
                if (!in.isEmpty()) {
                    out.append(", after ").append(in.stream()
                            .map(e -> e.from() + (e.perPartition() ? " (same partition)" : ""))
                            .collect(Collectors.joining(", ")));
                }
                List<String> skipped = stepUnits.stream().filter(PlanUnit::resumed)
                        .map(u -> u.partitionKey().orElse("all")).toList();
                if (!skipped.isEmpty()) {
                    out.append("; skipped (already succeeded): ").append(describeKeys(skipped));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "Plan[" + pipeline.qualifiedName() + ", " + units.size() + " units]";
    }

    private static String describeKeys(List<String> keys) {
        if (keys.size() <= 8) {
            return String.join(", ", keys);
        }
        return keys.get(0) + " .. " + keys.get(keys.size() - 1) + " (" + keys.size() + ")";
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String pad(String text, int width) {
        if (text.length() >= width) {
            return text;
        }
        return text + String.join("", Collections.nCopies(width - text.length(), " "));
    }

    /** Collects edges of the unit graph while the planner builds it. */
    static final class UnitEdges {
        private final List<List<Integer>> preds = new ArrayList<>();
        private final List<List<Integer>> succs = new ArrayList<>();

        UnitEdges(int units) {
            for (int i = 0; i < units; i++) {
                preds.add(new ArrayList<>());
                succs.add(new ArrayList<>());
            }
        }

        void add(int from, int to) {
            succs.get(from).add(to);
            preds.get(to).add(from);
        }

        int[][] predecessors() {
            return toArrays(preds);
        }

        int[][] successors() {
            return toArrays(succs);
        }

        private static int[][] toArrays(List<List<Integer>> lists) {
            int[][] result = new int[lists.size()][];
            for (int i = 0; i < lists.size(); i++) {
                result[i] = lists.get(i).stream().mapToInt(Integer::intValue).sorted().toArray();
            }
            return result;
        }
    }
}
