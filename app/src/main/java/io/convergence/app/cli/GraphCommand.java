package io.convergence.app.cli;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.graph.DotRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence graph}: a pipeline's DAG as Graphviz DOT (SVG and PNG later). */
@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Draw a pipeline's DAG: steps shaped and coloured by type, edges from depends_on.",
                "DOT output renders with Graphviz: convergence graph acme/daily_sales | dot -Tsvg > dag.svg"})
final class GraphCommand extends BaseCommand {
    enum Format { DOT, SVG, PNG }

    @Parameters(index = "0", paramLabel = "PIPELINE", description = "tenant/pipeline, or a path to pipeline.yml or its folder.")
    String pipeline;

    @Option(names = "--format", paramLabel = "dot|svg|png", defaultValue = "dot",
            description = "Output format (svg and png are not available yet). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        if (format != Format.DOT) {
            throw NotAvailable.of("graph --format " + format.name().toLowerCase(Locale.ROOT));
        }
        Path root = PipelineLookup.workspaceFor(this, pipeline);
        LoadedPipeline loaded = PipelineLookup.find(context(), root, load(root), pipeline);
        String dot = DotRenderer.render(loaded.pipeline());
        if (output == null) {
            out().print(dot);
            out().flush();
        } else {
            Path file = context().resolve(output);
            try {
                Files.writeString(file, dot, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot write " + file + ": " + e.getMessage(), e);
            }
        }
        return ExitCodes.OK;
    }
}
