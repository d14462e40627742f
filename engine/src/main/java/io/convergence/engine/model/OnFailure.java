package io.convergence.engine.model;

/** What a failed check does to its step. */
public enum OnFailure {
    /** The step fails; downstream steps are skipped. */
    FAIL,
    /** The step succeeds with warnings; results are still recorded. */
    WARN
}
