package io.convergence.engine.steps;

import io.convergence.engine.model.Check;
import java.nio.file.Path;
import java.util.List;

/** Reads a checks file ({@code checks/*.yml}); the composition root may pass the workspace loader's reader. */
@FunctionalInterface
public interface ChecksReader {
    List<Check> read(Path checksFile);
}
