package io.convergence.engine.model;

/** Severity of a check: an ERROR failure obeys the step's on_failure; a WARN failure is only reported. */
public enum CheckSeverity {
    ERROR, WARN
}
