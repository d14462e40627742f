package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Target;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.steps.FileGlob;
import java.nio.file.Path;
import java.util.List;
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
        out.append(inputs());
        return out.toString();
    }

    /**
     * What each ingest of local files would read now: file count and size, or that nothing matches (the
     * step would fail). Cloud URIs are listed by the warehouse when the step runs.
     */
    private String inputs() {
        List<IngestStep> ingests = plan.steps().stream().filter(IngestStep.class::isInstance).map(IngestStep.class::cast)
                .filter(i -> !i.source().uri().startsWith("gs://")).toList();
        if (ingests.isEmpty()) {
            return "";
        }
        int width = ingests.stream().mapToInt(i -> i.id().length()).max().orElse(0);
        StringBuilder out = new StringBuilder("Inputs\n");
        for (IngestStep step : ingests) {
            List<Path> files = FileGlob.expand(pipeline.dir(), step.source().uri());
            long bytes = FileGlob.totalBytes(files);
            out.append("  ").append(step.id()).append(" ".repeat(width - step.id().length())).append("  ").append(step.source().uri())
                    .append(": ").append(files.isEmpty() ? "no file matches (the step would fail)"
                            : files.size() + (files.size() == 1 ? " file, " : " files, ") + DataSize.format(bytes)).append('\n');
        }
        return out.toString();
    }
}
