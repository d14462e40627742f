package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.validation.Problem;
import java.nio.file.Path;
import java.util.List;

/**
 * A pipeline as loaded: the model, the tenant it belongs to, its file, its source positions, the files
 * it names (parsed) and the problems found in it. A pipeline with errors is still listed (the explorer
 * and designer show it) but must not run: check {@link #isValid()}.
 */
public record LoadedPipeline(String tenantId, Path file, Pipeline pipeline, SourceMap sourceMap,
                             PipelineResources resources, List<Problem> problems) {
    public LoadedPipeline {
        requireNonNull(tenantId, "tenantId is null");
        requireNonNull(file, "file is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(sourceMap, "sourceMap is null");
        requireNonNull(resources, "resources is null");
        problems = List.copyOf(problems);
    }

    /** A pipeline without parsed resources or problems (tests, programmatic models). */
    public LoadedPipeline(String tenantId, Path file, Pipeline pipeline, SourceMap sourceMap) {
        this(tenantId, file, pipeline, sourceMap, PipelineResources.empty(), List.of());
    }

    /** True when loading found no error in the pipeline or the files it names (warnings allowed). */
    public boolean isValid() {
        return problems.stream().noneMatch(Problem::isError);
    }

    /** The folder relative paths in pipeline.yml resolve against. */
    public Path dir() {
        return file.getParent();
    }

    /** {@code tenant/pipeline}, the name the CLI accepts. */
    public String qualifiedName() {
        return tenantId + "/" + pipeline.id();
    }
}
