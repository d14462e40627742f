package io.convergence.engine.service;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.StepRunnerFactory;
import io.convergence.engine.lock.FenceGuard;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.steps.StepRunners;
import io.convergence.engine.steps.YamlChecksReader;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;

/** The warehouses Convergence ships: the embedded DuckDB target (BigQuery joins when its target lands). */
public final class StandardBackends {
    private StandardBackends() {
    }

    public static RunnerBackend.Factory factory() {
        return StandardBackends::open;
    }

    private static RunnerBackend open(LoadedWorkspace workspace, String targetName, Target target) {
        if (target instanceof DuckDbTarget duck) {
            return new WarehouseBackend(DuckDbWarehouse.open(workspace.root(), duck));
        }
        if (target instanceof BigQueryTarget) {
            throw new ConvergenceException(ErrorCode.FEATURE_NOT_AVAILABLE,
                    "target '" + targetName + "' is a BigQuery target, which this build cannot run yet; use a duckdb target");
        }
        throw new IllegalStateException("unknown target kind " + target.getClass().getName());
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
