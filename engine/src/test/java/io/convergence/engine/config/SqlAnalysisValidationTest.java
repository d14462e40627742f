package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.Severity;
import io.convergence.engine.validation.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL in validation, analyzed as BigQuery analyzes it: each kind of query BigQuery refuses is reported at its line and
 * column in the user's file, upstream steps' output columns reach downstream queries, and without the native
 * analyzer validation says so once and keeps its other rules.
 */
class SqlAnalysisValidationTest {
    private static final String SALES = "tenants/acme/pipelines/sales/";

    @TempDir
    Path dir;
    private Path root;

    @BeforeEach
    void baseWorkspace() {
        root = TestWorkspaces.base(dir.resolve("ws"));
    }

    /** Adds transform steps reading raw.orders (order_id STRING, store_id STRING, order_date DATE, amount NUMERIC). */
    private void addTransforms(Map<String, String> sqlByStep, String dependsOn) throws IOException {
        StringBuilder steps = new StringBuilder();
        for (Map.Entry<String, String> entry : sqlByStep.entrySet()) {
            Files.writeString(root.resolve(SALES + "sql/" + entry.getKey() + ".sql"), entry.getValue());
            steps.append("  - id: ").append(entry.getKey()).append("\n    type: transform\n    depends_on: [").append(dependsOn)
                    .append("]\n    sql: sql/").append(entry.getKey()).append(".sql\n    target: extra.").append(entry.getKey()).append('\n');
        }
        Path pipeline = root.resolve(TestWorkspaces.PIPELINE);
        Files.writeString(pipeline, Files.readString(pipeline).stripTrailing() + "\n" + steps);
    }

    private List<String> problems() {
        return WorkspaceLoader.load(root).problems().stream()
                .map(p -> p.code().id() + " " + root.relativize(p.location().file()) + ":" + p.location().line() + ":" + p.location().column())
                .toList();
    }

