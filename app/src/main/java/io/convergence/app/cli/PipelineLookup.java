package io.convergence.app.cli;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/** Resolves a {@code PIPELINE} argument ({@code tenant/pipeline} or a path to pipeline.yml) for commands that take one. */
final class PipelineLookup {
    private PipelineLookup() {
    }

    /** The workspace to load for {@code reference}: --workspace, else the one holding the path, else the usual search. */
    static Path workspaceFor(BaseCommand command, String reference) {
        if (command.workspaceOption().isEmpty()) {
            Optional<Path> asPath = existingPath(command.context(), reference);
            if (asPath.isPresent()) {
                Optional<Path> enclosing = command.resolver().enclosing(asPath.get());
                if (enclosing.isPresent()) {
                    return enclosing.get();
                }
            }
        }
        return command.requireWorkspace();
    }

    /** The pipeline, or a USER error naming the pipelines that do exist. */
    static LoadedPipeline find(CliContext context, Path root, LoadResult result, String reference) {
        LoadedWorkspace workspace = result.workspace().orElseThrow(() -> new ConvergenceException(ErrorCode.CONFIG_INVALID,
                "the workspace " + root + " could not be loaded (" + result.problems().size()
                        + " problems); run 'convergence validate' to see them"));
        Optional<LoadedPipeline> found = workspace.findPipeline(reference);
        if (found.isEmpty()) {
            found = existingPath(context, reference).flatMap(path -> workspace.findPipeline(path.toString()));
        }
        return found.orElseThrow(() -> new ConvergenceException(ErrorCode.PIPELINE_NOT_FOUND,
                "no pipeline '" + reference + "' in " + root + known(workspace)));
    }

    private static String known(LoadedWorkspace workspace) {
        if (workspace.pipelines().isEmpty()) {
            return "; it has no pipelines that load (run 'convergence validate')";
        }
        return "; pipelines: " + workspace.pipelines().stream()
                .map(LoadedPipeline::qualifiedName).sorted().collect(Collectors.joining(", "));
    }

    private static Optional<Path> existingPath(CliContext context, String reference) {
        try {
            Path path = context.resolve(Path.of(reference));
            return Files.exists(path) ? Optional.of(path) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
