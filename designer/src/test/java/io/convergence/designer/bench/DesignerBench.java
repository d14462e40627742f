package io.convergence.designer.bench;

import io.convergence.designer.DesignerViewModel;
import io.convergence.designer.canvas.GraphCanvas;
import io.convergence.designer.task.CurrentThreadTaskExecutor;
import io.convergence.engine.config.PipelineWriter;
import io.convergence.engine.config.YamlReader;
import io.convergence.engine.graph.PipelineLayout;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * Designer benchmarks (a harness, not a test): ELK layout at 100 and 1,000 steps against a naive longest-path
 * layering, validation latency after one edit at 1,000 steps against the bare YAML write+parse it includes, and
 * canvas frame times while panning a 1,000-step graph (headless Monocle, software pipeline) against a frame that
 * only clears the canvas. Prints a Markdown table.
 */
public final class DesignerBench {
    private DesignerBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<String> rows = new ArrayList<>();
        for (int size : new int[] {100, 1000}) {
            Pipeline pipeline = pipeline(size);
            double elk = median(rounds, () -> time(() -> PipelineLayout.layout(pipeline)));
            double naive = median(rounds, () -> time(() -> naiveLayers(pipeline)));
            rows.add(row("ELK layered layout, " + size + " steps", elk, "naive longest-path layering", naive));
        }

