package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.validation.Problem;
import java.util.List;
import java.util.Optional;

/** The outcome of loading one pipeline: the pipeline when it bound (maybe invalid), and every problem. */
public record PipelineLoad(Optional<LoadedPipeline> pipeline, List<Problem> problems) {
    public PipelineLoad {
        requireNonNull(pipeline, "pipeline is null");
        problems = List.copyOf(problems);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }
}
