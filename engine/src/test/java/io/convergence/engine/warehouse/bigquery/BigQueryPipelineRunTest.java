package io.convergence.engine.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableResult;
import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.RunResult;
import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.PreparedRun;
import io.convergence.engine.service.RunEstimate;
import io.convergence.engine.service.RunRequest;
import io.convergence.engine.service.RunService;
import io.convergence.engine.service.StandardBackends;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo workspace run end to end on a BigQuery target (the local test server) through {@link RunService}: the
 * tables read back through the BigQuery REST API equal the local target's, locks and history are shared, dry runs
 * estimate bytes per step, and the doctor passes.
 *
 * <p>One server serves the whole class; each test's tenants get their own datasets ({@code tN_} prefix), so tests
 * stay independent without paying for a server each.
 */
class BigQueryPipelineRunTest {
    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path gcsRoot;
    private static BigQueryTestServer server;

    @TempDir
    Path temp;
    private Path workspace;
    /** This test's dataset prefix, such as {@code t3_}. */
    private String prefix;

    @BeforeAll
    static void startServer() {
        server = BigQueryTestServer.start(BigQueryTestServer.Options.defaults().withGcsRoot(gcsRoot));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void copyDemoWorkspace() throws IOException {
        prefix = "t" + TESTS.incrementAndGet() + "_";
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
        Path yml = workspace.resolve("workspace.yml");
        String text = Files.readString(yml);
        Files.writeString(yml, text.replaceFirst("(?m)^targets:\n", "targets:\n"
                + "  bq:\n"
                + "    type: bigquery\n"
                + "    project: test-project\n"
                + "    credentials: none\n"
                + "    endpoint: " + server.endpoint() + "\n"
                + "    storage_endpoint: " + server.storageEndpoint() + "\n")
                // a held lock answers at once: the demo's retries would only make the lock test wait
                .replace("acquire_retries: 3", "acquire_retries: 0"));
        for (String tenant : List.of("acme", "jaffle")) {
            Path tenantYml = workspace.resolve("tenants").resolve(tenant).resolve("tenant.yml");
            String config = Files.readString(tenantYml).replaceAll("(?m)^(dataset_naming|metadata_dataset):.*\n", "");
            Files.writeString(tenantYml, config + "dataset_naming: \"" + prefix + "{tenant}_{dataset}\"\n"
                    + "metadata_dataset: \"" + prefix + "{tenant}_convergence\"\n");
        }
    }

    private LoadedWorkspace load() {
        LoadResult result = WorkspaceLoader.load(workspace);
        assertThat(result.hasErrors()).as(result.problems().toString()).isFalse();
        return result.workspace().orElseThrow();
    }

    private RunService service(LoadedWorkspace ws) {
        return new RunService(ws, ws.config(), Clock.systemUTC(), StandardBackends.factory());
    }

    private static RunRequest request(String pipeline, String target, String from, String to) {
        return new RunRequest(pipeline, Optional.of(target), Map.of(), Optional.ofNullable(from), Optional.ofNullable(to), Optional.empty());
    }

    private static void succeeded(RunResult result) {
        assertThat(result.state()).as(result.toString()).isEqualTo(RunState.SUCCEEDED);
    }

    /**
     * Issue 5, first "done when": every demo pipeline (jaffle_shop, daily_sales over a partition range and again over
     * an overlapping one, web_events) runs on both targets, and every table, read back through the BigQuery REST API
     * ({@code tabledata.list}), has the local table's columns and types and the same rows (in any order).
     */
    @Test
    void theDemoPipelinesProduceTheSameTablesOnBigQueryAsLocally() throws Exception {
        LoadedWorkspace ws = load();
        try (RunService service = service(ws)) {
            for (String target : List.of("local", "bq")) {
                succeeded(service.run(request("jaffle/jaffle_shop", target, null, null), e -> { }));
                succeeded(service.run(request("acme/daily_sales", target, "2024-06-01", "2024-06-07"), e -> { }));
                // partitions 06-05..06-07 are replaced, 06-08..06-10 added: both targets must end up alike
                succeeded(service.run(request("acme/daily_sales", target, "2024-06-05", "2024-06-10"), e -> { }));
                succeeded(service.run(request("acme/web_events", target, null, null), e -> { }));
            }
        }
        BigQuery bigquery = server.bigQuery(BigQueryTestTargets.PROJECT);
        try (DuckDbWarehouse local = DuckDbWarehouse.open(workspace.resolve(".convergence/warehouse.duckdb"), 1, null)) {
            List<String> datasets = new ArrayList<>();
            for (List<Object> row : local.query(BoundSql.of("SELECT schema_name FROM information_schema.schemata WHERE catalog_name ="
                    + " current_database() AND schema_name NOT IN ('main', 'information_schema', 'pg_catalog') ORDER BY 1"), 100,
                    new CancellationToken()).rows()) {
                datasets.add((String) row.get(0));
            }
            assertThat(datasets).containsExactly(prefix + "acme_mart", prefix + "acme_raw", prefix + "jaffle_mart", prefix + "jaffle_raw",
                    prefix + "jaffle_staging");
            List<String> remoteDatasets = new ArrayList<>();
            for (com.google.cloud.bigquery.Dataset d : bigquery.listDatasets().iterateAll()) {
                String name = d.getDatasetId().getDataset();
                if (name.startsWith(prefix) && !name.endsWith("_convergence")) {
                    remoteDatasets.add(name);
                }
            }
            remoteDatasets.sort(null);
            assertThat(remoteDatasets).as("datasets on BigQuery (metadata aside)").isEqualTo(datasets);
            List<String> compared = new ArrayList<>();
            for (String dataset : datasets) {
                List<String> localTables = local.listTables(dataset);
                List<String> remoteTables = new ArrayList<>();
                for (Table t : bigquery.listTables(dataset).iterateAll()) {
                    remoteTables.add(t.getTableId().getTable());
                }
                remoteTables.sort(null);
                assertThat(remoteTables).as("tables of " + dataset + " (no staging table left behind)").isEqualTo(localTables);
                for (String table : localTables) {
                    TableId id = new TableId(dataset, table);
                    assertThat(remoteColumns(bigquery, dataset, table)).as("columns and types of " + id).isEqualTo(localColumns(local, id));
                    List<List<String>> expected = localRows(local, id);
                    assertThat(remoteRows(bigquery, dataset, table)).as("rows of " + id).isEqualTo(expected);
                    compared.add(id.dataset().substring(prefix.length()) + "." + table + "=" + expected.size());
                }
            }
            // every demo output, with the row counts the demo data gives (so an empty table cannot pass by accident)
            assertThat(compared).contains("jaffle_mart.customers=100", "jaffle_mart.orders=99", "jaffle_staging.stg_payments=113",
                    "acme_raw.orders=93", "acme_mart.daily_sales=33", "acme_raw.events=48", "acme_mart.page_views=13")
                    .anyMatch(c -> c.startsWith("acme_raw.orders_rejected=") && !c.endsWith("=0"))
                    .hasSizeGreaterThanOrEqualTo(17);
        }
        Table daily = bigquery.getTable(com.google.cloud.bigquery.TableId.of(BigQueryTestTargets.PROJECT, prefix + "acme_mart", "daily_sales"));
        com.google.cloud.bigquery.StandardTableDefinition definition = daily.getDefinition();
        assertThat(definition.getTimePartitioning().getField()).isEqualTo("order_date");
        assertThat(definition.getClustering().getFields()).containsExactly("store_id");
    }

    /** Column names and BigQuery type names of a local table (the DuckDB warehouse maps its types to BigQuery's). */
    private static List<String> localColumns(DuckDbWarehouse local, TableId table) {
        return local.query(BoundSql.of("SELECT * FROM " + local.dialect().quoteTable(table) + " LIMIT 0"), 0, new CancellationToken())
                .columns().stream().map(c -> c.name() + " " + c.type()).toList();
    }

    private static List<String> remoteColumns(BigQuery bigquery, String dataset, String table) {
        Schema schema = bigquery.getTable(com.google.cloud.bigquery.TableId.of(BigQueryTestTargets.PROJECT, dataset, table))
                .getDefinition().getSchema();
        return BigQueryValues.columns(schema).stream().map(c -> c.name() + " " + c.type()).toList();
    }

    /** Rows as canonical text, sorted, so the two warehouses' types and orders compare equal. */
    private static List<List<String>> localRows(DuckDbWarehouse local, TableId table) {
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : local.query(BoundSql.of("SELECT * FROM " + local.dialect().quoteTable(table)), 1_000_000,
                new CancellationToken()).rows()) {
            rows.add(canonical(row, table));
        }
        rows.sort(Comparator.comparing(Object::toString));
        return rows;
    }

