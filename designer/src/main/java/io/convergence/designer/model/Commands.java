package io.convergence.designer.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.graph.Edge;
import io.convergence.engine.graph.Point;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/** The designer's commands. Each is pure: state in, state out, or a {@link CommandRefusedException} that says why not. */
public final class Commands {
    private static final AtomicLong KEYS = new AtomicLong();

    private Commands() {
    }

    /** A command from a description and a state function. */
    public record Simple(String description, UnaryOperator<DesignState> change) implements Command {
        public Simple {
            requireNonNull(description, "description is null");
            requireNonNull(change, "change is null");
        }

        @Override
        public DesignState apply(DesignState state) {
            return change.apply(state);
        }
    }

    /** A fresh stable step key: it follows a step through renames, so the YAML patch keeps the step's text. */
    public static String newKey() {
        return "k" + KEYS.incrementAndGet();
    }

    public static Command addStep(Step step, Point at, String sqlText) {
        requireNonNull(step, "step is null");
        requireNonNull(at, "at is null");
        return new Simple("Add " + step.id(), state -> {
            checkNewId(state.pipeline(), step.id());
            List<Step> steps = new ArrayList<>(state.pipeline().steps());
            steps.add(step);
            Map<String, Point> positions = new LinkedHashMap<>(state.positions());
            positions.put(step.id(), at);
            Map<String, String> keys = new LinkedHashMap<>(state.keys());
            keys.put(step.id(), newKey());
            DesignState next = state.withPipeline(state.pipeline().withSteps(steps)).withPositions(positions).withKeys(keys);
            if (sqlText != null && step instanceof io.convergence.engine.model.TransformStep transform
                    && !state.sqlTexts().containsKey(transform.sql())) {
                Map<String, String> sql = new LinkedHashMap<>(state.sqlTexts());
                sql.put(transform.sql(), sqlText);
                next = next.withSqlTexts(sql);
            }
            return next;
        });
    }

    /** Removes one step only; its edges must be gone already (see {@link #deleteSteps}). */
    public static Command removeStep(String id) {
        return new Simple("Remove " + id, state -> {
            state.step(id);
            List<Step> steps = new ArrayList<>(state.pipeline().steps());
            steps.removeIf(s -> s.id().equals(id));
            Map<String, Point> positions = new LinkedHashMap<>(state.positions());
            positions.remove(id);
            Map<String, String> keys = new LinkedHashMap<>(state.keys());
            keys.remove(id);
            return state.withPipeline(state.pipeline().withSteps(steps)).withPositions(positions).withKeys(keys);
        });
    }

    public static Command connect(String from, String to) {
        return new Simple("Connect " + from + " \u2192 " + to, state -> {
            ConnectionValidator.check(state.pipeline(), from, to).ifPresent(reason -> {
                throw new CommandRefusedException(reason);
            });
            return editDependencies(state, to, deps -> {
                List<String> out = new ArrayList<>(deps);
                out.add(from);
                return out;
            });
        });
    }

    public static Command disconnect(Edge edge) {
        return new Simple("Disconnect " + edge, state -> {
            if (!state.step(edge.to()).dependsOn().contains(edge.from())) {
                throw new CommandRefusedException(edge.to() + " does not depend on " + edge.from());
            }
            return editDependencies(state, edge.to(), deps -> deps.stream().filter(d -> !d.equals(edge.from())).toList());
        });
    }

    /** Deletes steps and every edge into or out of them, as one undo step. */
    public static Command deleteSteps(Pipeline pipeline, Collection<String> ids, Collection<Edge> edges) {
        Set<String> doomed = new LinkedHashSet<>(ids);
        List<Command> parts = new ArrayList<>();
        Set<Edge> removed = new LinkedHashSet<>();
        for (Step step : pipeline.steps()) {
            if (doomed.contains(step.id())) {
                continue;
            }
            for (String dependency : new LinkedHashSet<>(step.dependsOn())) {
                Edge edge = new Edge(dependency, step.id());
                if (doomed.contains(dependency) || edges.contains(edge)) {
                    removed.add(edge);
                }
            }
        }
        removed.forEach(edge -> parts.add(disconnect(edge)));
        doomed.forEach(id -> parts.add(removeStep(id)));
        String what;
        if (doomed.isEmpty()) {
            what = removed.size() == 1 ? "Disconnect " + removed.iterator().next() : "Delete " + removed.size() + " edges";
        } else {
            what = doomed.size() == 1 ? "Delete " + doomed.iterator().next() : "Delete " + doomed.size() + " steps";
        }
        return new CompoundCommand(what, parts);
    }

