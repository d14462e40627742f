package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, "done when": the jaffle-shop reference project runs green through the real CLI and its marts equal
 * results computed independently from the raw CSV files (app/src/test/resources/reference, dbt jaffle_shop
 * semantics); a failing accepted_values check with {@code on_failure: fail} makes {@code run} exit 1.
 */
class JaffleShopIT {
    /** Money columns: the reference prints them with 2 decimals; the warehouse holds FLOAT64 (BigQuery's '/' result). */
    private static final Set<String> MONEY = Set.of("customer_lifetime_value", "credit_card_amount", "coupon_amount",
            "bank_transfer_amount", "gift_card_amount", "amount");

    @TempDir
    Path temp;

    private DemoWorkspace workspace;

    @BeforeEach
    void copyWorkspace() throws IOException {
        workspace = DemoWorkspace.copyOfDemo(temp);
    }

    @AfterEach
    void stopLeftovers() {
        workspace.killAll();
    }

    @Test
    void referenceProjectRunsGreenAndItsMartsEqualTheReferenceResults() throws Exception {
        CliProcess.Result run = workspace.run("run", "jaffle/jaffle_shop", "--progress", "plain");

        assertThat(run.exitCode()).as(run.transcript()).isZero();
        assertThat(run.out()).contains("check_customers SUCCEEDED", "check_orders SUCCEEDED");
        assertEqualsReference("jaffle_mart.customers", "jaffle_customers.csv");
        assertEqualsReference("jaffle_mart.orders", "jaffle_orders.csv");
    }

    @Test
    void failingAcceptedValuesCheckWithOnFailureFailMakesTheRunExit1() throws Exception {
        // 'returned' is a real status in the data: leaving it out of the accepted values makes the check fail
        workspace.edit("tenants/jaffle/pipelines/jaffle_shop/checks/orders.yml",
                text -> text.replace("values: [placed, shipped, completed, return_pending, returned]",
                        "values: [placed, shipped, completed, return_pending]"));
        workspace.edit("tenants/jaffle/pipelines/jaffle_shop/pipeline.yml",
                text -> text.replace("    checks: checks/orders.yml\n", "    checks: checks/orders.yml\n    on_failure: fail\n"));
        long returned = reference("jaffle_orders.csv").stream().filter(row -> row.get(3).equals("returned")).count();
        assertThat(returned).isPositive();

        CliProcess.Result run = workspace.run("run", "jaffle/jaffle_shop", "--progress", "plain");

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(1);
        String runId = DemoWorkspace.runId(run.out());
        JsonNode detail = workspace.runDetail(runId);
        assertThat(detail.path("run").path("state").asText()).isEqualTo("failed");
        assertThat(stepState(detail, "check_orders")).isEqualTo("failed");
        JsonNode check = StreamSupport.stream(detail.path("checks").spliterator(), false)
                .filter(c -> c.path("type").asText().equals("accepted_values"))
                .findFirst().orElseThrow(() -> new AssertionError("no accepted_values result in " + detail.path("checks")));
        assertThat(check.path("step_id").asText()).isEqualTo("check_orders");
        assertThat(check.path("passed").asBoolean()).isFalse();
        assertThat(check.path("failing_rows").asLong()).isEqualTo(returned);
        assertThat(check.path("example_rows").toString()).contains("returned");
        // the other checks of the step still ran and passed
        assertThat(StreamSupport.stream(detail.path("checks").spliterator(), false)
                .filter(c -> c.path("step_id").asText().equals("check_orders") && !c.path("type").asText().equals("accepted_values"))
                .map(c -> c.path("passed").asBoolean())).isNotEmpty().containsOnly(true);

        CliProcess.Result text = workspace.run("runs", "show", runId);
        assertThat(text.exitCode()).as(text.transcript()).isZero();
        assertThat(text.out()).containsPattern("accepted_values\\(status\\)\\s+check_orders\\s+.*FAIL\\s+" + returned);
    }

    private static String stepState(JsonNode detail, String stepId) {
        for (JsonNode step : detail.path("steps")) {
            if (step.path("step_id").asText().equals(stepId) && step.path("partition").isNull()) {
                return step.path("state").asText();
            }
        }
        throw new AssertionError("no step " + stepId + " in " + detail.path("steps"));
    }

    private void assertEqualsReference(String table, String referenceFile) throws IOException {
        List<String> header = header(referenceFile);
        assertThat(workspace.columns(table)).as("columns of %s", table).isEqualTo(header);
        List<List<String>> actual = new ArrayList<>();
        for (List<String> row : workspace.query("SELECT * FROM " + table + " ORDER BY 1")) {
            List<String> normalized = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                normalized.add(normalize(header.get(i), row.get(i)));
            }
            actual.add(normalized);
        }
        assertThat(actual).as("rows of %s against %s", table, referenceFile).isEqualTo(reference(referenceFile));
    }

    /** The reference's conventions: NULL is an empty cell, money has two decimals, dates are ISO. */
    private static String normalize(String column, String value) {
        if (value == null) {
            return "";
        }
        if (MONEY.contains(column)) {
            return new BigDecimal(value).setScale(2, RoundingMode.HALF_UP).toPlainString();
        }
        return value;
    }

    private static List<String> header(String file) throws IOException {
        return Arrays.asList(lines(file).get(0).split(",", -1));
    }

    /** Data rows of a reference CSV, sorted by the first column (numerically) as the query orders them. */
    private static List<List<String>> reference(String file) throws IOException {
        List<String> lines = lines(file);
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isEmpty()) {
                rows.add(Arrays.asList(line.split(",", -1)));
            }
        }
        rows.sort((a, b) -> Long.compare(Long.parseLong(a.get(0)), Long.parseLong(b.get(0))));
        return rows;
    }

    private static List<String> lines(String file) throws IOException {
        Path path = Path.of("src/test/resources/reference").resolve(file);
        return Files.readAllLines(path, StandardCharsets.UTF_8);
    }
}
