package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Partitioning;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.EdgeReversedGraph;
import org.jgrapht.traverse.BreadthFirstIterator;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * Turns a pipeline and a {@link PlanRequest} into a {@link Plan}.
 *
 * <p>When the pipeline declares {@code partitions}, a step is partitioned if it is a transform or
 * ingest writing {@code replace_partitions}, or a quality step whose table a partitioned step
 * writes; every other step runs once. Between two partitioned steps the edge is per partition
 * (p of B waits only for p of A); every other edge is a barrier. The planner re-checks the DAG
 * (unknown dependencies, cycles) because it may be handed a model the validator never saw.
 */
public final class Planner {

    public Plan plan(LoadedPipeline loaded, PlanRequest request) {
        requireNonNull(loaded, "loaded is null");
        requireNonNull(request, "request is null");
        Pipeline pipeline = loaded.pipeline();

        Map<String, Integer> fileOrder = new HashMap<>();
        Map<String, Step> byId = new LinkedHashMap<>();
        for (Step step : pipeline.steps()) {
            if (byId.putIfAbsent(step.id(), step) != null) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                        "pipeline " + pipeline.id() + " has two steps with id '" + step.id() + "'");
            }
            fileOrder.put(step.id(), fileOrder.size());
        }

        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        byId.keySet().forEach(graph::addVertex);
        for (Step step : pipeline.steps()) {
            for (String dependency : step.dependsOn()) {
                if (!byId.containsKey(dependency)) {
                    throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                            "step '" + step.id() + "' depends on unknown step '" + dependency + "'");
                }
                graph.addEdge(dependency, step.id());
            }
        }
        CycleDetector<String, DefaultEdge> cycles = new CycleDetector<>(graph);
        if (cycles.detectCycles()) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                    "pipeline " + pipeline.id() + " has a cycle: " + String.join(" -> ", cyclePath(graph, cycles.findCycles(), fileOrder)));
        }

        Set<String> selected = select(graph, byId.keySet(), request.selection(), pipeline.id());
        Set<String> partitioned = partitionedSteps(pipeline);
        List<PartitionWindow> windows = checkWindows(pipeline, request.partitions());

        Comparator<String> inFileOrder = Comparator.comparingInt(fileOrder::get);
        List<Step> ordered = new ArrayList<>();
        TopologicalOrderIterator<String, DefaultEdge> topo = new TopologicalOrderIterator<>(graph, inFileOrder);
        while (topo.hasNext()) {
            String id = topo.next();
            if (selected.contains(id)) {
                ordered.add(byId.get(id));
            }
        }

        List<StepEdge> edges = new ArrayList<>();
        for (Step step : ordered) {
            nearestSelectedUpstream(step.id(), byId, selected, partitioned).forEach((from, perPartition) ->
                    edges.add(new StepEdge(from, step.id(), perPartition)));
        }
        edges.sort(Comparator.<StepEdge>comparingInt(e -> fileOrder.get(e.to())).thenComparingInt(e -> fileOrder.get(e.from())));

        List<List<Step>> levels = levels(ordered, edges);

        List<PlanUnit> units = new ArrayList<>();
        Map<String, List<Integer>> unitsOfStep = new HashMap<>();
        for (Step step : ordered) {
            List<Integer> indexes = new ArrayList<>();
            if (partitioned.contains(step.id())) {
                for (PartitionWindow window : windows) {
                    UnitKey key = UnitKey.of(step.id(), window.key());
                    indexes.add(units.size());
                    units.add(new PlanUnit(units.size(), step, Optional.of(window), request.alreadySucceeded().contains(key)));
                }
            }
            else {
                indexes.add(units.size());
                units.add(new PlanUnit(units.size(), step, Optional.empty(), request.alreadySucceeded().contains(UnitKey.of(step.id()))));
            }
            unitsOfStep.put(step.id(), indexes);
        }

        Plan.UnitEdges unitEdges = new Plan.UnitEdges(units.size());
        for (StepEdge edge : edges) {
            List<Integer> from = unitsOfStep.get(edge.from());
            List<Integer> to = unitsOfStep.get(edge.to());
            if (edge.perPartition()) {
                // both steps are partitioned over the same windows, so position i is partition i on both sides
                for (int i = 0; i < from.size(); i++) {
                    unitEdges.add(from.get(i), to.get(i));
                }
            }
            else {
                for (int f : from) {
                    for (int t : to) {
                        unitEdges.add(f, t);
                    }
                }
            }
        }
        Set<String> partitionedSelected = ordered.stream().map(Step::id).filter(partitioned::contains)
                .collect(Collectors.toSet());
        return new Plan(loaded, ordered, partitionedSelected, windows, edges, levels, units, unitEdges.predecessors(), unitEdges.successors());
    }

    /** Steps that run once per partition when the pipeline is partitioned (the whole pipeline, not only a selection). */
    public static Set<String> partitionedSteps(Pipeline pipeline) {
        if (pipeline.partitions() == null) {
            return Set.of();
        }
        Set<String> result = new LinkedHashSet<>();
        Set<String> partitionedTables = new HashSet<>();
        for (Step step : pipeline.steps()) {
            if (step instanceof TransformStep transform && transform.write() == WriteMode.REPLACE_PARTITIONS) {
                result.add(step.id());
                partitionedTables.add(transform.target());
            }
            else if (step instanceof IngestStep ingest && ingest.write() == WriteMode.REPLACE_PARTITIONS) {
                result.add(step.id());
                partitionedTables.add(ingest.target());
            }
        }
        for (Step step : pipeline.steps()) {
            if (step instanceof QualityStep quality && partitionedTables.contains(quality.table())) {
                result.add(step.id());
            }
        }
        return result;
    }

    private static List<PartitionWindow> checkWindows(Pipeline pipeline, List<PartitionWindow> windows) {
        Partitioning partitioning = pipeline.partitions();
        if (partitioning == null) {
            if (!windows.isEmpty()) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                        "pipeline " + pipeline.id() + " is not partitioned; a partition range does not apply");
            }
            return List.of();
        }
        if (windows.isEmpty()) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                    "pipeline " + pipeline.id() + " is partitioned by " + lower(partitioning.type()) + "; the run needs at least one partition");
        }
        Set<String> keys = new HashSet<>();
        for (PartitionWindow window : windows) {
            if (window.grain() != partitioning.type()) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "partition " + window.key() + " is a "
                        + lower(window.grain()) + " but pipeline " + pipeline.id() + " is partitioned by " + lower(partitioning.type()));
            }
            if (!keys.add(window.key())) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "partition " + window.key() + " is given twice");
            }
        }
        return windows.stream().sorted(Comparator.comparing(PartitionWindow::start)).toList();
    }

    private static Set<String> select(Graph<String, DefaultEdge> graph, Set<String> all, StepSelection selection, String pipelineId) {
        if (selection.mode() == StepSelection.Mode.ALL) {
            return all;
        }
        Set<String> unknown = new TreeSet<>(selection.steps());
        unknown.removeAll(all);
        if (!unknown.isEmpty()) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "pipeline " + pipelineId + " has no step "
                    + String.join(", ", unknown) + "; its steps are " + String.join(", ", all));
        }
        Set<String> result = new HashSet<>(selection.steps());
        Graph<String, DefaultEdge> walk = selection.mode() == StepSelection.Mode.UPSTREAM ? new EdgeReversedGraph<>(graph) : graph;
        if (selection.mode() != StepSelection.Mode.ONLY) {
            for (String id : selection.steps()) {
                new BreadthFirstIterator<>(walk, id).forEachRemaining(result::add);
            }
        }
        return result;
    }

    /**
     * The selected steps {@code stepId} must wait for: the nearest selected steps upstream, found by
     * walking through steps left out of the selection. An edge is per partition only when every step
     * on every path between the two is partitioned; one barrier on any path makes it a barrier.
     */
    private static Map<String, Boolean> nearestSelectedUpstream(String stepId, Map<String, Step> byId, Set<String> selected,
            Set<String> partitioned) {
        Map<String, Boolean> result = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        Deque<Map.Entry<String, Boolean>> work = new ArrayDeque<>();
        boolean selfPartitioned = partitioned.contains(stepId);
        for (String dependency : byId.get(stepId).dependsOn()) {
            work.push(Map.entry(dependency, selfPartitioned));
        }
        while (!work.isEmpty()) {
            Map.Entry<String, Boolean> item = work.pop();
            String id = item.getKey();
            boolean perPartition = item.getValue() && partitioned.contains(id);
            if (!visited.add(id + (perPartition ? "|p" : "|b"))) {
                continue;
            }
            if (selected.contains(id)) {
                result.merge(id, perPartition, Boolean::logicalAnd);
            }
            else {
                for (String dependency : byId.get(id).dependsOn()) {
                    work.push(Map.entry(dependency, perPartition));
                }
            }
        }
        return result;
    }

    private static List<List<Step>> levels(List<Step> ordered, List<StepEdge> edges) {
        Map<String, Integer> depth = new HashMap<>();
        Map<String, List<String>> incoming = new HashMap<>();
        for (StepEdge edge : edges) {
            incoming.computeIfAbsent(edge.to(), k -> new ArrayList<>()).add(edge.from());
        }
        List<List<Step>> levels = new ArrayList<>();
        for (Step step : ordered) {
            int d = 0;
            for (String from : incoming.getOrDefault(step.id(), List.of())) {
                d = Math.max(d, depth.get(from) + 1);
            }
            depth.put(step.id(), d);
            while (levels.size() <= d) {
                levels.add(new ArrayList<>());
            }
            levels.get(d).add(step);
        }
        return levels;
    }

    /** One cycle, as a path that starts and ends at the same step, preferring steps early in the file. */
    private static List<String> cyclePath(Graph<String, DefaultEdge> graph, Set<String> inCycles, Map<String, Integer> fileOrder) {
        List<String> candidates = inCycles.stream().sorted(Comparator.comparingInt(fileOrder::get)).toList();
        String start = candidates.get(0);
        // depth-first search from start, staying inside the cyclic vertices, until we return to start
        Deque<String> path = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        if (findPathBack(graph, start, start, inCycles, fileOrder, path, seen)) {
            List<String> result = new ArrayList<>();
            result.add(start);
            result.addAll(path);
            return result;
        }
        return candidates;
    }

    private static boolean findPathBack(Graph<String, DefaultEdge> graph, String current, String start, Set<String> allowed,
            Map<String, Integer> fileOrder, Deque<String> path, Set<String> seen) {
        List<String> next = graph.outgoingEdgesOf(current).stream().map(graph::getEdgeTarget)
                .filter(allowed::contains).sorted(Comparator.comparingInt(fileOrder::get)).toList();
        for (String target : next) {
            if (target.equals(start)) {
                path.addLast(target);
                return true;
            }
            if (seen.add(target)) {
                path.addLast(target);
                if (findPathBack(graph, target, start, allowed, fileOrder, path, seen)) {
                    return true;
                }
                path.removeLast();
            }
        }
        return false;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }
}
