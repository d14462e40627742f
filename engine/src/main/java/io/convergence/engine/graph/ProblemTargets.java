package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.validation.Problem;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which node or edge each problem is about, read from the problem's JSON Pointer into the model:
 * {@code /steps/3/...} is the fourth step, {@code /steps/3/depends_on/1} its second edge.
 */
public final class ProblemTargets {
    private static final Pattern STEP = Pattern.compile("^/steps/(\\d+)(/depends_on/(\\d+))?(/.*)?$");

    /** Error and warning counts of one step. */
    public record Counts(int errors, int warnings) {
        public static final Counts NONE = new Counts(0, 0);

        Counts add(Problem problem) {
            return problem.isError() ? new Counts(errors + 1, warnings)
                    : problem.severity() == io.convergence.engine.validation.Severity.WARNING ? new Counts(errors, warnings + 1) : this;
        }
    }

    private final Map<String, Counts> byStep;
    private final Set<Edge> edges;

    private ProblemTargets(Map<String, Counts> byStep, Set<Edge> edges) {
        this.byStep = Collections.unmodifiableMap(byStep);
        this.edges = Collections.unmodifiableSet(edges);
    }

    public static ProblemTargets of(Pipeline pipeline, List<Problem> problems) {
        requireNonNull(pipeline, "pipeline is null");
        Map<String, Counts> byStep = new HashMap<>();
        Set<Edge> edges = new HashSet<>();
        for (Problem problem : problems) {
            Matcher m = STEP.matcher(problem.pointer());
            if (!m.matches()) {
                continue;
            }
            int index = Integer.parseInt(m.group(1));
            if (index >= pipeline.steps().size()) {
                continue;
            }
            Step step = pipeline.steps().get(index);
            byStep.merge(step.id(), Counts.NONE.add(problem), (a, b) -> new Counts(a.errors + b.errors, a.warnings + b.warnings));
            if (m.group(3) != null) {
                int edge = Integer.parseInt(m.group(3));
                if (edge < step.dependsOn().size()) {
                    edges.add(new Edge(step.dependsOn().get(edge), step.id()));
                }
            }
        }
        return new ProblemTargets(byStep, edges);
    }

    public static ProblemTargets none() {
        return new ProblemTargets(Map.of(), Set.of());
    }

    public Counts counts(String stepId) {
        return byStep.getOrDefault(stepId, Counts.NONE);
    }

    public boolean hasProblem(Edge edge) {
        return edges.contains(edge);
    }

    /** The step a problem is about, if any. */
    public static Optional<String> stepOf(Pipeline pipeline, Problem problem) {
        Matcher m = STEP.matcher(problem.pointer());
        if (!m.matches()) {
            return Optional.empty();
        }
        int index = Integer.parseInt(m.group(1));
        return index < pipeline.steps().size() ? Optional.of(pipeline.steps().get(index).id()) : Optional.empty();
    }
}
