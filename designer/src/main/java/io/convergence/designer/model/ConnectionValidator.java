package io.convergence.designer.model;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Asked while dragging a connection: may {@code to} depend on {@code from}? Refuses self loops, duplicates and cycles. */
public final class ConnectionValidator {
    private ConnectionValidator() {
    }

    /** Why the edge {@code from -> to} cannot be added, or empty when it can. */
    public static Optional<String> check(Pipeline pipeline, String from, String to) {
        if (from.equals(to)) {
            return Optional.of("a step cannot depend on itself");
        }
        Optional<Step> target = pipeline.step(to);
        if (pipeline.step(from).isEmpty() || target.isEmpty()) {
            return Optional.of("both ends must be steps of this pipeline");
        }
        if (target.get().dependsOn().contains(from)) {
            return Optional.of(to + " already depends on " + from);
        }
        List<String> path = pathUpstream(pipeline, from, to);
        if (!path.isEmpty()) {
            List<String> cycle = new ArrayList<>(path);
            Collections.reverse(cycle);
            cycle.add(cycle.get(0));
            return Optional.of("would close a cycle: " + String.join(" \u2192 ", cycle));
        }
        return Optional.empty();
    }

    /** A dependency path from {@code start} up to {@code goal} (start, ..., goal), empty when there is none. */
    private static List<String> pathUpstream(Pipeline pipeline, String start, String goal) {
        Map<String, Step> byId = new HashMap<>();
        pipeline.steps().forEach(s -> byId.putIfAbsent(s.id(), s));
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        queue.add(start);
        cameFrom.put(start, null);
        while (!queue.isEmpty()) {
            String current = queue.poll();
            if (current.equals(goal)) {
                List<String> path = new ArrayList<>();
                for (String at = goal; at != null; at = cameFrom.get(at)) {
                    path.add(0, at);
                }
                return path;
            }
            Step step = byId.get(current);
            if (step == null) {
                continue;
            }
            for (String dependency : step.dependsOn()) {
                if (!cameFrom.containsKey(dependency)) {
                    cameFrom.put(dependency, current);
                    queue.add(dependency);
                }
            }
        }
        return List.of();
    }
}
