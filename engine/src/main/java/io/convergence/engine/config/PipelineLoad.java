package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.sql.analysis.SqlColumn;
import io.convergence.engine.validation.Problem;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of loading one pipeline: the pipeline when it bound (maybe invalid), every problem, and by step id the
 * columns of the table each ingest and transform step writes, where validation knows them (schema files, analyzed SQL).
 */
public record PipelineLoad(Optional<LoadedPipeline> pipeline, List<Problem> problems, Map<String, List<SqlColumn>> columns) {
    public PipelineLoad {
        requireNonNull(pipeline, "pipeline is null");
        problems = List.copyOf(problems);
        columns = Map.copyOf(columns);
    }

    public PipelineLoad(Optional<LoadedPipeline> pipeline, List<Problem> problems) {
        this(pipeline, problems, Map.of());
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }
}
