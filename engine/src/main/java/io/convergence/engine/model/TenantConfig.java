package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;

/** {@code tenants/<tenant>/tenant.yml}: a tenant maps to its own datasets, region and quotas. */
@Doc("A tenant: its id, region, how logical datasets map to physical ones, and its quotas.")
public record TenantConfig(
        @Doc("Tenant id; must equal the folder name.") @Required @Pattern(Ids.ID) String id,
        @Doc("What this tenant is.") String description,
        @Doc("BigQuery location (region) of the tenant's datasets, e.g. EU or us-east1.") @Default("US") String location,
        @Doc("Physical dataset name for a logical dataset; {tenant} and {dataset} are replaced.")
        @Default("{tenant}_{dataset}") String datasetNaming,
        @Doc("Dataset that holds run history and the lock table on BigQuery.") @Default("{tenant}_convergence") String metadataDataset,
        @Doc("Token-bucket quotas applied to this tenant's warehouse work.") Quotas quotas) {
    public TenantConfig {
        requireNonNull(id, "id is null");
        requireNonNull(location, "location is null");
        requireNonNull(datasetNaming, "datasetNaming is null");
        requireNonNull(metadataDataset, "metadataDataset is null");
    }
}
