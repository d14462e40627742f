package io.convergence.engine.bench;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.PipelineContext;
import io.convergence.engine.config.PipelineLoad;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Re-validation after one SQL edit, as the designer does it (a harness, not a test): the demo's jaffle_shop pipeline
 * (5 transforms, 4 quality steps) is validated with an edited, unsaved customers.sql, warm, with BigQuery SQL
 * analysis and without it (the YAML and text-level rules only), alternating the two in every round. Prints the
 * medians and their ratio.
 *
 * <pre>
 * mvn -B -o -q -pl engine test-compile org.apache.maven.plugins:maven-dependency-plugin:2.8:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=$PWD/engine/target/bench.cp
 * java -cp engine/target/test-classes:engine/target/classes:$(cat engine/target/bench.cp) \
 *     io.convergence.engine.bench.SqlAnalysisBench [ROUNDS, default 200]
 * </pre>
 */
public final class SqlAnalysisBench {
    private SqlAnalysisBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path pipelineFile = Path.of("configs", "tenants", "jaffle", "pipelines", "jaffle_shop", "pipeline.yml").toAbsolutePath();
        if (!Files.isRegularFile(pipelineFile)) {
            throw new IllegalStateException("run from the repository root: " + pipelineFile + " not found");
        }
        PipelineContext context = WorkspaceLoader.contextOf(pipelineFile);
        LoadedPipeline loaded = WorkspaceLoader.loadPipeline(context, pipelineFile).pipeline().orElseThrow();
        Path sql = pipelineFile.resolveSibling("sql/customers.sql");
        String text = Files.readString(sql);
        BigQueryAnalyzer on = BigQueryAnalyzer.shared();
        BigQueryAnalyzer off = BigQueryAnalyzer.unavailable("benchmark baseline");
        if (on.unavailableReason().isPresent()) {
            throw new IllegalStateException("the analyzer does not run here: " + on.unavailableReason().get());
        }

        List<Long> analyzed = new ArrayList<>();
        List<Long> textOnly = new ArrayList<>();
        for (int i = -20; i < rounds; i++) {
            Map<Path, String> edited = Map.of(sql, text + "\n-- edit " + i + "\n");
            boolean analyzedFirst = i % 2 == 0;
            long a = analyzedFirst ? time(context, pipelineFile, loaded, edited, on) : 0;
            long b = time(context, pipelineFile, loaded, edited, off);
            if (!analyzedFirst) {
                a = time(context, pipelineFile, loaded, edited, on);
            }
            if (i >= 0) {
                analyzed.add(a);
                textOnly.add(b);
            }
        }
        double withAnalysis = median(analyzed) / 1e6;
        double baseline = median(textOnly) / 1e6;
        System.out.printf("re-validation of jaffle_shop after one SQL edit, median of %d: with SQL analysis %.1f ms, "
                + "text-level rules only %.1f ms, ratio %.2fx (analysis adds %.1f ms)%n", rounds, withAnalysis, baseline,
                withAnalysis / baseline, withAnalysis - baseline);
    }

    private static long time(PipelineContext context, Path file, LoadedPipeline loaded, Map<Path, String> overlays, BigQueryAnalyzer analyzer) {
        long start = System.nanoTime();
        PipelineLoad load = WorkspaceLoader.validatePipeline(context, file, loaded.pipeline(), overlays, analyzer);
        long elapsed = System.nanoTime() - start;
        if (load.hasErrors()) {
            throw new IllegalStateException("the demo pipeline does not validate: " + load.problems());
        }
        return elapsed;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
