package io.convergence.engine.warehouse.bigquery;

import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.warehouse.TableId;

/** The tenant's metadata dataset on BigQuery ({@code metadata_dataset}, default {@code {tenant}_convergence}) and its tables. */
public final class MetadataDataset {
    public static final String LOCKS = "locks";
    public static final String LOCK_AUDIT = "lock_audit";
    public static final String FENCES = "fences";
    public static final String RUN_EVENTS = "run_events";

    private MetadataDataset() {
    }

    /** The physical dataset name, {@code {tenant}} replaced and validated. */
    public static String of(TenantConfig tenant) {
        return TableId.requireName(tenant.metadataDataset().replace("{tenant}", tenant.id()),
                "metadata dataset (from metadata_dataset '" + tenant.metadataDataset() + "')");
    }

    public static TableId table(TenantConfig tenant, String table) {
        return new TableId(of(tenant), table);
    }

    /**
     * The target for bookkeeping jobs on the metadata tables (locks, history): without {@code maximum_bytes_billed},
     * which caps pipeline work; a tiny cap must not make a lock or a history read fail, and these tables stay small.
     */
    static BigQueryTarget bookkeeping(BigQueryTarget target) {
        return target.withMaximumBytesBilled(null);
    }
}
