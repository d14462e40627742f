package io.convergence.engine.validation;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** A place in a file: 1-based line and column; 0 means unknown. */
public record SourceLocation(Path file, int line, int column) {
    public SourceLocation {
        requireNonNull(file, "file is null");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0");
        }
    }

    public static SourceLocation of(Path file) {
        return new SourceLocation(file, 0, 0);
    }

    /** {@code file:line:col}, with the path relative to {@code base} when it lies inside it. */
    public String display(Path base) {
        Path shown = base != null && file.startsWith(base) ? base.relativize(file) : file;
        if (line == 0) {
            return shown.toString();
        }
        return shown + ":" + line + ":" + column;
    }

    @Override
    public String toString() {
        return display(null);
    }
}
