package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.TableRef;
import io.convergence.engine.model.TenantConfig;

/**
 * Maps a tenant's logical tables ({@code dataset.table} as written in YAML and refs) to physical ones by
 * the tenant's {@code dataset_naming} (default {@code {tenant}_{dataset}}), validating every name.
 */
public final class TableNames {
    private final String tenantId;
    private final String datasetNaming;
    private final SqlDialect dialect;

    public TableNames(String tenantId, String datasetNaming, SqlDialect dialect) {
        this.tenantId = requireNonNull(tenantId, "tenantId is null");
        this.datasetNaming = requireNonNull(datasetNaming, "datasetNaming is null");
        this.dialect = requireNonNull(dialect, "dialect is null");
        if (!Ids.ID_PATTERN.matcher(tenantId).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "'" + tenantId + "' is not a valid tenant id");
        }
        if (!datasetNaming.contains("{dataset}")) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                    "dataset_naming '" + datasetNaming + "' must contain {dataset}, else every logical dataset maps to one physical dataset");
        }
    }

    public static TableNames forTenant(TenantConfig tenant, SqlDialect dialect) {
        return new TableNames(tenant.id(), tenant.datasetNaming(), dialect);
    }

    /** The physical dataset of a logical dataset. */
    public String dataset(String logicalDataset) {
        TableId.requireName(logicalDataset, "dataset");
        String physical = datasetNaming.replace("{tenant}", tenantId).replace("{dataset}", logicalDataset);
        return TableId.requireName(physical, "dataset (from dataset_naming '" + datasetNaming + "')");
    }

    public TableId resolve(TableRef ref) {
        return new TableId(dataset(ref.dataset()), ref.table());
    }

    /** Resolves {@code dataset.table}; anything else is an IDENTIFIER_INVALID error. */
    public TableId resolve(String logicalTable) {
        return resolve(TableRef.parse(logicalTable));
    }

    /** The quoted physical name of a logical table: the resolver that {@code SqlTemplate.render} needs. */
    public String quoted(String logicalTable) {
        return dialect.quoteTable(resolve(logicalTable));
    }

    public SqlDialect dialect() {
        return dialect;
    }

    public String tenantId() {
        return tenantId;
    }
}
