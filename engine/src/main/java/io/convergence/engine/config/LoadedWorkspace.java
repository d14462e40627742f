package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.WorkspaceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A workspace as loaded: settings, tenants and pipelines, each with source positions. */
public record LoadedWorkspace(Path root, WorkspaceConfig config, SourceMap sourceMap, List<LoadedTenant> tenants) {
    public LoadedWorkspace {
        requireNonNull(root, "root is null");
        requireNonNull(config, "config is null");
        requireNonNull(sourceMap, "sourceMap is null");
        tenants = List.copyOf(tenants);
    }

    public Optional<LoadedTenant> tenant(String tenantId) {
        return tenants.stream().filter(t -> t.id().equals(tenantId)).findFirst();
    }

    public List<LoadedPipeline> pipelines() {
        return tenants.stream().flatMap(t -> t.pipelines().stream()).toList();
    }

    /** Finds {@code tenant/pipeline}, or a pipeline.yml path (absolute or relative to the current folder). */
    public Optional<LoadedPipeline> findPipeline(String reference) {
        int slash = reference.indexOf('/');
        if (slash > 0 && reference.indexOf('/', slash + 1) < 0 && !reference.endsWith(".yml") && !reference.endsWith(".yaml")) {
            String tenant = reference.substring(0, slash);
            String pipeline = reference.substring(slash + 1);
            return tenant(tenant).flatMap(t -> t.pipeline(pipeline));
        }
        Path asPath = Path.of(reference).toAbsolutePath().normalize();
        return pipelines().stream()
                .filter(p -> p.file().toAbsolutePath().normalize().equals(asPath)
                        || p.dir().toAbsolutePath().normalize().equals(asPath))
                .findFirst();
    }
}