    private static List<List<String>> remoteRows(BigQuery bigquery, String dataset, String table) {
        com.google.cloud.bigquery.TableId id = com.google.cloud.bigquery.TableId.of(BigQueryTestTargets.PROJECT, dataset, table);
        Schema schema = bigquery.getTable(id).getDefinition().getSchema();
        TableResult result = bigquery.listTableData(id, schema);
        List<List<String>> rows = new ArrayList<>();
        for (FieldValueList values : result.iterateAll()) {
            rows.add(canonical(BigQueryValues.row(values, schema), new TableId(dataset, table)));
        }
        rows.sort(Comparator.comparing(Object::toString));
        return rows;
    }

    private static List<String> canonical(List<Object> row, TableId table) {
        List<String> out = new ArrayList<>();
        for (Object value : row) {
            if (value instanceof Number) {
                out.add(new BigDecimal(value.toString()).setScale(6, RoundingMode.HALF_UP).toPlainString());
            } else if (value instanceof byte[]) {
                out.add(java.util.Base64.getEncoder().encodeToString((byte[]) value));
            } else {
                out.add(String.valueOf(value));
            }
        }
        if (table.table().endsWith("_rejected")) {
            // run ids and rejection times differ between the two runs; file, line, reason and record must not
            out.set(0, "<run>");
            out.set(out.size() - 1, "<time>");
            out.set(1, Path.of(out.get(1)).getFileName().toString());
        }
        return out;
    }

