package io.convergence.engine.validation;

/** Finds where the model element at a JSON Pointer ({@code /steps/2/sql}) was written. */
@FunctionalInterface
public interface Locator {
    SourceLocation locate(String pointer);
}
