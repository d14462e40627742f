package io.convergence.engine.validation;

/** Severity of a validation problem; only ERROR makes validation fail. */
public enum Severity {
    ERROR, WARNING, INFO
}