        Path workspace = Files.createTempDirectory("designer-bench");
        Path file = workspace(workspace, 1000);
        DesignerViewModel model = DesignerViewModel.forFile(file, new CurrentThreadTaskExecutor());
        model.open();
        Pipeline big = model.pipeline();
        int[] counter = {0};
        double validation = median(rounds, () -> time(() -> {
            // one edit: the current-thread executor runs the validation before connect returns
            int i = 100 + counter[0]++;
            if (!model.connect("s0", "s" + i)) {
                throw new IllegalStateException("the edit was refused: " + model.statusProperty().get());
            }
        }));
        double yaml = median(rounds, () -> time(() -> YamlReader.parse(PipelineWriter.write(big), file)));
        rows.add(row("edit + validation, 1,000 steps", validation, "YAML write + parse only", yaml));

        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("prism.text", "t2k");
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        AtomicReference<List<String>> frames = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> {
            try {
                frames.set(frames(model, rounds));
            } finally {
                done.countDown();
            }
        });
        done.await();
        rows.addAll(frames.get());
        Platform.exit();

        System.out.println("| measurement | median (ms) | baseline | baseline (ms) | ratio |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static List<String> frames(DesignerViewModel model, int rounds) {
        GraphCanvas canvas = new GraphCanvas(model);
        Stage stage = new Stage();
        stage.setScene(new Scene(canvas, 1200, 760));
        stage.show();
        canvas.applyCss();
        canvas.layout();
        List<String> rows = new ArrayList<>();
        DesignerViewModel empty = DesignerViewModel.forFile(model.file().resolveSibling("empty/pipeline.yml"), new CurrentThreadTaskExecutor());
        GraphCanvas blank = new GraphCanvas(empty);
        Stage blankStage = new Stage();
        blankStage.setScene(new Scene(blank, 1200, 760));
        blankStage.show();
        blank.layout();

        for (String zoom : List.of("fit (all 1,000 visible)", "zoom 1 (detail, culled)")) {
            if (zoom.startsWith("fit")) {
                canvas.fitToView();
            } else {
                canvas.viewport().zoom(1 / canvas.viewport().scale(), 600, 380);
                canvas.redraw();
            }
            double issue = median(rounds * 10, () -> {
                canvas.pan(3, 2);
                return canvas.lastFrameNanos();
            });
            double rendered = median(rounds * 3, () -> time(() -> {
                canvas.pan(3, 2);
                canvas.snapshot(null, null);
            }));
            double blankIssue = median(rounds * 10, () -> {
                blank.pan(3, 2);
                return blank.lastFrameNanos();
            });
            double blankRendered = median(rounds * 3, () -> time(() -> {
                blank.pan(3, 2);
                blank.snapshot(null, null);
            }));
            rows.add(row("pan frame, draw calls, " + zoom, issue, "empty canvas", blankIssue));
            rows.add(row("pan frame, drawn to pixels (snapshot), " + zoom, rendered, "empty canvas", blankRendered));
        }
        stage.close();
        blankStage.close();
        return rows;
    }

    static Pipeline pipeline(int size) {
        List<Step> steps = new ArrayList<>();
        steps.add(new IngestStep("s0", null, List.of(), 0, null, new Source("data/in.csv", io.convergence.engine.model.FileFormat.CSV, true,
                ",", 0), "schemas/in.json", "raw.s0", WriteMode.APPEND, null));
        for (int i = 1; i < size; i++) {
            int parent = (i - 1) / 3;
            List<String> deps = i % 7 == 0 && parent > 0 ? List.of("s" + parent, "s" + (parent - 1)) : List.of("s" + parent);
            steps.add(new TransformStep("s" + i, null, deps, 0, null, "sql/s" + i + ".sql", "mart.s" + i, WriteMode.REPLACE, null, List.of()));
        }
        return new Pipeline("bench", null, Map.of(), null, 4, null, steps);
    }

    /** A workspace whose pipeline has {@code size} steps and all the files they name. */
    static Path workspace(Path root, int size) throws IOException {
        Files.writeString(root.resolve("workspace.yml"), "default_target: local\ntargets:\n  local: { type: duckdb, path: w.duckdb }\n");
        Path dir = root.resolve("tenants/acme/pipelines/bench");
        Files.createDirectories(dir.resolve("sql"));
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("schemas"));
        Files.writeString(root.resolve("tenants/acme/tenant.yml"), "id: acme\nlocation: US\n");
        Files.writeString(dir.resolve("data/in.csv"), "id\n1\n");
        Files.writeString(dir.resolve("schemas/in.json"), "[{\"name\": \"id\", \"type\": \"INT64\"}]\n");
        for (int i = 1; i < size; i++) {
            Files.writeString(dir.resolve("sql/s" + i + ".sql"), "SELECT 1 AS id\n");
        }
        Path file = dir.resolve("pipeline.yml");
        Files.writeString(file, "# bench\n" + PipelineWriter.write(pipeline(size)));
        return file;
    }

    /** The baseline layout: longest-path layers, nodes stacked in declared order, no crossing minimisation. */
    static Map<String, double[]> naiveLayers(Pipeline pipeline) {
        Map<String, Integer> layer = new HashMap<>();
        Map<Integer, Integer> filled = new HashMap<>();
        Map<String, double[]> out = new HashMap<>();
        for (Step step : pipeline.steps()) {
            int l = 0;
            for (String dependency : step.dependsOn()) {
                l = Math.max(l, layer.getOrDefault(dependency, 0) + 1);
            }
            layer.put(step.id(), l);
            int row = filled.merge(l, 1, Integer::sum);
            out.put(step.id(), new double[] {l * 280.0, row * 84.0});
        }
        return out;
    }

    private static long time(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return System.nanoTime() - start;
    }

    /** Median in ms of {@code n} samples after {@code n / 2 + 1} warm-up samples. */
    private static double median(int n, LongSupplier sample) {
        for (int i = 0; i < n / 2 + 1; i++) {
            sample.getAsLong();
        }
        long[] samples = new long[n];
        for (int i = 0; i < n; i++) {
            samples[i] = sample.getAsLong();
        }
        Arrays.sort(samples);
        return samples[n / 2] / 1e6;
    }

    private static String row(String what, double ms, String baseline, double baselineMs) {
        return String.format(Locale.ROOT, "| %s | %.2f | %s | %.2f | %.1fx |", what, ms, baseline, baselineMs,
                baselineMs <= 0 ? 0 : ms / baselineMs);
    }
}
