package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, "done when": malformed rows of an input file are quarantined with their line numbers and none is lost;
 * a file over the bad-row limit fails the step with a clear message. Runs acme/daily_sales, whose two CSV exports
 * hold three broken lines on purpose.
 */
class QuarantineIT {
    private static final String DATA = "tenants/acme/pipelines/daily_sales/data";

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

    /** A line of an input file, numbered as an editor shows it (the header is line 1). */
    record Line(String file, long number, String text) {
    }

    @Test
    void malformedRowsAreQuarantinedWithLineNumbersAndNoneIsLostThenTooManyFailTheStep() throws Exception {
        List<Line> dataLines = dataLines();
        List<Line> expectedBad = dataLines.stream().filter(line -> !fitsSchema(line.text())).toList();
        assertThat(expectedBad).as("the demo data has broken lines on purpose").hasSize(3);

        CliProcess.Result run = workspace.run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                "--progress", "plain");

        assertThat(run.exitCode()).as(run.transcript()).isZero();
        String runId = DemoWorkspace.runId(run.out());
        List<List<String>> quarantined = workspace.query("SELECT source_file, line_number, raw_record, reason, run_id"
                + " FROM acme_raw.orders_rejected ORDER BY source_file, line_number");
        assertThat(quarantined).extracting(row -> new Line(Path.of(row.get(0)).getFileName().toString(),
                Long.parseLong(row.get(1)), row.get(2))).containsExactlyElementsOf(expectedBad);
        assertThat(quarantined).allSatisfy(row -> {
            assertThat(row.get(3)).as("reason").isNotBlank();
            assertThat(row.get(4)).isEqualTo(runId);
        });
        long loaded = Long.parseLong(workspace.query("SELECT count(*) FROM acme_raw.orders").get(0).get(0));
        assertThat(loaded + quarantined.size()).as("loaded + quarantined = data lines").isEqualTo(dataLines.size());
        // every good line is in the table, exactly once
        List<List<String>> ids = workspace.query("SELECT order_id FROM acme_raw.orders ORDER BY order_id");
        assertThat(ids).extracting(row -> row.get(0)).containsExactlyElementsOf(dataLines.stream()
                .filter(line -> fitsSchema(line.text())).map(line -> line.text().split(",", -1)[0])
                .sorted().toList());

        // now tolerate fewer bad rows than the files hold
        workspace.edit("tenants/acme/pipelines/daily_sales/pipeline.yml", text -> text.replace("      max: 5\n", "      max: 2\n"));

        CliProcess.Result tooMany = workspace.run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                "--progress", "plain");

        assertThat(tooMany.exitCode()).as(tooMany.transcript()).isEqualTo(1);
        String failedRun = DemoWorkspace.runId(tooMany.out());
        assertThat(tooMany.out()).contains("load_orders FAILED")
                .contains("3 of " + dataLines.size() + " rows failed the schema, more than bad_rows.max (2)")
                .doesNotContain("Exception");
        JsonNode detail = workspace.runDetail(failedRun);
        JsonNode load = step(detail, "load_orders");
        assertThat(load.path("state").asText()).isEqualTo("failed");
        assertThat(load.path("error_code").asText()).isEqualTo(ErrorCode.BAD_ROWS_EXCEEDED.display());
        assertThat(load.path("message").asText()).contains("more than bad_rows.max (2)");
        assertThat(step(detail, "sales_by_day").path("state").asText()).isEqualTo("skipped");
        // the target kept the last good load; the rejects of the failed run are in quarantine for inspection
        assertThat(workspace.query("SELECT count(*) FROM acme_raw.orders").get(0).get(0)).isEqualTo(Long.toString(loaded));
        assertThat(workspace.query("SELECT line_number FROM acme_raw.orders_rejected WHERE run_id = '" + failedRun
                + "' ORDER BY source_file, line_number")).extracting(row -> Long.parseLong(row.get(0)))
                .containsExactlyElementsOf(expectedBad.stream().map(Line::number).toList());
    }

    private static JsonNode step(JsonNode detail, String stepId) {
        for (JsonNode step : detail.path("steps")) {
            if (step.path("step_id").asText().equals(stepId) && step.path("partition").isNull()) {
                return step;
            }
        }
        throw new AssertionError("no step " + stepId + " in " + detail.path("steps"));
    }

    private List<Line> dataLines() throws IOException {
        List<Line> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(workspace.root().resolve(DATA))) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("orders_.*\\.csv")).sorted().toList()) {
                List<String> text = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 1; i < text.size(); i++) {
                    if (!text.get(i).isEmpty()) {
                        lines.add(new Line(file.getFileName().toString(), i + 1, text.get(i)));
                    }
                }
            }
        }
        return lines;
    }

    /** schemas/orders.json, checked by hand: INTEGER, DATE and STRING required, INTEGER nullable, NUMERIC required. */
    private static boolean fitsSchema(String line) {
        String[] cells = line.split(",", -1);
        if (cells.length != 5) {
            return false;
        }
        try {
            Long.parseLong(cells[0]);
            LocalDate.parse(cells[1]);
            if (cells[2].isEmpty()) {
                return false;
            }
            if (!cells[3].isEmpty()) {
                Long.parseLong(cells[3]);
            }
            new BigDecimal(cells[4]);
            return true;
        } catch (NumberFormatException | DateTimeParseException e) {
            return false;
        }
    }
}
