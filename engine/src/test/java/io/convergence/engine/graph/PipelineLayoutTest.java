package io.convergence.engine.graph;

import static io.convergence.engine.testing.Fixtures.ingest;
import static io.convergence.engine.testing.Fixtures.pipeline;
import static io.convergence.engine.testing.Fixtures.quality;
import static io.convergence.engine.testing.Fixtures.transform;
import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.run.RunState;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLayoutTest {
    static Pipeline diamond() {
        return pipeline("diamond", 4,
                ingest("load", "raw.a", WriteMode.APPEND),
                transform("left", "load"),
                transform("right", "load"),
                quality("check", "mart.left", "left", "right"));
    }

    /** A layered DAG of {@code size} steps: each step depends on one or two steps of the previous layer. */
    static Pipeline wide(int size) {
        List<Step> steps = new ArrayList<>();
        steps.add(ingest("s0", "raw.s0", WriteMode.APPEND));
        for (int i = 1; i < size; i++) {
            int parent = (i - 1) / 3;
            steps.add(i % 7 == 0 && parent > 0 ? transform("s" + i, "s" + parent, "s" + (parent - 1)) : transform("s" + i, "s" + parent));
        }
        return pipeline("wide", 4, steps.toArray(Step[]::new));
    }

    @Test
    void layersFlowLeftToRightWithoutOverlaps() {
        LayoutResult layout = PipelineLayout.layout(diamond());
        Map<String, NodeBox> nodes = layout.nodes();
        assertThat(nodes).containsOnlyKeys("load", "left", "right", "check");
        assertThat(nodes.get("load").maxX()).isLessThan(nodes.get("left").x());
        assertThat(nodes.get("left").maxX()).isLessThan(nodes.get("check").x());
        assertThat(nodes.get("left").x()).isEqualTo(nodes.get("right").x());
        assertNoOverlap(layout);
    }

    @Test
    void isDeterministic() {
        assertThat(PipelineLayout.layout(wide(120))).isEqualTo(PipelineLayout.layout(wide(120)));
    }

    @Test
    void bigGraphsHaveNoOverlaps() {
        LayoutResult layout = PipelineLayout.layout(wide(300));
        assertThat(layout.nodes()).hasSize(300);
        assertNoOverlap(layout);
    }

    @Test
    void cyclesAndUnknownDependenciesStillLayOut() {
        Pipeline broken = pipeline("broken", 4, transform("a", "c"), transform("b", "a"), transform("c", "b", "ghost"), transform("d", "d"));
        assertThat(PipelineLayout.layout(broken).nodes()).containsOnlyKeys("a", "b", "c", "d");
    }

    @Test
    void storedPositionsWinAndNewStepsGoBelow() {
        Map<String, Point> stored = new LinkedHashMap<>();
        stored.put("load", new Point(500, 10));
        stored.put("left", new Point(800, 10));
        stored.put("right", new Point(800, 100));
        LayoutResult layout = PipelineLayout.layout(diamond(), stored);
        assertThat(layout.nodes().get("load").x()).isEqualTo(500);
        assertThat(layout.nodes().get("right").y()).isEqualTo(100);
        NodeBox added = layout.nodes().get("check");
        assertThat(added.y()).isGreaterThan(layout.nodes().get("right").maxY());
        assertThat(PipelineLayout.layout(diamond(), Map.of())).isEqualTo(PipelineLayout.layout(diamond()));
    }

    @Test
    void sidecarRoundTripsWithStableText(@TempDir Path dir) throws IOException {
        Path pipelineFile = dir.resolve("pipeline.yml");
        Map<String, Point> positions = new LinkedHashMap<>();
        positions.put("zeta", new Point(1.26, -3));
        positions.put("alpha", new Point(100, 200.04));
        LayoutSidecar.write(pipelineFile, positions);
        Path file = dir.resolve("pipeline.layout.json");
        assertThat(Files.readString(file)).isEqualTo("""
                {
                  "version": 1,
                  "nodes": {
                    "alpha": { "x": 100.0, "y": 200.0 },
                    "zeta": { "x": 1.3, "y": -3.0 }
                  }
                }
                """);
        assertThat(LayoutSidecar.read(pipelineFile)).containsOnlyKeys("alpha", "zeta")
                .containsEntry("alpha", new Point(100, 200));
        Files.writeString(file, "{ not json");
        assertThat(LayoutSidecar.read(pipelineFile)).isEmpty();
        assertThat(LayoutSidecar.read(dir.resolve("other/pipeline.yml"))).isEmpty();
    }

    @Test
    void sceneMarksProblemsOnNodesAndEdges() {
        Pipeline pipeline = diamond();
        List<Problem> problems = List.of(
                Problem.of(ProblemCode.FILE_NOT_FOUND, SourceLocation.of(Path.of("p.yml")), "/steps/1/sql", "missing", ""),
                Problem.of(ProblemCode.UNKNOWN_DEPENDENCY, SourceLocation.of(Path.of("p.yml")), "/steps/3/depends_on/1", "bad", ""),
                Problem.of(ProblemCode.UNUSED_PARAMETER, SourceLocation.of(Path.of("p.yml")), "/steps/3/table", "warn", ""));
        GraphScene scene = GraphScene.of(pipeline, PipelineLayout.layout(pipeline), ProblemTargets.of(pipeline, problems),
                Map.of("load", RunState.RUNNING));
        assertThat(scene.nodes()).extracting(GraphScene.SceneNode::id).containsExactly("load", "left", "right", "check");
        assertThat(scene.nodes().get(1).errors()).isEqualTo(1);
        assertThat(scene.nodes().get(3).errors()).isEqualTo(1);
        assertThat(scene.nodes().get(3).warnings()).isEqualTo(1);
        assertThat(scene.nodes().get(0).state()).isEqualTo(RunState.RUNNING);
        assertThat(scene.edges()).extracting(e -> e.edge().toString())
                .containsExactly("load \u2192 left", "load \u2192 right", "left \u2192 check", "right \u2192 check");
        assertThat(scene.edges()).filteredOn(GraphScene.SceneEdge::problem).extracting(e -> e.edge().from()).containsExactly("right");
        GraphScene.SceneEdge first = scene.edges().get(0);
        assertThat(first.curve().start()).isEqualTo(scene.nodes().get(0).box().outputPort());
        assertThat(first.curve().end()).isEqualTo(scene.nodes().get(1).box().inputPort());
    }

    @Test
    void svgDrawsEveryNodeAndEdge() {
        Pipeline pipeline = diamond();
        String svg = SvgRenderer.render(GraphScene.of(pipeline, PipelineLayout.layout(pipeline)));
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n")
                .contains("<title>diamond</title>", "data-id=\"load\"", "data-id=\"check\"", "#dbeafe", "#dcfce7", "#fef3c7",
                        "data-from=\"left\" data-to=\"check\"");
        assertThat(svg.split("class=\"edge\"", -1)).hasSize(5);
        assertThat(SvgRenderer.escape("a<b & \"c\"\u0001")).isEqualTo("a&lt;b &amp; &quot;c&quot;");
        assertThat(SvgRenderer.render(GraphScene.of(pipeline("empty", 1), new LayoutResult(Map.of())))).contains("no steps");
    }

    private static void assertNoOverlap(LayoutResult layout) {
        List<NodeBox> boxes = new ArrayList<>(layout.nodes().values());
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                NodeBox a = boxes.get(i);
                NodeBox b = boxes.get(j);
                boolean overlap = a.x() < b.maxX() && b.x() < a.maxX() && a.y() < b.maxY() && b.y() < a.maxY();
                assertThat(overlap).as("%s overlaps %s", a, b).isFalse();
            }
        }
    }
}
