package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.TenantConfig;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What BigQuery's shared bookkeeping (locks, run history) works with: the workspace's tenants by id, and
 * one warehouse per tenant location for their metadata datasets, opened on first use and without the
 * target's byte cap ({@link MetadataDataset#bookkeeping}).
 */
final class MetadataWarehouses {
    private final BigQueryTarget target;
    private final Path workspaceRoot;
    private final Map<String, TenantConfig> tenants;
    private final Map<String, BigQueryWarehouse> byLocation = new HashMap<>();

    MetadataWarehouses(BigQueryTarget target, Path workspaceRoot, Collection<TenantConfig> tenants) {
        this.target = requireNonNull(target, "target is null");
        this.workspaceRoot = requireNonNull(workspaceRoot, "workspaceRoot is null");
        Map<String, TenantConfig> byId = new LinkedHashMap<>();
        tenants.forEach(t -> byId.put(t.id(), t));
        this.tenants = Map.copyOf(byId);
    }

    BigQueryTarget target() {
        return target;
    }

    /** The workspace's tenants by id. */
    Map<String, TenantConfig> tenants() {
        return tenants;
    }

    /** The warehouse for {@code tenant}'s metadata dataset (one per location). */
    synchronized BigQueryWarehouse of(TenantConfig tenant) {
        return byLocation.computeIfAbsent(tenant.location(), location -> BigQueryWarehouse.open(MetadataDataset.bookkeeping(target),
                workspaceRoot, location));
    }

    synchronized void close() {
        byLocation.values().forEach(BigQueryWarehouse::close);
        byLocation.clear();
    }
}
