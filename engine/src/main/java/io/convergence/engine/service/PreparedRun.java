package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.Target;
import io.convergence.engine.plan.Plan;
import java.util.Map;
import java.util.Optional;

/** A run request resolved against the workspace: pipeline, target, typed parameters and the plan. Nothing ran yet. */
public record PreparedRun(
        LoadedTenant tenant,
        LoadedPipeline pipeline,
        String targetName,
        Target target,
        Map<String, ParameterValue> parameters,
        Plan plan,
        String pipelineVersion,
        Optional<String> resumedFrom) {
    public PreparedRun {
        requireNonNull(tenant, "tenant is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(targetName, "targetName is null");
        requireNonNull(target, "target is null");
        parameters = Map.copyOf(parameters);
        requireNonNull(plan, "plan is null");
        requireNonNull(pipelineVersion, "pipelineVersion is null");
        requireNonNull(resumedFrom, "resumedFrom is null");
    }

    /** The plan as text, for {@code run --dry-run}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("pipeline ").append(pipeline.qualifiedName()).append(" (").append(pipelineVersion).append(")\n");
        out.append("target   ").append(targetName).append(" (").append(target.getClass().getSimpleName().replace("Target", "").toLowerCase(java.util.Locale.ROOT)).append(")\n");
        if (!parameters.isEmpty()) {
            out.append("params   ").append(parameters.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + ParameterResolver.format(e.getValue())).collect(java.util.stream.Collectors.joining(" ")))
                    .append('\n');
        }
        resumedFrom.ifPresent(r -> out.append("resumes  ").append(r).append('\n'));
        out.append(plan.render());
        return out.toString();
    }
}
