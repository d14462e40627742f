package io.convergence.engine.validation;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** One validation finding: stable code, severity, where, what, and how to fix it. */
public record Problem(ProblemCode code, Severity severity, SourceLocation location, String message, String hint) {
    public Problem {
        requireNonNull(code, "code is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(location, "location is null");
        requireNonNull(message, "message is null");
        hint = hint == null ? "" : hint;
    }

    public static Problem error(ProblemCode code, SourceLocation location, String message, String hint) {
        return new Problem(code, code.defaultSeverity(), location, message, hint);
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
