package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code pipeline.yml}: a DAG of steps with declared parameters and optional partitioning. */
@Doc("A pipeline: a DAG of ingest, transform and quality steps.")
public record Pipeline(
        @Doc("Pipeline id; must equal the folder name.") @Required @Pattern(Ids.ID) String id,
        @Doc("What this pipeline produces.") String description,
        @Doc("Query parameters the SQL may use as @name; values are always bound, never spliced.")
        Map<@Pattern(Ids.ID) String, Parameter> parameters,
        @Doc("Makes runs partition-aware: each partition is processed, recorded and published on its own.")
        Partitioning partitions,
        @Doc("Most steps and partitions running at once.") @Default("4") @Minimum(1) int maxParallel,
        @Doc("Time limit of a whole run; empty means none.") Duration timeout,
        @Doc("The steps of the DAG; order does not matter, depends_on does.") @Required List<Step> steps) {
    public Pipeline {
        requireNonNull(id, "id is null");
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
    }

    public Optional<Step> step(String stepId) {
        return steps.stream().filter(s -> s.id().equals(stepId)).findFirst();
    }

    public Pipeline withSteps(List<Step> newSteps) {
        return new Pipeline(id, description, parameters, partitions, maxParallel, timeout, newSteps);
    }

    public Pipeline withDescription(String newDescription) {
        return new Pipeline(id, newDescription, parameters, partitions, maxParallel, timeout, steps);
    }
}
