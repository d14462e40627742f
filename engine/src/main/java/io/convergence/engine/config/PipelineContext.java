package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.TenantConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What validating one pipeline needs to know about its surroundings: the workspace root (paths may
 * not leave it), the owning tenant (its dataset naming), and the ids of all tenants (refs may not
 * reach into another tenant's datasets).
 */
public record PipelineContext(Path root, String tenantId, Optional<TenantConfig> tenant, Set<String> tenantIds) {
    public PipelineContext {
        root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
        requireNonNull(tenantId, "tenantId is null");
        requireNonNull(tenant, "tenant is null");
        tenantIds = Set.copyOf(tenantIds);
    }

    /** The context of a tenant of a loaded workspace. */
    public static PipelineContext of(LoadedWorkspace workspace, String tenantId) {
        Optional<LoadedTenant> tenant = workspace.tenant(tenantId);
        Set<String> ids = new java.util.HashSet<>();
        workspace.tenants().forEach(t -> ids.add(t.id()));
        ids.add(tenantId);
        return new PipelineContext(workspace.root(), tenantId, tenant.map(LoadedTenant::config), ids);
    }
}
