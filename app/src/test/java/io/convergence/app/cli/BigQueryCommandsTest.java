package io.convergence.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.config.WorkspaceLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run, runs, locks and doctor with --target on a BigQuery target (the local test server), in-process. */
class BigQueryCommandsTest {
    @TempDir
    Path temp;
    private Path workspace;
    private BigQueryTestServer server;
    private final Map<String, String> environment = new HashMap<>();

    record Outcome(int exitCode, String out, String err) {
    }

    @BeforeEach
    void copyDemoWorkspace() throws IOException {
        server = BigQueryTestServer.start(0, null);
        workspace = temp.resolve("configs");
        Path demo = Path.of("..", "configs").toAbsolutePath().normalize();
        try (Stream<Path> files = Files.walk(demo)) {
            for (Path source : files.filter(p -> !p.toString().contains(".convergence")).toList()) {
                Path target = workspace.resolve(demo.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        String target = "    type: bigquery\n    project: test-project\n    credentials: none\n    endpoint: " + server.endpoint() + "\n"
                + "    storage_endpoint: " + server.storageEndpoint() + "\n";
        Path yml = workspace.resolve("workspace.yml");
        Files.writeString(yml, Files.readString(yml).replaceFirst("(?m)^targets:\n", "targets:\n  bq:\n" + target
                + "  capped:\n" + target + "    maximum_bytes_billed: 1KB\n"));
    }

    @AfterEach
    void stopServer() {
        server.close();
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
    void runsOnBigQueryAndListsItsSharedHistoryAndLocks() throws IOException {
        Outcome ran = run("run", "jaffle/jaffle_shop", "--target", "bq", "--progress", "plain");
        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isZero();
        assertThat(ran.out()).contains("customers SUCCEEDED 100 rows");

        Outcome listed = run("runs", "--target", "bq", "--format", "json");
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        JsonNode runs = new ObjectMapper().readTree(listed.out()).get("runs");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("target").asText()).isEqualTo("bq");
        String runId = runs.get(0).get("run_id").asText();
        assertThat(run("runs", "show", runId, "--target", "bq").out()).contains("state     SUCCEEDED", "stg_payments");

        Outcome locks = run("locks", "--target", "bq");
        assertThat(locks.exitCode()).isZero();
        assertThat(locks.out()).isEqualTo("no locks held\n");
        assertThat(run("locks", "--target", "nope").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void dryRunPrintsBytesPerStepAndTheEstimatedCost() {
        assertThat(run("run", "acme/daily_sales", "--target", "bq", "--from", "2024-06-01", "--to", "2024-06-02", "--progress", "plain")
                .exitCode()).isZero();
        int jobs = server.faults().executedJobs().size();

        Outcome dry = run("run", "acme/daily_sales", "--target", "bq", "--from", "2024-06-01", "--to", "2024-06-02", "--dry-run");

        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("estimate (BigQuery dry run on target bq; on-demand price $6.25 per TiB processed",
                "sales_by_day", "load_orders", "total");
        assertThat(dry.out()).containsPattern("sales_by_day +transform +2 +[0-9.]+ (B|KiB|MiB) +<?\\$");
        assertThat(server.faults().executedJobs()).hasSize(jobs);
    }

    @Test
    void aJobOverMaximumBytesBilledFailsTheRunWithAClearMessage() throws IOException {
        assertThat(run("run", "jaffle/jaffle_shop", "--target", "bq", "--progress", "plain").exitCode()).isZero();

        Outcome capped = run("run", "jaffle/jaffle_shop", "--target", "capped", "--progress", "plain");

        assertThat(capped.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(capped.out()).contains("was refused: the query would bill about", "dry-run estimate)",
                "more than maximum_bytes_billed 1000 B of this target");
        JsonNode failed = new ObjectMapper().readTree(run("runs", "--target", "capped", "--format", "json").out()).get("runs").get(0);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("error_code").asText()).isEqualTo("CVG-2008");
        Outcome dry = run("run", "jaffle/jaffle_shop", "--target", "capped", "--dry-run");
        assertThat(dry.out()).contains("OVER maximum_bytes_billed 1000 B");
    }

    @Test
    void doctorChecksABigQueryTarget() {
        Outcome healthy = run("doctor", "--target", "bq");
        assertThat(healthy.exitCode()).as(healthy.out() + healthy.err()).isZero();
        assertThat(healthy.out()).contains("[ ok ] Target 'bq' answers: BigQuery (project test-project) credentials resolve",
                "[ ok ] Lock table (acme)", "[ ok ] Fence table (jaffle)").endsWith("healthy\n");

        environment.put("CONVERGENCE_BIGQUERY_ENDPOINT", "http://127.0.0.1:1");
        Outcome sick = run("doctor", "--target", "bq");
        assertThat(sick.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(sick.out()).contains("[FAIL] Target 'bq' answers", "fix: ").endsWith("check(s) failed\n");
    }
}
