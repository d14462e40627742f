package io.convergence.engine.service;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.exec.StepRunnerFactory;
import io.convergence.engine.lock.FenceGuard;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.steps.StepRunners;
import io.convergence.engine.steps.YamlChecksReader;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.bigquery.BigQueryBackendSupport;
import io.convergence.engine.warehouse.bigquery.BigQueryWarehouse;
import io.convergence.engine.warehouse.bigquery.FenceToken;
import io.convergence.engine.warehouse.bigquery.MetadataDataset;
import io.convergence.engine.warehouse.bigquery.WarehouseFences;
import java.nio.file.Path;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;

/** The warehouses Convergence ships: the embedded DuckDB target and BigQuery. */
public final class StandardBackends {
    private StandardBackends() {
    }

    public static RunnerBackend.Factory factory() {
        return StandardBackends::open;
    }

    /**
     * Opens the warehouse of a target for work outside a run (dry-run estimates, doctor): DuckDB, or BigQuery in
     * the tenant's location. The caller closes it.
     */
    public static Warehouse openWarehouse(Path workspaceRoot, Target target, TenantConfig tenant) {
        if (target instanceof DuckDbTarget duck) {
            return DuckDbWarehouse.open(workspaceRoot, duck);
        }
        if (target instanceof BigQueryTarget bigQuery) {
            return BigQueryWarehouse.open(bigQuery, workspaceRoot, tenant == null ? null : tenant.location());
        }
        throw new IllegalStateException("unknown target kind " + target.getClass().getName());
    }

    private static RunnerBackend open(LoadedWorkspace workspace, String targetName, Target target) {
        if (target instanceof DuckDbTarget duck) {
            return new WarehouseBackend(DuckDbWarehouse.open(workspace.root(), duck));
        }
        if (target instanceof BigQueryTarget bigQuery) {
            return new BigQueryBackend(workspace.root(), bigQuery);
        }
        throw new IllegalStateException("unknown target kind " + target.getClass().getName());
    }

    /**
     * A run on BigQuery: the warehouse opens in the tenant's location when the run asks for its runners; the
     * warehouse fence row is advanced to the run's lock epoch first, and every step attempt runs in a job scope.
     */
    static final class BigQueryBackend implements RunnerBackend {
        private final Path root;
        private final BigQueryTarget target;
        private BigQueryWarehouse warehouse;

        BigQueryBackend(Path root, BigQueryTarget target) {
            this.root = root;
            this.target = target;
        }

        @Override
        public synchronized StepRunnerFactory runners(LoadedTenant tenant, LoadedPipeline pipeline, FenceGuard fence) {
            if (warehouse != null) {
                warehouse.close();
            }
            warehouse = BigQueryWarehouse.open(target, root, tenant.config().location());
            try {
                warehouse.declareLayouts(BigQueryBackendSupport.layouts(pipeline, warehouse.tableNames(tenant.config())));
                FenceToken token = new WarehouseFences(warehouse, MetadataDataset.of(tenant.config())).advance(fence.key(), fence.epoch());
                warehouse.useFence(token);
            } catch (RuntimeException e) {
                warehouse.close();
                warehouse = null;
                throw e;
            }
            StepRunners runners = StepRunners.create(warehouse, new YamlChecksReader(), context -> fence::check);
            return BigQueryBackendSupport.scoped(runners::forStep);
        }

        @Override
        public synchronized void close() {
            if (warehouse != null) {
                warehouse.close();
            }
        }
    }

    /** Step runners over one open warehouse; every publication verifies the run's lock epoch before it commits. */
    static final class WarehouseBackend implements RunnerBackend {
        private final Warehouse warehouse;

        WarehouseBackend(Warehouse warehouse) {
            this.warehouse = warehouse;
        }

        @Override
        public StepRunnerFactory runners(LoadedTenant tenant, LoadedPipeline pipeline, FenceGuard fence) {
            StepRunners runners = StepRunners.create(warehouse, new YamlChecksReader(), context -> fence::check);
            return runners::forStep;
        }

        @Override
        public void close() {
            warehouse.close();
        }
    }
}
