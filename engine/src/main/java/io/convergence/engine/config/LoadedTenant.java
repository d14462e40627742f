package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.TenantConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A tenant as loaded, with the pipelines that loaded. */
public record LoadedTenant(Path dir, TenantConfig config, SourceMap sourceMap, List<LoadedPipeline> pipelines) {
    public LoadedTenant {
        requireNonNull(dir, "dir is null");
        requireNonNull(config, "config is null");
        requireNonNull(sourceMap, "sourceMap is null");
        pipelines = List.copyOf(pipelines);
    }

    public String id() {
        return config.id();
    }

    public Optional<LoadedPipeline> pipeline(String pipelineId) {
        return pipelines.stream().filter(p -> p.pipeline().id().equals(pipelineId)).findFirst();
    }
}