    public static Command move(Map<String, Point> newPositions) {
        Map<String, Point> copy = Map.copyOf(newPositions);
        String what = copy.size() == 1 ? "Move " + copy.keySet().iterator().next() : "Move " + copy.size() + " steps";
        return new Simple(what, state -> {
            Map<String, Point> positions = new LinkedHashMap<>(state.positions());
            copy.forEach((id, point) -> {
                state.step(id);
                positions.put(id, point);
            });
            return state.withPositions(positions);
        });
    }

    public static Command layout(Map<String, Point> positions) {
        Map<String, Point> copy = new LinkedHashMap<>(positions);
        return new Simple("Auto layout", state -> state.withPositions(copy));
    }

    /**
     * Replaces step {@code oldId} with {@code edited}. A new id is a rename: the steps that depend on it, its position
     * and its key follow, in the same undo step.
     */
    public static Command editStep(String oldId, Step edited) {
        requireNonNull(edited, "edited is null");
        boolean rename = !oldId.equals(edited.id());
        String what = rename ? "Rename " + oldId + " to " + edited.id() : "Edit " + oldId;
        return new Simple(what, state -> {
            state.step(oldId);
            if (rename) {
                checkNewId(state.pipeline(), edited.id());
            }
            List<Step> steps = new ArrayList<>();
            for (Step step : state.pipeline().steps()) {
                Step next = step.id().equals(oldId) ? edited : step;
                if (rename && next.dependsOn().contains(oldId)) {
                    next = next.withDependsOn(next.dependsOn().stream().map(d -> d.equals(oldId) ? edited.id() : d).toList());
                }
                steps.add(next);
            }
            DesignState next = state.withPipeline(state.pipeline().withSteps(steps));
            if (rename) {
                next = next.withPositions(renameKey(state.positions(), oldId, edited.id())).withKeys(renameKey(state.keys(), oldId, edited.id()));
            }
            return next;
        });
    }

    public static Command setSql(String relativePath, String text) {
        return new Simple("Edit SQL " + relativePath, state -> {
            Map<String, String> sql = new LinkedHashMap<>(state.sqlTexts());
            sql.put(relativePath, text);
            return state.withSqlTexts(sql);
        });
    }

    /** Adds copies of {@code steps} with fresh ids, keeping the edges among them; edges to outside steps are dropped. */
    public static Command paste(List<Step> steps, Map<String, Point> positions, Point offset) {
        List<Step> copies = List.copyOf(steps);
        return new Simple(copies.size() == 1 ? "Paste " + copies.get(0).id() : "Paste " + copies.size() + " steps", state -> {
            Pipeline pipeline = state.pipeline();
            Map<String, String> newIds = new HashMap<>();
            List<Step> working = new ArrayList<>(pipeline.steps());
            for (Step step : copies) {
                String base = step.id().replaceAll("_\\d+$", "");
                String id = StepFactory.uniqueId(pipeline.withSteps(working), base.isEmpty() ? step.typeName() : base);
                newIds.put(step.id(), id);
                working.add(step.withId(id));
            }
            DesignState next = state;
            for (Step step : copies) {
                List<String> deps = step.dependsOn().stream().filter(newIds::containsKey).map(newIds::get).toList();
                Point at = positions.getOrDefault(step.id(), new Point(0, 0)).translate(offset.x(), offset.y());
                next = addStep(StepFactory.copyOf(step, newIds.get(step.id()), deps), at, null).apply(next);
            }
            return next;
        });
    }

    /** The whole design replaced (a reload from disk), as one undo step. */
    public static Command replace(String description, DesignState replacement) {
        return new Simple(description, state -> replacement);
    }

    private static DesignState editDependencies(DesignState state, String id, UnaryOperator<List<String>> change) {
        List<Step> steps = new ArrayList<>();
        for (Step step : state.pipeline().steps()) {
            steps.add(step.id().equals(id) ? step.withDependsOn(change.apply(step.dependsOn())) : step);
        }
        return state.withPipeline(state.pipeline().withSteps(steps));
    }

    private static void checkNewId(Pipeline pipeline, String id) {
        if (!Ids.ID_PATTERN.matcher(id).matches()) {
            throw new CommandRefusedException("'" + id + "' is not a valid step id: lower-case letters, digits and _, starting with a letter");
        }
        if (pipeline.step(id).isPresent()) {
            throw new CommandRefusedException("there is already a step '" + id + "'");
        }
    }

    private static <V> Map<String, V> renameKey(Map<String, V> map, String oldKey, String newKey) {
        Map<String, V> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k.equals(oldKey) ? newKey : k, v));
        return out;
    }
}