    private Problem only(ProblemCode code) {
        List<Problem> found = WorkspaceLoader.load(root).problems().stream().filter(p -> p.code() == code).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyKindOfQueryBigQueryRefusesIsLocatedInItsFile() throws IOException {
        String orders = "{{ ref('raw.orders') }}";
        addTransforms(new java.util.LinkedHashMap<>(Map.ofEntries(
                Map.entry("syntax", "SELECT order_id, -- a trailing comma is fine in BigQuery\nFROM " + orders + " WHERE\n"),
                Map.entry("unknown_column", "SELECT order_id, amount_eur AS a\nFROM " + orders + "\n"),
                Map.entry("int_eq_string", "SELECT order_id\nFROM " + orders + "\nWHERE amount = 'high'\n"),
                Map.entry("sum_of_string", "SELECT SUM(store_id) AS s FROM " + orders + "\n"),
                Map.entry("not_grouped", "SELECT store_id, order_date, COUNT(*) AS n\nFROM " + orders + "\nGROUP BY store_id\n"),
                Map.entry("union_types", "SELECT amount AS x FROM " + orders + "\nUNION ALL\nSELECT order_date AS x FROM " + orders + "\n"),
                Map.entry("signature", "SELECT DATE_ADD(order_date, INTERVAL 'x' DAY) AS d FROM " + orders + "\n"),
                Map.entry("unknown_function", "SELECT DATEADD(order_date, 1) AS d FROM " + orders + "\n"),
                Map.entry("unnamed", "-- a header comment\nSELECT store_id, COUNT(*)\nFROM " + orders + "\nGROUP BY store_id\n"),
                Map.entry("duplicate", "SELECT order_id, store_id AS ORDER_ID FROM " + orders + "\n"),
                Map.entry("unknown_table_column", "SELECT o.order_id, o.customer FROM " + orders + " AS o\n"),
                Map.entry("qualify_alone", "SELECT order_id FROM " + orders + "\nQUALIFY ROW_NUMBER() OVER (ORDER BY order_id) = 1\n"))),
                "load_orders");

        assertThat(problems()).containsExactlyInAnyOrder(
                "CV412 " + SALES + "sql/syntax.sql:2:35",
                "CV413 " + SALES + "sql/unknown_column.sql:1:18",
                "CV414 " + SALES + "sql/int_eq_string.sql:3:7",
                "CV414 " + SALES + "sql/sum_of_string.sql:1:8",
                "CV415 " + SALES + "sql/not_grouped.sql:1:18",
                "CV414 " + SALES + "sql/union_types.sql:3:1",
                "CV414 " + SALES + "sql/signature.sql:1:38",
                "CV413 " + SALES + "sql/unknown_function.sql:1:8",
                "CV416 " + SALES + "sql/unnamed.sql:2:1",
                "CV416 " + SALES + "sql/duplicate.sql:1:1",
                "CV413 " + SALES + "sql/unknown_table_column.sql:1:22",
                "CV415 " + SALES + "sql/qualify_alone.sql:2:1");
    }

    @Test
    void messagesAreBigQuerysWithHintsForTypesAndNames() throws IOException {
        addTransforms(Map.of("sums", "SELECT SUM(store_id) AS s FROM {{ ref('raw.orders') }}\n"), "load_orders");
        Problem sum = only(ProblemCode.SQL_TYPE);
        assertThat(sum.message()).isEqualTo("No matching signature for aggregate function SUM");
        assertThat(sum.hint()).startsWith("BigQuery's signatures: SUM(INT64); SUM(FLOAT64); SUM(NUMERIC)");
        assertThat(sum.pointer()).isEqualTo("/steps/4/sql");
        assertThat(sum.severity()).isEqualTo(Severity.ERROR);
    }

    @Test
    void aDownstreamQuerySeesExactlyTheColumnsAndTypesItsUpstreamQueryProduces() throws IOException {
        // daily_sales produces order_date DATE, store_id STRING, total NUMERIC (sum of NUMERIC)
        addTransforms(Map.of("weekly", "SELECT store_id,\n  DATE_TRUNC(order_date, WEEK) AS week,\n  SUM(total) AS total,\n"
                + "  MAX(amount) AS biggest\nFROM {{ ref('mart.daily_sales') }}\nGROUP BY 1, 2\n"), "daily_sales");
        assertThat(problems()).containsExactly("CV413 " + SALES + "sql/weekly.sql:4:7");

        addTransforms(Map.of("typed", "SELECT store_id FROM {{ ref('mart.daily_sales') }}\nWHERE total = 'a lot'\n"), "daily_sales");
        Files.writeString(root.resolve(SALES + "sql/weekly.sql"), "SELECT store_id, SUM(total) AS total\n"
                + "FROM {{ ref('mart.daily_sales') }}\nGROUP BY 1\n");
        assertThat(problems()).containsExactly("CV414 " + SALES + "sql/typed.sql:2:7");
    }

    @Test
    void aQueryBelowABrokenOneIsNotReportedAgain() throws IOException {
        addTransforms(Map.of("first", "SELECT nope AS x FROM {{ ref('raw.orders') }}\n"), "load_orders");
        addTransforms(Map.of("second", "SELECT also_nope FROM {{ ref('extra.first') }}\n"), "first");
        assertThat(problems()).containsExactly("CV413 " + SALES + "sql/first.sql:1:8");
    }

    @Test
    void positionsAfterARefOrATabAreTheUsersOwn() throws IOException {
        addTransforms(Map.of("spread", "SELECT o.order_id\nFROM {{\n  ref('raw.orders')\n}} AS o WHERE\to.nope > 1\n"), "load_orders");
        assertThat(problems()).containsExactly("CV413 " + SALES + "sql/spread.sql:4:17");
    }

    @Test
    void partitionAndClusterColumnsMustBeInTheResultWithAFittingType() throws IOException {
        Path pipeline = root.resolve(TestWorkspaces.PIPELINE);
        Files.writeString(pipeline, Files.readString(pipeline)
                .replace("    partition_by: { field: order_date }\n", "    partition_by: { field: order_day }\n    cluster_by: [store_id, mean, nope]\n"));
        Files.writeString(root.resolve(SALES + "sql/daily_sales.sql"), "select order_date, store_id, sum(amount) as total,\n"
                + "  avg(cast(amount as float64)) as mean\nfrom {{ ref('raw.orders') }}\n"
                + "where order_date >= @partition_start and order_date < @partition_end and amount > @min_amount\ngroup by 1, 2\n");
        assertThat(problems()).containsExactlyInAnyOrder(
                "CV419 " + SALES + "pipeline.yml:20:28",
                "CV420 " + SALES + "pipeline.yml:21:28",
                "CV419 " + SALES + "pipeline.yml:21:34");

        Files.writeString(pipeline, Files.readString(pipeline).replace("{ field: order_day }", "{ field: mean }"));
        assertThat(problems()).contains("CV420 " + SALES + "pipeline.yml:20:28");
    }

    @Test
    void qualityChecksNameColumnsTheTableHas() throws IOException {
        Path pipeline = root.resolve(TestWorkspaces.PIPELINE);
        Files.writeString(pipeline, Files.readString(pipeline)
                .replace("      - { type: unique, columns: [order_id] }", "      - { type: unique, columns: [order_id, order_no] }\n"
                        + "      - { type: freshness, column: store_id, max_age: 1d }\n"
                        + "      - { type: relationships, column: order_id, to: raw.orders, field: amount }\n"
                        + "      - { type: expression, sql: 'amount > 0 AND order_date <= CURRENT_DATE()' }"));
        assertThat(problems()).containsExactlyInAnyOrder(
                "CV419 " + SALES + "pipeline.yml:33:45",
                "CV420 " + SALES + "pipeline.yml:34:36",
                "CV420 " + SALES + "pipeline.yml:35:73");
    }

    @Test
    void withoutTheNativeAnalyzerValidationSaysSoOnceAndKeepsItsOtherRules() throws IOException {
        addTransforms(Map.of("broken", "SELECT nope FROM {{ ref('raw.orders') }} WHERE x = @undeclared\n",
                "also_broken", "SELECT 1 +\n"), "load_orders");
        PipelineContext context = WorkspaceLoader.contextOf(root.resolve(TestWorkspaces.PIPELINE));
        PipelineLoad load = WorkspaceLoader.loadPipeline(context, root.resolve(TestWorkspaces.PIPELINE));
        LoadedPipeline loaded = load.pipeline().orElseThrow();
        PipelineFiles files = new PipelineFiles(context, loaded.file(), loaded.pipeline(), loaded.sourceMap(), Map.of());
        files.load();
        Validator.PipelineInput input = new Validator.PipelineInput(loaded.pipeline(), loaded.sourceMap(), "sales", "acme",
                "{tenant}_{dataset}", Set.of("beta"), files.sqlFiles(), files.locatedChecks(), files.resources().schemaByStep(), Set.of(), false);

        List<Problem> problems = Validator.validatePipeline(input, BigQueryAnalyzer.unavailable("no native library for this platform"));

        assertThat(problems).extracting(Problem::code).containsExactlyInAnyOrder(ProblemCode.SQL_ANALYSIS_OFF, ProblemCode.UNDECLARED_PARAMETER);
        Problem off = problems.stream().filter(p -> p.code() == ProblemCode.SQL_ANALYSIS_OFF).findFirst().orElseThrow();
        assertThat(off.severity()).isEqualTo(Severity.WARNING);
        assertThat(off.message()).contains("no native library for this platform").contains("refs and parameters only");
        // the analyzer's own run of the same files finds what BigQuery refuses
        assertThat(Validator.validatePipeline(input)).extracting(Problem::code)
                .contains(ProblemCode.SQL_UNKNOWN_NAME, ProblemCode.SQL_SYNTAX).doesNotContain(ProblemCode.SQL_ANALYSIS_OFF);
    }

    @Test
    void theDemoWorkspaceValidatesWithoutAProblem() {
        Path configs = Path.of("..", "configs").toAbsolutePath().normalize();
        assertThat(WorkspaceLoader.load(configs).problems()).isEmpty();
    }
}
