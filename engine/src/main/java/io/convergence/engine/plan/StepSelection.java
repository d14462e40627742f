package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Set;

/**
 * Which steps of a pipeline a run covers. Dependencies on steps left out are treated as already
 * satisfied (as dbt's {@code --select}); ordering between the steps kept follows the full DAG.
 */
public record StepSelection(Mode mode, Set<String> steps) {
    /** How {@link #steps()} is read. */
    public enum Mode {
        /** Every step; {@code steps} is empty. */
        ALL,
        /** Exactly these steps. */
        ONLY,
        /** These steps and every step downstream of them ("resume from here"). */
        DOWNSTREAM,
        /** These steps and every step upstream of them ("run up to here"). */
        UPSTREAM
    }

    public StepSelection {
        requireNonNull(mode, "mode is null");
        steps = Set.copyOf(requireNonNull(steps, "steps is null"));
        if (mode == Mode.ALL && !steps.isEmpty()) {
            throw new IllegalArgumentException("ALL takes no step ids");
        }
        if (mode != Mode.ALL && steps.isEmpty()) {
            throw new IllegalArgumentException(mode + " needs at least one step id");
        }
    }

    public static StepSelection all() {
        return new StepSelection(Mode.ALL, Set.of());
    }

    public static StepSelection only(Collection<String> stepIds) {
        return new StepSelection(Mode.ONLY, Set.copyOf(stepIds));
    }

    public static StepSelection downstreamOf(Collection<String> stepIds) {
        return new StepSelection(Mode.DOWNSTREAM, Set.copyOf(stepIds));
    }

    public static StepSelection upstreamOf(Collection<String> stepIds) {
        return new StepSelection(Mode.UPSTREAM, Set.copyOf(stepIds));
    }
}
