package io.convergence.app.cli;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.app.render.PngRenderer;
import io.convergence.engine.graph.DotRenderer;
import io.convergence.engine.graph.GraphScene;
import io.convergence.engine.graph.LayoutResult;
import io.convergence.engine.graph.LayoutSidecar;
import io.convergence.engine.graph.PipelineLayout;
import io.convergence.engine.graph.ProblemTargets;
import io.convergence.engine.graph.SvgRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code convergence graph}: a pipeline's DAG as Graphviz DOT, or as the designer draws it (ELK layout, stored
 * positions from pipeline.layout.json, colours by step type, problem badges) in SVG or PNG.
 */
@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Draw a pipeline's DAG: steps shaped and coloured by type, edges from depends_on.",
                "svg and png draw the designer's picture: convergence graph acme/daily_sales --format png -o dag.png",
                "DOT output renders with Graphviz: convergence graph acme/daily_sales | dot -Tsvg > dag.svg"})
final class GraphCommand extends BaseCommand {
    enum Format { DOT, SVG, PNG }

    @Parameters(index = "0", paramLabel = "PIPELINE", description = "tenant/pipeline, or a path to pipeline.yml or its folder.")
    String pipeline;

    @Option(names = "--format", paramLabel = "dot|svg|png", defaultValue = "dot",
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--scale", paramLabel = "FACTOR", defaultValue = "2",
            description = "png only: pixels per layout unit. Default: ${DEFAULT-VALUE}.")
    double scale;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        if (format == Format.PNG && output == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format png writes a binary file: add -o FILE");
        }
        if (!(scale > 0 && scale <= 8)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scale must be above 0 and at most 8");
        }
        Path root = PipelineLookup.workspaceFor(this, pipeline);
        LoadedPipeline loaded = PipelineLookup.find(context(), root, load(root), pipeline);
        byte[] bytes;
        if (format == Format.DOT) {
            bytes = DotRenderer.render(loaded.pipeline()).getBytes(StandardCharsets.UTF_8);
        } else {
            LayoutResult layout = PipelineLayout.layout(loaded.pipeline(), LayoutSidecar.read(loaded.file()));
            GraphScene scene = GraphScene.of(loaded.pipeline(), layout, ProblemTargets.of(loaded.pipeline(), loaded.problems()), Map.of());
            bytes = format == Format.SVG ? SvgRenderer.render(scene).getBytes(StandardCharsets.UTF_8) : PngRenderer.render(scene, scale);
        }
        if (output == null) {
            out().print(new String(bytes, StandardCharsets.UTF_8));
            out().flush();
        } else {
            Path file = context().resolve(output);
            try {
                Files.write(file, bytes);
            } catch (IOException e) {
                throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot write " + file + ": " + e.getMessage(), e);
            }
        }
        return ExitCodes.OK;
    }
}
