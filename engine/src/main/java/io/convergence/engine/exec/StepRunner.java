package io.convergence.engine.exec;

/**
 * Runs one step (for one partition, when the step is partitioned). Throws
 * {@link io.convergence.engine.error.ConvergenceException} on failure; code
 * {@code WAREHOUSE_TRANSIENT} marks a failure worth retrying.
 */
@FunctionalInterface
public interface StepRunner {
    StepResult run(StepContext context);
}
