package io.convergence.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DotRendererTest {
    private static IngestStep ingest(String id, String description) {
        return new IngestStep(id, description, List.of(), 0, null,
                new Source("data/orders_*.csv", FileFormat.CSV, true, ",", 0),
                "schemas/orders.json", "raw.orders", WriteMode.APPEND, null);
    }

    private static TransformStep transform(String id, List<String> dependsOn) {
        return new TransformStep(id, null, dependsOn, 0, null, "sql/" + id + ".sql", "mart." + id,
                WriteMode.REPLACE, null, List.of());
    }

    private static QualityStep quality(String id, List<String> dependsOn) {
        return new QualityStep(id, null, dependsOn, 0, null, "mart.sales_by_day",
                new ChecksSpec.File("checks/sales.yml"), Sample.FULL, OnFailure.FAIL);
    }

    private static Pipeline pipeline(List<Step> steps) {
        return new Pipeline("daily_sales", null, Map.of(), null, 4, null, steps);
    }

    @Test
    void rendersStepsStyledByTypeAndEdgesFromDependsOn() {
        Pipeline pipeline = pipeline(List.of(
                ingest("load_orders", null),
                transform("sales_by_day", List.of("load_orders")),
                quality("check_sales", List.of("sales_by_day"))));

        assertThat(DotRenderer.render(pipeline)).isEqualTo("""
                digraph "daily_sales" {
                  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label="daily_sales"];
                  node [fontname="Helvetica", fontsize=11, penwidth=1.2];
                  edge [color="#64748b", arrowsize=0.8];

                  "load_orders" [label="load_orders\\ningest", shape=cylinder, style="filled", fillcolor="#dbeafe", color="#1d4ed8"];
                  "sales_by_day" [label="sales_by_day\\ntransform", shape=box, style="filled,rounded", fillcolor="#dcfce7", color="#15803d"];
                  "check_sales" [label="check_sales\\nquality", shape=hexagon, style="filled", fillcolor="#fef3c7", color="#b45309"];

                  "load_orders" -> "sales_by_day";
                  "sales_by_day" -> "check_sales";
                }
                """);
    }

    @Test
    void outputIsDeterministicAndFollowsDeclaredOrder() {
        List<Step> steps = new ArrayList<>(List.of(
                ingest("a", null),
                ingest("b", null),
                transform("c", List.of("b", "a")),
                quality("d", List.of("c", "a"))));
        String first = DotRenderer.render(pipeline(steps));
        assertThat(DotRenderer.render(pipeline(steps))).isEqualTo(first);
        assertThat(first).containsSubsequence("\"b\" -> \"c\"", "\"a\" -> \"c\"", "\"c\" -> \"d\"", "\"a\" -> \"d\"");

        Collections.reverse(steps);
        assertThat(DotRenderer.render(pipeline(steps)))
                .containsSubsequence("\"d\" [label", "\"c\" [label", "\"b\" [label", "\"a\" [label");
    }

    @Test
    void unknownDependenciesAreShownAsDashedNodesOnce() {
        String dot = DotRenderer.render(pipeline(List.of(
                transform("x", List.of("missing_b", "missing_a")),
                transform("y", List.of("missing_a", "missing_a")))));

        assertThat(dot).containsOnlyOnce("\"missing_a\" [label=\"missing_a\\nunknown step\", shape=box, style=\"dashed\"");
        assertThat(dot).containsOnlyOnce("\"missing_b\" [label=");
        // sorted, whatever order the steps mention them in
        assertThat(dot.indexOf("\"missing_a\" [")).isLessThan(dot.indexOf("\"missing_b\" ["));
        // a repeated depends_on entry is one edge
        assertThat(dot).containsOnlyOnce("\"missing_a\" -> \"y\" [style=dashed");
    }

    @Test
    void descriptionsAreEscapedIntoTooltips() {
        String dot = DotRenderer.render(pipeline(List.of(ingest("load", "Reads \"orders\"\\files\r\nnightly"))));
        assertThat(dot).contains("tooltip=\"Reads \\\"orders\\\"\\\\files\\nnightly\"");
    }

    @Test
    void emptyPipelineIsAnEmptyGraph() {
        assertThat(DotRenderer.render(pipeline(List.of()))).endsWith("edge [color=\"#64748b\", arrowsize=0.8];\n}\n");
    }
}
