package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import java.nio.file.Path;

/** A pipeline as loaded: the model, the tenant it belongs to, its file and its source positions. */
public record LoadedPipeline(String tenantId, Path file, Pipeline pipeline, SourceMap sourceMap) {
    public LoadedPipeline {
        requireNonNull(tenantId, "tenantId is null");
        requireNonNull(file, "file is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(sourceMap, "sourceMap is null");
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