    @Test
    void locksAndHistoryOfBigQueryRunsAreShared() throws Exception {
        LoadedWorkspace ws = load();
        BigQueryTarget bq = (BigQueryTarget) ws.config().targets().get("bq");
        try (RunService service = service(ws)) {
            RunResult result = service.run(request("jaffle/jaffle_shop", "bq", null, null), e -> { });
            succeeded(result);
            List<RunSummary> shared = service.historyFor("bq", bq).runs(HistoryQuery.all());
            assertThat(shared).extracting(RunSummary::runId).containsExactly(result.runId());
            assertThat(shared.get(0).state()).isEqualTo(RunState.SUCCEEDED);
            assertThat(service.historyFor("bq", bq).run(result.runId()).orElseThrow().steps()).hasSize(10);
            // the local copy serves --resume and offline listing
            assertThat(service.history().run(result.runId())).isPresent();
            // the lock went to the shared table: epoch 1 was this run's, and it is free again
            assertThat(service.locksFor("bq", bq).currentLeases()).isEmpty();
            assertThat(service.locksFor(Optional.of("local")).currentLeases()).isEmpty();
        }
        try (BigQueryLockStore other = BigQueryLockStore.open(bq, workspace, ws.tenants().stream().map(t -> t.config()).toList())) {
            // a second workstation sees the lock row and its epoch
            io.convergence.engine.lock.LockKey key = new io.convergence.engine.lock.LockKey("jaffle", "jaffle_shop");
            Lease lease = ((io.convergence.engine.lock.LockGrant.Granted) other.tryAcquire(key,
                    new io.convergence.engine.lock.LockHolder("elsewhere", "bob", 1, "run-elsewhere"), java.time.Duration.ofMinutes(2),
                    java.time.Instant.now())).lease();
            assertThat(lease.epoch()).isEqualTo(2);
            try (RunService service = service(ws)) {
                // the suggested release names the target: without it, 'locks release' looks in this workstation's locks
                assertThatThrownBy(() -> service.start(service.prepare(request("jaffle/jaffle_shop", "bq", null, null)), e -> { }))
                        .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_HELD))
                        .hasMessageContaining("run-elsewhere")
                        .hasMessageEndingWith("convergence locks release jaffle jaffle_shop --reason \"...\" --target bq");

                // the other workstation's run died while RUNNING; releasing its lock ends it in the shared history too
                service.historyFor("bq", bq).append(List.of(new io.convergence.engine.run.RunEvent.RunStarted("run-elsewhere",
                        java.time.Instant.now(), "jaffle", "jaffle_shop", "bq", "sha256:0", Map.of(), List.of(), List.of("load_orders"),
                        "elsewhere", "bob", null)));
                assertThat(service.historyFor("bq", bq).run("run-elsewhere").orElseThrow().summary().state()).isEqualTo(RunState.RUNNING);
                service.state().forceRelease(service.locksFor("bq", bq), key, "ops", "bob's laptop died");
                io.convergence.engine.history.RunDetail released = service.historyFor("bq", bq).run("run-elsewhere").orElseThrow();
                assertThat(released.summary().state()).isEqualTo(RunState.INTERRUPTED);
                assertThat(released.summary().errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("bob's laptop died"));
                assertThat(service.locksFor("bq", bq).currentLeases()).isEmpty();
            }
        }
    }

    @Test
    void dryRunEstimatesBytesPerStepAndCost() throws Exception {
        LoadedWorkspace ws = load();
        try (RunService service = service(ws)) {
            succeeded(service.run(request("acme/daily_sales", "bq", "2024-06-01", "2024-06-03"), e -> { }));
            int jobsBefore = server.faults().executedJobs().size();

            PreparedRun prepared = service.prepare(request("acme/daily_sales", "bq", "2024-06-01", "2024-06-03"));
            RunEstimate estimate = service.estimate(prepared);

            RunEstimate.StepEstimate transform = estimate.steps().stream().filter(s -> s.stepId().equals("sales_by_day")).findFirst().orElseThrow();
            assertThat(transform.partitions()).isEqualTo(3);
            assertThat(transform.bytes()).hasValueSatisfying(b -> assertThat(b).isGreaterThan(0));
            // an ingest is billed too: its staged rows are inserted by a query job; the files' size is the estimate
            RunEstimate.StepEstimate ingest = estimate.steps().stream().filter(s -> s.stepId().equals("load_orders")).findFirst().orElseThrow();
            long files = 0;
            try (Stream<Path> csv = Files.list(workspace.resolve("tenants/acme/pipelines/daily_sales/data"))) {
                for (Path f : csv.toList()) {
                    files += Files.size(f);
                }
            }
            assertThat(ingest.bytes()).contains(files);
            assertThat(ingest.note()).contains("query job");
            assertThat(estimate.totalBytes()).isEqualTo(transform.bytes().orElseThrow() + files);
            assertThat(estimate.render()).contains("sales_by_day", "$6.25 per TiB", "total");
            assertThat(server.faults().executedJobs()).hasSize(jobsBefore);
        }
    }

    @Test
    void aPipelineReadsGsObjectsThroughLoadJobsWithQuarantine() throws Exception {
        Path bucket = gcsRoot.resolve("landing");
        Files.createDirectories(bucket);
        Files.writeString(bucket.resolve("orders_1.csv"), "id,user_id,order_date,status\n1,1,2018-01-01,returned\n2,3,2018-01-02,completed\n");
        Files.writeString(bucket.resolve("orders_2.csv"), "id,user_id,order_date,status\n3,x,2018-01-03,placed\n4,5,2018-01-04,shipped\n");
        Path pipeline = workspace.resolve("tenants/jaffle/pipelines/cloud_orders");
        Files.createDirectories(pipeline.resolve("schemas"));
        Files.copy(workspace.resolve("tenants/jaffle/pipelines/jaffle_shop/schemas/raw_orders.json"), pipeline.resolve("schemas/orders.json"));
        Files.writeString(pipeline.resolve("pipeline.yml"), """
                id: cloud_orders
                steps:
                  - id: load_orders
                    type: ingest
                    source: { uri: "gs://landing/orders_*", format: csv }
                    schema: schemas/orders.json
                    target: landing.orders
                    write: replace
                    bad_rows: { max: 1 }
                """);
        LoadedWorkspace ws = load();
        try (RunService service = service(ws)) {
            RunResult result = service.run(request("jaffle/cloud_orders", "bq", null, null), e -> { });
            succeeded(result);
            assertThat(result.units().get(0).rows()).isEqualTo(3);
        }
        BigQuery bigquery = server.bigQuery(BigQueryTestTargets.PROJECT);
        assertThat(remoteRows(bigquery, prefix + "jaffle_landing", "orders")).extracting(row -> row.get(0))
                .containsExactly("1.000000", "2.000000", "4.000000");
        List<List<String>> rejected = remoteRows(bigquery, prefix + "jaffle_landing", "orders_rejected");
        assertThat(rejected).singleElement().satisfies(row -> {
            assertThat(row.get(1)).isEqualTo("orders_*");
            assertThat(row.get(3)).isEqualTo("user_id: 'x' is not a valid INT64");
        });
        // the objects were loaded by BigQuery: this pipeline uploaded nothing (local-file ingests of other tests do)
        assertThat(server.faults().requests()).noneMatch(r -> r.path().contains("/upload/") && String.valueOf(r.jobId()).contains("_cloud_orders_"));
        try (RunService service = service(ws)) {
            RunResult local = service.run(request("jaffle/cloud_orders", "local", null, null), e -> { });
            assertThat(local.state()).isEqualTo(RunState.FAILED);
            assertThat(local.units().get(0).errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("gs:// sources need the bigquery target"));
        }
    }

    @Test
    void theDoctorPassesOnAHealthyTargetAndNamesTheFailingCheck() {
        LoadResult loaded = WorkspaceLoader.load(workspace);
        BigQueryTarget bq = (BigQueryTarget) loaded.workspace().orElseThrow().config().targets().get("bq");

        List<BigQueryDoctor.Check> checks = BigQueryDoctor.check(loaded, "bq", bq);

        assertThat(checks).extracting(BigQueryDoctor.Check::name).contains("config", "credentials", "connectivity",
                "metadata dataset (acme)", "lock table (acme)", "fence table (jaffle)");
        assertThat(BigQueryDoctor.healthy(checks)).as(checks.toString()).isTrue();
        assertThat(new TreeSet<>(server.bigQuery(BigQueryTestTargets.PROJECT).listDatasets().streamAll()
                .map(d -> d.getDatasetId().getDataset()).toList())).contains(prefix + "acme_convergence", prefix + "jaffle_convergence");

        BigQueryTarget unreachable = bq.withEndpoint("http://127.0.0.1:1");
        List<BigQueryDoctor.Check> failing = BigQueryDoctor.check(loaded, "bq", unreachable);
        assertThat(BigQueryDoctor.healthy(failing)).isFalse();
        assertThat(failing).filteredOn(c -> !c.ok()).first().satisfies(c -> {
            assertThat(c.name()).isEqualTo("connectivity");
            assertThat(c.fix()).isNotBlank();
        });
        BigQueryTarget noCredentials = bq.withEndpoint(null);
        assertThat(BigQueryDoctor.check(loaded, "bq", noCredentials)).filteredOn(c -> !c.ok()).first()
                .extracting(BigQueryDoctor.Check::name).isEqualTo("credentials");
    }
}
