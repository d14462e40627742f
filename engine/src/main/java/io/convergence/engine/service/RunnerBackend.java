package io.convergence.engine.service;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.exec.StepRunnerFactory;
import io.convergence.engine.lock.FenceGuard;
import io.convergence.engine.model.Target;

/** An open connection to one warehouse target that makes the step runners of one run. */
public interface RunnerBackend extends AutoCloseable {
    /**
     * Step runners for one run of {@code pipeline}; every publish they do checks {@code fence} (and advances the
     * warehouse's fence row to its epoch before the first publish).
     */
    StepRunnerFactory runners(LoadedTenant tenant, LoadedPipeline pipeline, FenceGuard fence);

    @Override
    void close();

    /** Opens a backend for a named target of a workspace. */
    @FunctionalInterface
    interface Factory {
        RunnerBackend open(LoadedWorkspace workspace, String targetName, Target target);
    }
}
