package io.convergence.engine.exec;

import io.convergence.engine.model.Step;

/**
 * Gives the {@link StepRunner} for a step; the composition root binds it to a warehouse so the
 * executor never knows about one. Called once per attempt from worker threads, so it must be
 * thread safe; it may throw a {@link io.convergence.engine.error.ConvergenceException}, which
 * fails that attempt.
 */
@FunctionalInterface
public interface StepRunnerFactory {
    StepRunner runnerFor(Step step);
}
