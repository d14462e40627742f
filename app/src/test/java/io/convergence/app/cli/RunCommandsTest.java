package io.convergence.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.app.fx.AppFixtureFiles;
import io.convergence.engine.config.WorkspaceLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run, runs and locks in-process, on a copy of the demo workspace and the real embedded warehouse. */
class RunCommandsTest {
    @TempDir
    Path temp;

    private Path workspace;
    private final Map<String, String> environment = new HashMap<>();

    record Outcome(int exitCode, String out, String err) {
    }

    @BeforeEach
    void copyDemoWorkspace() throws IOException {
        workspace = temp.resolve("configs");
        AppFixtureFiles.copyDemo(workspace);
    }

    private Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext context = new CliContext(workspace, environment, WorkspaceLoader::load, ws -> {
        });
        int exitCode = Cli.execute(context, new PrintWriter(out), new PrintWriter(err), args);
        return new Outcome(exitCode, out.toString(), err.toString());
    }

    @Test
    void runRecordsHistoryThatRunsAndRunsShowPrint() throws IOException {
        Outcome ran = run("run", "jaffle/jaffle_shop", "--progress", "plain");
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("load_orders SUCCEEDED 99 rows", "customers SUCCEEDED 100 rows", "SUCCEEDED in",
                "details: convergence runs show ");

        Outcome listed = run("runs", "--format", "json");
        assertThat(listed.exitCode()).isZero();
        JsonNode runs = new ObjectMapper().readTree(listed.out()).get("runs");
        assertThat(runs).hasSize(1);
        String runId = runs.get(0).get("run_id").asText();
        assertThat(runs.get(0).get("state").asText()).isEqualTo("succeeded");
        assertThat(runs.get(0).get("pipeline_version").asText()).startsWith("sha256:");

        Outcome table = run("runs", "--pipeline", "jaffle_shop");
        assertThat(table.out()).contains(runId, "jaffle/jaffle_shop", "SUCCEEDED");
        assertThat(run("runs", "--status", "FAILED").out()).isEqualTo("no runs\n");

        Outcome shown = run("runs", "show", runId);
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out()).contains("state     SUCCEEDED", "stg_payments", "unique(customer_id)", "pass");

        Outcome missing = run("runs", "show", "nope");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("CVG-1008", "no run 'nope'");
    }

    @Test
    void aQueryTheLocalTargetCannotRunExactlyIsRefusedBeforeAnythingRuns() throws IOException {
        Path sql = workspace.resolve("tenants/jaffle/pipelines/jaffle_shop/sql/stg_customers.sql");
        Files.writeString(sql, Files.readString(sql).replace("first_name,", "first_name,\n  REGEXP_EXTRACT(last_name, r'(.)') AS initial,"));

        Outcome validated = run("validate", "jaffle/jaffle_shop");
        assertThat(validated.exitCode()).as("valid for BigQuery: a warning only").isZero();
        assertThat(validated.out()).contains("stg_customers.sql:5:3: warning CV421: not supported on the local target: REGEXP_EXTRACT");

        Outcome ran = run("run", "jaffle/jaffle_shop", "--progress", "plain");
        assertThat(ran.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ran.err()).contains("CVG-1011", "nothing ran", "stg_customers.sql:5:3");
        assertThat(run("runs").out()).isEqualTo("no runs\n");
    }

    @Test
    void runsCompareShowsWhatDiffersBetweenTwoRuns() throws IOException {
        String first = run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-02", "--progress", "plain").out()
                .replaceAll("(?s).*details: convergence runs show (\\S+).*", "$1");
        String second = run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-03", "--progress", "plain").out()
                .replaceAll("(?s).*details: convergence runs show (\\S+).*", "$1");

        Outcome compared = run("runs", "compare", first, second);
        assertThat(compared.exitCode()).as(compared.err()).isZero();
        assertThat(compared.out().lines().findFirst().orElseThrow()).matches("ITEM +" + first + " +" + second);
        assertThat(compared.out()).containsPattern("\\* partitions +2 +3")
                .containsPattern("\\* sales_by_day\\[2024-06-03\\]  state +- +SUCCEEDED")
                // what is the same is left out unless asked for
                .doesNotContain("pipeline version").containsPattern("\\d+ of \\d+ items differ; --all shows every item\n$");
        assertThat(run("runs", "compare", first, second, "--all").out())
                .containsPattern("\n  pipeline +acme/daily_sales +acme/daily_sales\n").contains("(marked *)");

        JsonNode json = new ObjectMapper().readTree(run("runs", "compare", first, second, "--format", "json").out());
        assertThat(json.get("left").get("run_id").asText()).isEqualTo(first);
        assertThat(json.get("right").get("run_id").asText()).isEqualTo(second);
        long differing = 0;
        for (JsonNode item : json.get("items")) {
            assertThat(item.fieldNames()).toIterable().containsExactly("item", "left", "right", "differs");
            differing += item.get("differs").asBoolean() ? 1 : 0;
        }
        assertThat(json.get("differences").asLong()).isEqualTo(differing).isPositive();

        Outcome missing = run("runs", "compare", first, "nope");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("CVG-1008", "no run 'nope'");
    }

    @Test
    void partitionedRunReportsQuarantineAndWarnings() throws IOException {
        Outcome ran = run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10", "--progress", "plain");
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("10 partitions", "3 rows failed the schema", "sales_by_day[2024-06-10] SUCCEEDED",
                "check accepted_values(store_id)[2024-06-08] failed");

        // the step says on_failure: warn, so the failed error-severity check only warned: shown as such, in plan order
        String runId = ran.out().replaceAll("(?s).*details: convergence runs show (\\S+).*", "$1");
        Outcome shown = run("runs", "show", runId);
        assertThat(shown.out()).containsPattern("accepted_values\\(store_id\\) +check_sales +2024-06-08 +WARN +WARN +[1-9]")
                .doesNotContainPattern("\\bFAIL\\b");
        // and it says why: the quarantined rows and the warned check, with their step and partition
        assertThat(shown.out()).containsPattern("load_orders +WARN +3 rows failed the schema")
                .containsPattern("check_sales\\[2024-06-08\\] +WARN +.*accepted_values\\(store_id\\)");
        JsonNode checks = new ObjectMapper().readTree(run("runs", "show", runId, "--format", "json").out()).get("checks");
        assertThat(checks).hasSize(10 * 6);
        List<String> order = new java.util.ArrayList<>();
        JsonNode failed = null;
        for (JsonNode c : checks) {
            order.add(c.get("partition").asText() + " " + c.get("name").asText());
            if (!c.get("passed").asBoolean() && failed == null) {
                failed = c;
            }
        }
        assertThat(order).isSorted();
        // the table lists them in the same order
        List<String> checkLines = shown.out().lines().dropWhile(l -> !l.startsWith("CHECK ")).skip(1)
                .takeWhile(l -> !l.isBlank()).toList();
        assertThat(checkLines).hasSize(order.size());
        for (int i = 0; i < order.size(); i++) {
            assertThat(checkLines.get(i)).startsWith(order.get(i).substring(order.get(i).indexOf(' ') + 1));
        }
        assertThat(failed).isNotNull();
        assertThat(failed.get("severity").asText()).isEqualTo("WARN");
        assertThat(failed.get("result").asText()).isEqualTo("warn");
        assertThat(failed.get("partition").asText()).isEqualTo("2024-06-08");
    }

    @Test
    void aSqlErrorNamesTheFileLineAndColumnOnceAndRunsShowKeepsItsExcerptAligned() throws IOException {
        // BigQuery's analyzer accepts the query (validation refuses an unknown column before the run); it fails as it runs
        Files.writeString(workspace.resolve("tenants/acme/pipelines/web_events/sql/page_views.sql"),
                "-- page views\nSELECT event_type,\n       CAST(page AS INT64) AS n\nFROM {{ ref('raw.events') }}\n");
        Outcome ran = run("run", "acme/web_events", "--progress", "plain");
        assertThat(ran.exitCode()).isEqualTo(ExitCodes.FAILED);
        // the step's error line has the excerpt of the file; the state and summary lines only its first line
        assertThat(ran.out()).contains("error page_views: step page_views failed (CVG-2004): sql/page_views.sql:3:8: Conversion Error:",
                "\n  3 |        CAST(page AS INT64) AS n\n    |        ^\n");
        assertThat(ran.out().lines().filter(l -> l.contains(" |        ^"))).hasSize(1);
        assertThat(ran.out()).containsPattern("page_views FAILED .*sql/page_views.sql:3:8: Conversion Error: [^\n]*\nrun ")
                .doesNotContain("_cvg_stage");

        String runId = ran.out().replaceAll("(?s).*details: convergence runs show (\\S+).*", "$1");
        assertThat(run("runs", "show", runId).out()).contains("message   sql/page_views.sql:3:8: Conversion Error: ",
                "\n            3 |        CAST(page AS INT64) AS n\n              |        ^\n");
    }

    @Test
    void aQueryBigQueryWouldRefuseNeverRuns() throws IOException {
        Files.writeString(workspace.resolve("tenants/acme/pipelines/web_events/sql/page_views.sql"),
                "-- page views\nSELECT event_type,\n       nonexistent_col\nFROM {{ ref('raw.events') }}\n");
        Outcome ran = run("run", "acme/web_events", "--progress", "plain");
        assertThat(ran.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ran.err()).contains("sql/page_views.sql:3:8: error CV413: Unrecognized name: nonexistent_col", "CVG-1001");
        assertThat(run("runs").out()).isEqualTo("no runs\n");
    }

    /** The warehouse cannot open after the run has its id and lock: the run is in history, FAILED with the error. */
    @Test
    void aRunThatFailsBeforeItsFirstStepIsInHistory() throws IOException {
        Files.createDirectories(workspace.resolve(".convergence"));
        Files.writeString(workspace.resolve(".convergence/warehouse.duckdb"), "not a DuckDB database, but a text file\n".repeat(200));

        Outcome ran = run("run", "jaffle/jaffle_shop", "--progress", "plain");
        assertThat(ran.exitCode()).isNotZero();
        assertThat(ran.err()).containsPattern("CVG-[0-9]+").doesNotContain("\tat ");

        JsonNode runs = new ObjectMapper().readTree(run("runs", "--format", "json").out()).get("runs");
        assertThat(runs).hasSize(1);
        JsonNode failed = runs.get(0);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("pipeline").asText()).isEqualTo("jaffle_shop");
        assertThat(ran.err()).contains(failed.get("error_code").asText(), failed.get("message").asText());
        Outcome shown = run("runs", "show", failed.get("run_id").asText());
        assertThat(shown.out()).contains("state     FAILED " + failed.get("error_code").asText(), "message   opening ")
                .doesNotContain("STEP ");
        assertThat(run("locks").out()).doesNotContain("jaffle_shop");
    }

    @Test
    void dryRunPrintsThePlanAndRunsNothing() {
        Outcome planned = run("run", "acme/daily_sales", "--dry-run", "--from", "2024-06-01", "--to", "2024-06-03");
        assertThat(planned.exitCode()).isZero();
        assertThat(planned.out()).contains("Partitions (day): 2024-06-01, 2024-06-02, 2024-06-03",
                "sales_by_day  transform  per partition (3)");
        // what each ingest would read now, so a missing or surprising input shows before anything runs
        assertThat(planned.out()).containsPattern("Inputs\n  load_orders  data/orders_\\*\\.csv: 2 files, [0-9.]+ (B|KiB)\n");
        assertThat(run("runs").out()).isEqualTo("no runs\n");
    }

    @Test
    void badParametersAndRangesAreUsageErrors() {
        Outcome unknown = run("run", "acme/daily_sales", "--param", "nope=1");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown parameter 'nope'");
        Outcome badDate = run("run", "acme/daily_sales", "--param", "run_date=yesterdayish");
        assertThat(badDate.err()).contains("'yesterdayish' is not a valid date");
        Outcome notPartitioned = run("run", "jaffle/jaffle_shop", "--from", "2024-01-01");
        assertThat(notPartitioned.err()).contains("is not partitioned");
        Outcome unknownTarget = run("run", "jaffle/jaffle_shop", "--target", "moon");
        assertThat(unknownTarget.err()).contains("no target 'moon'");
    }

    @Test
    void locksListsNothingAndReleasingAFreeLockIsAUsageError() {
        assertThat(run("locks").out()).isEqualTo("no locks held\n");
        assertThat(run("locks", "--format", "json").out()).contains("\"locks\" : [ ]");
        Outcome release = run("locks", "release", "acme", "daily_sales", "--reason", "stuck");
        assertThat(release.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(release.err()).contains("CVG-3003");
        assertThat(run("locks", "--metrics").out()).contains("# TYPE");
    }
}
