package io.convergence.engine.validation;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One validation finding: stable code, severity, where, what, and how to fix it.
 *
 * <p>{@code pointer} is the JSON Pointer of the model element the problem is about ({@code /steps/2/sql}),
 * empty when there is none; the designer uses it to put a badge on the right node.
 */
public record Problem(ProblemCode code, Severity severity, SourceLocation location, String message, String hint, String pointer) {
    public Problem {
        requireNonNull(code, "code is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(location, "location is null");
        requireNonNull(message, "message is null");
        hint = hint == null ? "" : hint;
        pointer = pointer == null ? "" : pointer;
    }

    public Problem(ProblemCode code, Severity severity, SourceLocation location, String message, String hint) {
        this(code, severity, location, message, hint, "");
    }

    public static Problem error(ProblemCode code, SourceLocation location, String message, String hint) {
        return new Problem(code, code.defaultSeverity(), location, message, hint, "");
    }

    /** A problem with the code's default severity about the model element at {@code pointer}. */
    public static Problem of(ProblemCode code, SourceLocation location, String pointer, String message, String hint) {
        return new Problem(code, code.defaultSeverity(), location, message, hint, pointer);
    }

    public Problem withPointer(String newPointer) {
        return new Problem(code, severity, location, message, hint, newPointer);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:line:col: error CV024: message (hint)}. */
    public String display(Path base) {
        StringBuilder out = new StringBuilder()
                .append(location.display(base)).append(": ")
                .append(severity.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                .append(code.id()).append(": ").append(message);
        if (!hint.isEmpty()) {
            out.append("\n    hint: ").append(hint);
        }
        return out.toString();
    }
}
