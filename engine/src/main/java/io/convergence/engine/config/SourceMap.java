package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.validation.Locator;
import io.convergence.engine.validation.SourceLocation;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where each node of a loaded document came from, keyed by JSON Pointer ({@code /steps/2/depends_on/0}).
 * Kept beside the immutable model instead of inside it.
 */
public record SourceMap(Path file, Map<String, SourceLocation> positions) implements Locator {
    public SourceMap {
        requireNonNull(file, "file is null");
        positions = Map.copyOf(positions);
    }

    public static SourceMap empty(Path file) {
        return new SourceMap(file, Map.of());
    }

    /** The location of the node at {@code pointer}, else of its nearest ancestor, else the file. */
    @Override
    public SourceLocation locate(String pointer) {
        String p = pointer;
        while (true) {
            SourceLocation loc = positions.get(p);
            if (loc != null) {
                return loc;
            }
            if (p.isEmpty()) {
                return SourceLocation.of(file);
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
    }
}
