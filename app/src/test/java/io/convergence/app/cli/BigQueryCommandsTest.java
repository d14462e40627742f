package io.convergence.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.app.fx.AppFixtureFiles;
import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.warehouse.bigquery.BigQueryLockStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run, runs, locks and doctor with --target on a BigQuery target (the local test server), in-process. One server
 * serves the class; each test's tenants get their own datasets ({@code tN_} prefix).
 */
class BigQueryCommandsTest {
    /** Money columns: the reference prints them with 2 decimals; the tables hold FLOAT64 (as in JaffleShopIT). */
    private static final Set<String> MONEY = Set.of("customer_lifetime_value", "credit_card_amount", "coupon_amount",
            "bank_transfer_amount", "gift_card_amount", "amount");
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static BigQueryTestServer server;

    @TempDir
    Path temp;
    private Path workspace;
    private String prefix;
    private final Map<String, String> environment = new HashMap<>();

    record Outcome(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startServer() {
        server = BigQueryTestServer.start(0, null);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void copyDemoWorkspace() throws IOException {
        prefix = "t" + TESTS.incrementAndGet() + "_";
        workspace = temp.resolve("configs");
        AppFixtureFiles.copyDemo(workspace);
        String target = "    type: bigquery\n    project: test-project\n    credentials: none\n    endpoint: " + server.endpoint() + "\n"
                + "    storage_endpoint: " + server.storageEndpoint() + "\n";
        Path yml = workspace.resolve("workspace.yml");
        Files.writeString(yml, Files.readString(yml).replaceFirst("(?m)^targets:\n", "targets:\n  bq:\n" + target
                + "  capped:\n" + target + "    maximum_bytes_billed: 10B\n")
                .replace("acquire_retries: 3", "acquire_retries: 0"));
        for (String tenant : List.of("acme", "jaffle")) {
            Path tenantYml = workspace.resolve("tenants").resolve(tenant).resolve("tenant.yml");
            String config = Files.readString(tenantYml).replaceAll("(?m)^(dataset_naming|metadata_dataset):.*\n", "");
            Files.writeString(tenantYml, config + "dataset_naming: \"" + prefix + "{tenant}_{dataset}\"\n"
                    + "metadata_dataset: \"" + prefix + "{tenant}_convergence\"\n");
        }
    }

    private Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext context = new CliContext(workspace, environment, WorkspaceLoader::load, ws -> {
        });
        int exitCode = Cli.execute(context, new PrintWriter(out), new PrintWriter(err), args);
        return new Outcome(exitCode, out.toString(), err.toString());
    }

    /**
     * Also issue 5, first "done when", for the jaffle-shop reference project: run through the CLI on BigQuery, its
     * marts, read back through the BigQuery REST API, equal the reference results JaffleShopIT holds the local target to.
     */
    @Test
    void runsOnBigQueryAndListsItsSharedHistoryAndLocks() throws IOException {
        Outcome ran = run("run", "jaffle/jaffle_shop", "--target", "bq", "--progress", "plain");
        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isZero();
        assertThat(ran.out()).contains("customers SUCCEEDED 100 rows");
        assertEqualsReference("customers", "jaffle_customers.csv");
        assertEqualsReference("orders", "jaffle_orders.csv");

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

        Outcome missing = run("runs", "show", "nope", "--target", "bq");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no run 'nope' in the history of target bq", "'convergence runs --target bq'");
    }

    private void assertEqualsReference(String table, String referenceFile) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/reference").resolve(referenceFile));
        List<String> header = List.of(lines.get(0).split(",", -1));
        Set<List<String>> expected = new HashSet<>();
        lines.subList(1, lines.size()).stream().filter(l -> !l.isEmpty()).forEach(l -> expected.add(List.of(l.split(",", -1))));

        com.google.cloud.bigquery.BigQuery bigquery = server.bigQuery("test-project");
        com.google.cloud.bigquery.TableId id = com.google.cloud.bigquery.TableId.of("test-project", prefix + "jaffle_mart", table);
        com.google.cloud.bigquery.Schema schema = bigquery.getTable(id).getDefinition().getSchema();
        assertThat(schema.getFields()).extracting(com.google.cloud.bigquery.Field::getName).as("columns of " + table).isEqualTo(header);
        List<List<String>> actual = new ArrayList<>();
        for (com.google.cloud.bigquery.FieldValueList row : bigquery.listTableData(id, schema).iterateAll()) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < header.size(); i++) {
                com.google.cloud.bigquery.FieldValue v = row.get(i);
                values.add(v.isNull() ? "" : MONEY.contains(header.get(i))
                        ? new BigDecimal(v.getStringValue()).setScale(2, RoundingMode.HALF_UP).toPlainString() : v.getStringValue());
            }
            actual.add(values);
        }
        assertThat(actual).as("rows of " + table + " against " + referenceFile).hasSize(expected.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(actual)).as("rows of " + table + " against " + referenceFile).isEqualTo(expected);
    }

    @Test
    void aRunBlockedByASharedLockSaysHowToReleaseIt() throws Exception {
        try (BigQueryLockStore other = BigQueryLockStore.open(target("bq"), workspace, tenants())) {
            other.tryAcquire(new LockKey("acme", "web_events"), new LockHolder("elsewhere", "bob", 1, "run-elsewhere"),
                    Duration.ofMinutes(2), Instant.now());

            Outcome blocked = run("run", "acme/web_events", "--target", "bq", "--progress", "plain");

            assertThat(blocked.exitCode()).isEqualTo(ExitCodes.LOCK_HELD);
            assertThat(blocked.err()).contains("run-elsewhere", "convergence locks release acme web_events --reason \"...\" --target bq");
            assertThat(run("locks", "--target", "bq").out()).contains("web_events", "run-elsewhere");
            Outcome released = run("locks", "release", "acme", "web_events", "--reason", "bob's laptop died", "--target", "bq");
            assertThat(released.exitCode()).as(released.err()).isZero();
            assertThat(run("run", "acme/web_events", "--target", "bq", "--progress", "plain").exitCode()).isZero();
        }
    }

    private io.convergence.engine.model.BigQueryTarget target(String name) {
        return (io.convergence.engine.model.BigQueryTarget) WorkspaceLoader.load(workspace).workspace().orElseThrow().config().targets().get(name);
    }

    private List<io.convergence.engine.model.TenantConfig> tenants() {
        return WorkspaceLoader.load(workspace).workspace().orElseThrow().tenants().stream().map(t -> t.config()).toList();
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

        // an absurd cap (10 bytes) fails the first billed job of a step, not the run's bookkeeping before it
        Outcome capped = run("run", "jaffle/jaffle_shop", "--target", "capped", "--progress", "plain");

        assertThat(capped.exitCode()).as(capped.out() + capped.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(capped.err()).doesNotContain("Exception", "\tat ");
        assertThat(capped.out()).containsPattern("load_customers FAILED .* - loading " + prefix + "jaffle_raw.customers was refused: the"
                        + " query would bill about [0-9.]+ KiB \\([0-9,]+ bytes, dry-run estimate\\), more than maximum_bytes_billed 10 B of this"
                        + " target\\. Raise maximum_bytes_billed in workspace.yml")
                .containsPattern("run \\S+ FAILED in \\S+ \\(CVG-2008\\): loading");
        JsonNode failed = new ObjectMapper().readTree(run("runs", "--target", "capped", "--format", "json").out()).get("runs").get(0);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("error_code").asText()).isEqualTo("CVG-2008");
        // the dry run warns of it, ingests included (their staged rows are inserted by a billed query job)
        Outcome dry = run("run", "jaffle/jaffle_shop", "--target", "capped", "--dry-run");
        assertThat(dry.out()).containsPattern("load_customers +ingest .*OVER maximum_bytes_billed 10 B")
                .containsPattern("stg_customers +transform .*OVER maximum_bytes_billed 10 B");
    }

    /** A run that fails after its run id and lock, before its first step, is in both histories as FAILED with its error. */
    @Test
    void aRunThatFailsBeforeItsFirstStepIsRecordedInTheSharedHistory() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext context = new CliContext(workspace, environment, WorkspaceLoader::load, ws -> {
        }, (ws, name, target) -> {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "BigQuery did not answer (connection refused)");
        });
        int exitCode = Cli.execute(context, new PrintWriter(out), new PrintWriter(err), "run", "jaffle/jaffle_shop", "--target", "bq");
        assertThat(exitCode).as(out + "" + err).isNotZero();
        assertThat(err.toString()).contains("BigQuery did not answer").doesNotContain("\tat ");

        for (String[] args : List.of(new String[] {"runs", "--target", "bq", "--format", "json"}, new String[] {"runs", "--format", "json"})) {
            JsonNode runs = new ObjectMapper().readTree(run(args).out()).get("runs");
            assertThat(runs).as(String.join(" ", args)).hasSize(1);
            assertThat(runs.get(0).get("state").asText()).isEqualTo("failed");
            assertThat(runs.get(0).get("target").asText()).isEqualTo("bq");
            assertThat(runs.get(0).get("error_code").asText()).isEqualTo(ErrorCode.WAREHOUSE_UNAVAILABLE.display());
            assertThat(runs.get(0).get("message").asText()).isEqualTo("BigQuery did not answer (connection refused)");
        }
        // and the lock it took is free again
        assertThat(run("run", "jaffle/jaffle_shop", "--target", "bq", "--progress", "plain").exitCode()).isZero();
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
