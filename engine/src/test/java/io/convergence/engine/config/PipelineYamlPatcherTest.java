package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.config.PipelineYamlPatcher.Result;
import io.convergence.engine.config.PipelineYamlPatcher.Strategy;
import io.convergence.engine.model.BadRows;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class PipelineYamlPatcherTest {
    static String resource(String name) {
        try (InputStream in = PipelineYamlPatcherTest.class.getResourceAsStream("/patch/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Pipeline load(String text) {
        return ModelBinder.bind(YamlReader.parse(text, Path.of("pipeline.yml")), Pipeline.class).value().orElseThrow();
    }

    static Pipeline editStep(Pipeline pipeline, String id, UnaryOperator<Step> edit) {
        List<Step> steps = new ArrayList<>();
        for (Step step : pipeline.steps()) {
            steps.add(step.id().equals(id) ? edit.apply(step) : step);
        }
        return pipeline.withSteps(steps);
    }

    static Result patchAndCheck(String text, Pipeline edited) {
        return patchAndCheck(text, edited, Map.of());
    }

    static Result patchAndCheck(String text, Pipeline edited, Map<String, String> renames) {
        Result result = PipelineYamlPatcher.patch(text, edited, renames);
        assertThat(result.strategy()).as(result.reason()).isEqualTo(Strategy.PATCHED);
        assertThat(load(result.text())).isEqualTo(edited);
        return result;
    }

    private static List<String> lines(String text) {
        return List.of(text.split("\n", -1));
    }

    private static List<String> comments(String text) {
        return lines(text).stream().filter(l -> l.contains("#")).toList();
    }

    @Test
    void anUnchangedModelGivesTheSameText() {
        String text = resource("daily_sales.yml");
        Result result = PipelineYamlPatcher.patch(text, load(text));
        assertThat(result.strategy()).isEqualTo(Strategy.UNCHANGED);
        assertThat(result.text()).isSameAs(text);
    }

    @Test
    void changingOneScalarChangesOneLineAndKeepsItsComment() {
        String text = resource("daily_sales.yml");
        Pipeline pipeline = load(text);
        Pipeline edited = editStep(pipeline, "sales_by_day", s -> {
            TransformStep t = (TransformStep) s;
            return new TransformStep(t.id(), t.description(), t.dependsOn(), t.retries(), java.time.Duration.ofMinutes(20), t.sql(),
                    "mart.sales_daily", t.write(), t.partitionBy(), t.clusterBy());
        });
        Result result = patchAndCheck(text, edited);
        List<String> before = lines(text);
        List<String> after = lines(result.text());
        assertThat(after).hasSameSizeAs(before);
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                changed.add(after.get(i));
            }
        }
        assertThat(changed).containsExactly("    target: mart.sales_daily", "    timeout: 20m                 # one attempt of one partition");
    }

    @Test
    void connectingEditsTheFlowListInPlace() {
        String text = resource("jaffle_shop.yml");
        Pipeline edited = editStep(load(text), "orders", s -> s.withDependsOn(List.of("stg_orders", "stg_payments", "load_orders")));
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).contains("    depends_on: [stg_orders, stg_payments, load_orders]\n")
                .isEqualTo(text.replace("depends_on: [stg_orders, stg_payments]", "depends_on: [stg_orders, stg_payments, load_orders]"));
    }

    @Test
    void aFirstDependencyIsInsertedAfterTheTypeLine() {
        String text = resource("jaffle_shop.yml");
        Pipeline edited = editStep(load(text), "load_payments", s -> s.withDependsOn(List.of("load_orders")));
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).contains("  - id: load_payments\n    type: ingest\n    depends_on: [load_orders]\n    source:");
        assertThat(comments(result.text())).isEqualTo(comments(text));
    }

    @Test
    void addedStepsGoAtTheEndInTheItemsIndentation() {
        String text = resource("jaffle_shop.yml");
        Pipeline pipeline = load(text);
        List<Step> steps = new ArrayList<>(pipeline.steps());
        steps.add(new TransformStep("summary", null, List.of("orders"), 0, null, "sql/summary.sql", "mart.summary", WriteMode.REPLACE,
                null, List.of()));
        Pipeline edited = pipeline.withSteps(steps);
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).startsWith(text.stripTrailing())
                .endsWith("\n\n  - id: summary\n    type: transform\n    depends_on: [orders]\n    sql: sql/summary.sql\n"
                        + "    target: mart.summary\n");
    }

    @Test
    void deletingAStepRemovesItsLinesOnly() {
        String text = resource("daily_sales.yml");
        Pipeline pipeline = load(text);
        Pipeline edited = pipeline.withSteps(pipeline.steps().subList(0, 2));
        Result result = patchAndCheck(text, edited);
        int start = text.indexOf("  - id: check_sales");
        assertThat(result.text()).isEqualTo(text.substring(0, start - 1));
        assertThat(result.text()).doesNotContain("check_sales").contains("# A glob: every matching file is loaded.");
    }

    @Test
    void deletingAMiddleStepTakesOneBlankLine() {
        String text = resource("web_events.yml");
        Pipeline pipeline = load(text);
        List<Step> steps = new ArrayList<>(pipeline.steps());
        steps.remove(1);
        steps.set(1, steps.get(1).withDependsOn(List.of("load_events")));
        Result result = patchAndCheck(text, pipeline.withSteps(steps));
        assertThat(result.text()).contains("# one JSON object per line", "bad_rows: { max: 0 }         # no broken event")
                .contains("\n\n  - id: page_views\n").doesNotContain("\n\n\n");
    }

    @Test
    void renamingKeepsTheBlockAndItsComments() {
        String text = resource("daily_sales.yml");
        Pipeline pipeline = load(text);
        List<Step> steps = new ArrayList<>();
        for (Step step : pipeline.steps()) {
            Step renamed = step.id().equals("load_orders") ? step.withId("ingest_orders") : step;
            steps.add(renamed.dependsOn().contains("load_orders") ? renamed.withDependsOn(List.of("ingest_orders")) : renamed);
        }
        Result result = patchAndCheck(text, pipeline.withSteps(steps), Map.of("load_orders", "ingest_orders"));
        assertThat(result.text()).isEqualTo(text.replace("- id: load_orders", "- id: ingest_orders")
                .replace("depends_on: [load_orders]", "depends_on: [ingest_orders]"));
    }

    @Test
    void nestedAndFlowValuesArePatchedInTheirOwnStyle() {
        String text = resource("daily_sales.yml");
        Pipeline edited = editStep(load(text), "sales_by_day", s -> {
            TransformStep t = (TransformStep) s;
            return new TransformStep(t.id(), t.description(), t.dependsOn(), t.retries(), t.timeout(), t.sql(), t.target(), t.write(),
                    new PartitionBy("sale_date", PartitionGrain.MONTH), List.of("store_id", "region"));
        });
        Result result = patchAndCheck(edited == null ? text : text, edited);
        assertThat(result.text()).contains("    partition_by: { field: sale_date, type: month }\n", "    cluster_by: [store_id, region]\n");
    }

    @Test
    void removingAnOptionalBlockAndSettingADefaultKeepsTheKey() {
        String text = resource("daily_sales.yml");
        Pipeline edited = editStep(load(text), "load_orders", s -> {
            IngestStep i = (IngestStep) s;
            return new IngestStep(i.id(), i.description(), i.dependsOn(), i.retries(), i.timeout(),
                    new Source("data/orders_2024*.csv", FileFormat.CSV, true, ",", 0), i.schema(), i.target(), WriteMode.APPEND, null);
        });
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).contains("      uri: data/orders_2024*.csv\n", "    write: append\n")
                .doesNotContain("bad_rows", "quarantine: raw.orders_rejected")
                // the comment above bad_rows belongs to the lines before it and stays
                .contains("# The exports contain a few broken lines");
    }

    @Test
    void addingAnOptionalBlockIndentsItUnderTheStep() {
        String text = resource("jaffle_shop.yml");
        Pipeline edited = editStep(load(text), "load_orders", s -> {
            IngestStep i = (IngestStep) s;
            return new IngestStep(i.id(), "Orders.", i.dependsOn(), 1, i.timeout(), i.source(), i.schema(), i.target(), i.write(),
                    new BadRows(10, "raw.orders_bad"));
        });
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).contains("  - id: load_orders\n    type: ingest\n    description: Orders.\n    retries: 1\n    source:",
                "    write: replace\n    bad_rows:\n      max: 10\n      quarantine: raw.orders_bad\n");
    }

    @Test
    void pipelineLevelKeysArePatchedToo() {
        String text = resource("daily_sales.yml");
        Pipeline pipeline = load(text);
        Pipeline edited = pipeline.withDescription("Sales, per store and day.\nSecond line.");
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).contains("description: \"Sales, per store and day.\\nSecond line.\"\n\nparameters:");
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkSurvive() {
        String text = "\uFEFF" + resource("jaffle_shop.yml").replace("\n", "\r\n");
        Pipeline pipeline = load(text);
        List<Step> steps = new ArrayList<>(pipeline.steps());
        steps.add(new TransformStep("extra", "Caf\u00e9 \uD83D\uDE00", List.of("orders"), 0, null, "sql/extra.sql", "mart.extra",
                WriteMode.REPLACE, null, List.of()));
        Result result = patchAndCheck(text, pipeline.withSteps(steps));
        assertThat(result.text()).startsWith("\uFEFF").doesNotContain("\r\r").contains("  - id: extra\r\n    type: transform\r\n");
        assertThat(result.text().replace("\r\n", "")).doesNotContain("\n");
    }

    @Test
    void aKeyAddedToAFlowMappingRewritesOnlyThatMapping() {
        String text = resource("jaffle_shop.yml");
        Pipeline edited = editStep(load(text), "load_orders", s -> {
            IngestStep i = (IngestStep) s;
            return new IngestStep(i.id(), i.description(), i.dependsOn(), i.retries(), i.timeout(),
                    new Source("data/raw_orders.csv", FileFormat.CSV, false, ";", 0), i.schema(), i.target(), i.write(), i.badRows());
        });
        Result result = patchAndCheck(text, edited);
        assertThat(result.text()).isEqualTo(text.replace("source: { uri: data/raw_orders.csv, format: csv }",
                "source: { uri: data/raw_orders.csv, format: csv, header: false, delimiter: ; }"));
    }

    @Test
    void aFileThatDoesNotLoadIsRewritten() {
        Pipeline pipeline = load(resource("web_events.yml"));
        Result result = PipelineYamlPatcher.patch("id: [broken", pipeline);
        assertThat(result.strategy()).isEqualTo(Strategy.REWRITTEN);
        assertThat(result.reason()).isNotEmpty();
        assertThat(load(result.text())).isEqualTo(pipeline);
    }

    @Test
    void flowStepsAreReplacedAsABlock() {
        String text = "# mine\nid: p\nsteps: []   # none yet\n";
        Pipeline edited = load("id: p\nsteps:\n  - id: a\n    type: transform\n    sql: a.sql\n    target: mart.a\n");
        Result result = PipelineYamlPatcher.patch(text, edited);
        assertThat(result.strategy()).isEqualTo(Strategy.PATCHED);
        assertThat(result.text()).startsWith("# mine\nid: p\nsteps:\n  - id: a\n");
        assertThat(load(result.text())).isEqualTo(edited);
    }
}
