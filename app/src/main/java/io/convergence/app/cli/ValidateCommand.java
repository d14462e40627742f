package io.convergence.app.cli;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.error.ConvergenceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code convergence validate}: loads the workspace and reports every problem at once. */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Check the workspace and report every problem at once: YAML syntax, unknown keys, types,"
                + " ids, dependencies, cycles, missing files, schemas, refs and parameters.",
                "Without --workspace, a PATH's own workspace is used."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:No errors (warnings allowed).", "1:Errors found.", "2:Wrong usage or no workspace."})
final class ValidateCommand extends BaseCommand {
    enum Format { TEXT, JSON }

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Report only problems in these files or folders, or pipelines named TENANT/PIPELINE"
                    + " (default: the whole workspace).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "Output: text (one problem per line) or json (stable, for scripts). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Override
    public Integer call() {
        List<Path> filters = new ArrayList<>();
        for (Path path : paths) {
            Path absolute = context().resolve(path);
            if (!Files.exists(absolute)) {
                absolute = pipelineFolder(path).orElseThrow(() -> new ParameterException(spec.commandLine(),
                        "no such file or folder, nor a pipeline TENANT/PIPELINE in the workspace: " + path));
            }
            filters.add(absolute);
        }
        Path root = workspace(filters);
        for (int i = 0; i < filters.size(); i++) {
            if (!filters.get(i).startsWith(root)) {
                throw new ParameterException(spec.commandLine(), paths.get(i) + " is outside the workspace " + root);
            }
        }

        LoadResult result = load(root);
        ValidationReport report = ValidationReport.of(result, root, context().cwd(), filters);
        if (format == Format.JSON) {
            report.writeJson(out());
        } else {
            report.writeText(out());
        }
        return report.errors() > 0 ? ExitCodes.FAILED : ExitCodes.OK;
    }

    /** {@code tenant/pipeline}, as {@code run} takes it: that pipeline's folder in the workspace, if it has one. */
    private Optional<Path> pipelineFolder(Path reference) {
        if (reference.isAbsolute() || reference.getNameCount() != 2) {
            return Optional.empty();
        }
        Path root;
        try {
            root = requireWorkspace();
        } catch (ConvergenceException e) {
            return Optional.empty();
        }
        Path folder = root.resolve(WorkspaceLoader.TENANTS_DIR).resolve(reference.getName(0))
                .resolve(WorkspaceLoader.PIPELINES_DIR).resolve(reference.getName(1));
        return Files.isDirectory(folder) ? Optional.of(folder) : Optional.empty();
    }

    private Path workspace(List<Path> filters) {
        if (workspaceOption().isEmpty() && !filters.isEmpty()) {
            Optional<Path> enclosing = resolver().enclosing(filters.get(0));
            if (enclosing.isPresent()) {
                return enclosing.get();
            }
        }
        return requireWorkspace();
    }
}
