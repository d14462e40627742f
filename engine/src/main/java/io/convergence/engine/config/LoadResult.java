package io.convergence.engine.config;

import io.convergence.engine.validation.Problem;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of loading and validating a workspace: every problem found, all at once, and the
 * workspace with whatever loaded (absent only when workspace.yml itself could not be read).
 */
public record LoadResult(Optional<LoadedWorkspace> workspace, List<Problem> problems) {
    public LoadResult {
        problems = List.copyOf(problems);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }
}
