package io.convergence.engine.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.Table;
import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.RowStream;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseContractTest;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import io.convergence.engine.warehouse.CloudFileLoad;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.lock.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared warehouse contract on the BigQuery target (against the local test server), plus BigQuery's own promises. */
class BigQueryWarehouseTest extends WarehouseContractTest {
    private BigQueryTestServer server;

    @Override
    protected Warehouse openWarehouse(Path dir) {
        server = BigQueryTestServer.start(BigQueryTestServer.Options.defaults().withGcsRoot(dir.resolve("gcs")));
        return BigQueryTestTargets.warehouse(BigQueryTestTargets.target(server), dir);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private BigQueryWarehouse bq() {
        return (BigQueryWarehouse) warehouse;
    }

    private static JobScope scope(String step) {
        return new JobScope("acme", "daily_sales", "run-1", step, Optional.of("2024-03-01"), 1);
    }

    @Test
    void aLostInsertAnswerReattachesToTheJobInsteadOfRunningItTwice() {
        server.faults().loseResponseNext("POST", "/jobs$", 1);
        QueryResult result;
        String jobId;
        try (JobScope.Binding bound = scope("load").bind()) {
            result = warehouse.query(sql("SELECT 42 AS answer"), 10, noCancel);
        }
        jobId = scope("load").nextJobId();

        assertThat(result.scalar()).isEqualTo(42L);
        assertThat(server.faults().count("POST", "/jobs$")).isEqualTo(2);
        assertThat(server.faults().executions(jobId)).isEqualTo(1);
        assertThat(bq().jobsStarted()).isEqualTo(1);
    }

    @Test
    void a5xxOnInsertIsRetriedWithTheSameJobId() {
        server.faults().backendErrorNext("POST", "/jobs$", 2);
        try (JobScope.Binding bound = scope("transform").bind()) {
            assertThat(warehouse.query(sql("SELECT 'ok' AS s"), 10, noCancel).scalar()).isEqualTo("ok");
        }
        String jobId = scope("transform").nextJobId();
        assertThat(server.faults().requests()).filteredOn(r -> r.method().equals("POST") && r.path().endsWith("/jobs"))
                .hasSize(3);
        assertThat(server.faults().executions(jobId)).isEqualTo(1);
        assertThat(server.faults().executedJobs()).containsOnlyOnce(jobId);
    }

    @Test
    void rateLimitsBackOffAndThenSucceed() {
        server.faults().rateLimitNext("POST", "/jobs$", 3);
        assertThat(warehouse.query(sql("SELECT 1 AS one"), 10, noCancel).scalar()).isEqualTo(1L);
        assertThat(server.faults().count("POST", "/jobs$")).isEqualTo(4);
        assertThat(server.faults().requests().stream().filter(r -> r.status() == 429)).hasSize(3);
    }

    @Test
    void persistentRateLimitsEndAsATransientError() {
        server.faults().rateLimitNext("POST", "/jobs$", 100);
        assertThatThrownBy(() -> warehouse.query(sql("SELECT 1 AS one"), 10, noCancel))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAREHOUSE_TRANSIENT));
        // retried, and bounded by the backoff's attempts (under load the client may give up an attempt on its own
        // transport timeout before it reaches the server, so the server can see fewer than maxAttempts inserts)
        assertThat(server.faults().count("POST", "/jobs$")).isBetween(2L, (long) BigQueryTestTargets.FAST.maxAttempts());
    }

    @Test
    void aJobOverMaximumBytesBilledFailsWithTheLimitAndTheEstimate() {
        TableId numbers = table("raw.numbers");
        warehouse.createOrReplaceTable(numbers, sql("SELECT x, CAST(x AS STRING) AS label FROM UNNEST(GENERATE_ARRAY(1, 5000)) AS x"), noCancel);
        try (BigQueryWarehouse capped = BigQueryTestTargets.warehouse(BigQueryTestTargets.target(server, new DataSize(100)), tempDir)) {
            assertThatThrownBy(() -> capped.query(sql("SELECT SUM(x) FROM {{ ref('raw.numbers') }}"), 1, noCancel))
                    .isInstanceOfSatisfying(ConvergenceException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BYTES_LIMIT_EXCEEDED);
                        assertThat(e.code().type()).isEqualTo(io.convergence.engine.error.ErrorType.USER);
                    })
                    .hasMessageContaining("maximum_bytes_billed 100 B")
                    .hasMessageContaining("dry-run estimate");
            // a dry run still answers, so run --dry-run can show what the cap refuses
            assertThat(capped.dryRun(sql("SELECT SUM(x) FROM {{ ref('raw.numbers') }}")).bytesProcessed()).isGreaterThan(100);
        }
    }

    @Test
    void dryRunsReportBytesWithoutRunning() {
        TableId numbers = table("raw.numbers");
        warehouse.createOrReplaceTable(numbers, sql("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 1000)) AS x"), noCancel);
        int executed = server.faults().executedJobs().size();

        long bytes = warehouse.dryRun(sql("SELECT x FROM {{ ref('raw.numbers') }}")).bytesProcessed();

        assertThat(bytes).isGreaterThan(0);
        assertThat(server.faults().executedJobs()).hasSize(executed);
    }

    @Test
    void tablesGetTheirDeclaredPartitioningAndClusteringAndPartitionsAreDiscovered() {
        TableId daily = table("mart.daily");
        bq().declareLayouts(Map.of(daily, new TableLayout(Optional.of(new PartitionBy("day", PartitionGrain.DAY)), List.of("store"))));
        for (String day : List.of("2024-03-01", "2024-03-02")) {
            TableId staging = warehouse.newStagingTable(daily);
            warehouse.createOrReplaceTable(staging, sql("SELECT DATE '" + day + "' AS day, 's1' AS store, 1 AS v"), noCancel);
            warehouse.replacePartition(daily, new PartitionRange("day", date(day), date(java.time.LocalDate.parse(day).plusDays(1).toString())),
                    staging, FenceCheck.NONE, noCancel);
            warehouse.dropTable(staging);
        }

        Table table = server.bigQuery(BigQueryTestTargets.PROJECT).getTable(bq().clientId(daily));
        StandardTableDefinition definition = table.getDefinition();
        assertThat(definition.getTimePartitioning().getField()).isEqualTo("day");
        assertThat(definition.getClustering().getFields()).containsExactly("store");
        assertThat(bq().partitions(daily)).containsExactly("20240301", "20240302");
    }

    @Test
    void aMovedWarehouseFenceRefusesThePublish() {
        TableId daily = table("mart.daily");
        warehouse.createOrReplaceTable(daily, sql("SELECT DATE '2024-03-01' AS day, 1 AS v"), noCancel);
        WarehouseFences fences = new WarehouseFences(bq(), "acme_convergence");
        LockKey key = new LockKey("acme", "daily_sales");
        bq().useFence(fences.advance(key, 3));
        try (BigQueryWarehouse newer = BigQueryTestTargets.warehouse(BigQueryTestTargets.target(server), tempDir)) {
            new WarehouseFences(newer, "acme_convergence").advance(key, 4);
        }
        TableId staging = warehouse.newStagingTable(daily);
        warehouse.createOrReplaceTable(staging, sql("SELECT DATE '2024-03-01' AS day, 99 AS v"), noCancel);

        assertThatThrownBy(() -> warehouse.replacePartition(daily, new PartitionRange("day", date("2024-03-01"), date("2024-03-02")),
                staging, FenceCheck.NONE, noCancel))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
        assertThatThrownBy(() -> warehouse.replaceTable(daily, sql("SELECT DATE '2024-03-01' AS day, 98 AS v"), FenceCheck.NONE, noCancel))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
        assertThat(rows("SELECT v FROM {{ ref('mart.daily') }}")).containsExactly(List.of(1L));
        assertThatThrownBy(() -> fences.advance(key, 3))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
    }

    @Test
    void tablesStreamThroughTheStorageReadApi() {
        TableId big = table("raw.big");
        warehouse.createOrReplaceTable(big, sql("SELECT x, DATE_ADD(DATE '2024-01-01', INTERVAL MOD(x, 30) DAY) AS d,"
                + " CAST(x AS NUMERIC) AS n FROM UNNEST(GENERATE_ARRAY(1, 20000)) AS x"), noCancel);
        long n = 0;
        long sum = 0;
        try (RowStream rows = bq().readTable(big)) {
            assertThat(rows.columns()).extracting(QueryResult.Column::type).containsExactly("INT64", "DATE", "NUMERIC");
            while (rows.hasNext()) {
                List<Object> row = rows.next();
                sum += (Long) row.get(0);
                assertThat(row.get(1)).isInstanceOf(java.time.LocalDate.class);
                n++;
            }
        }
        assertThat(n).isEqualTo(20_000);
        assertThat(sum).isEqualTo(20_000L * 20_001 / 2);
        assertThat(server.faults().count("GET", "/data$")).isZero();
    }

    @Test
    void gsObjectsAreLoadedByBigQueryWithTheSameSchemaEnforcementAndQuarantine() throws Exception {
        Path bucket = tempDir.resolve("gcs").resolve("landing");
        java.nio.file.Files.createDirectories(bucket);
        java.nio.file.Files.writeString(bucket.resolve("orders_1.csv"), "id,amount\n1,10\n2,ten\n");
        java.nio.file.Files.writeString(bucket.resolve("orders_2.csv"), "id,amount\n3,30\n,40\n");
        TableId target = table("raw.orders");
        List<SchemaField> schema = List.of(new SchemaField("id", "INT64", "REQUIRED", null, null),
                new SchemaField("amount", "INT64", "NULLABLE", null, null));
        String uri = "gs://landing/orders_*";
        try (StagedLoad staged = warehouse.stageCloudFiles(new CloudFileLoad(uri, new Source(uri, FileFormat.CSV, true, ",", 0), schema, target),
                noCancel)) {
            assertThat(staged.rowsRead()).isEqualTo(4);
            assertThat(staged.rowsRejected()).isEqualTo(2);
            assertThat(staged.firstRejections(5)).extracting(StagedLoad.Rejection::reason)
                    .containsExactlyInAnyOrder("amount: 'ten' is not a valid INT64", "id: REQUIRED value is missing");
            StagedLoad.LoadOutcome outcome = staged.publish(new Quarantine(table("raw.orders_rejected"), "run-1",
                    java.time.Instant.parse("2024-03-01T00:00:00Z")), Publication.append(target), FenceCheck.NONE, noCancel);
            assertThat(outcome).isEqualTo(new StagedLoad.LoadOutcome(2, 2));
        }
        assertThat(rows("SELECT id, amount FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L, 10L), List.of(3L, 30L));
        assertThat(rows("SELECT run_id, source_file, line_number FROM {{ ref('raw.orders_rejected') }}"))
                .containsOnly(java.util.Arrays.asList("run-1", uri, null));
        assertThat(warehouse.tableSchema(target).orElseThrow().get(0).mode()).isEqualTo("REQUIRED");
        assertThat(warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
        assertThat(server.faults().count("POST", "/upload/")).isZero();
    }

    @Test
    @Timeout(60)
    void closingTheWarehouseCancelsItsRunningJobs() throws Exception {
        server.faults().slowJobs(1, Integer.MAX_VALUE);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                warehouse.query(sql("SELECT 1 AS x"), 1, new CancellationToken());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        while (server.faults().count("POST", "/jobs$") == 0) {
            Thread.sleep(10);
        }
        warehouse.close();
        worker.join(30_000);

        assertThat(worker.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(ConvergenceException.class);
        assertThat(server.faults().count("POST", "/cancel$")).isGreaterThanOrEqualTo(1);
    }

    /**
     * A run killed between creating a staging table and dropping it leaves the table behind; it carries the target's
     * staging_expiration, so BigQuery deletes it. Other tables never expire.
     */
    @Test
    void stagingTablesExpireSoAKilledRunLeavesNoneBehind() {
        MutableClock clock = new MutableClock(Instant.parse("2024-06-01T12:00:00Z"));
        try (BigQueryTestServer timed = BigQueryTestServer.start(BigQueryTestServer.Options.defaults().withClock(clock));
                BigQueryWarehouse w = BigQueryWarehouse.open(BigQueryConnection.open(BigQueryTestTargets.target(timed)
                        .withStagingExpiration(Duration.ofHours(2)), tempDir, "US"), BigQueryTestTargets.FAST, clock)) {
            w.ensureDataset("acme_mart");
            TableId target = new TableId("acme_mart", "sales");
            w.createOrReplaceTable(target, sql("SELECT 1 AS id"), noCancel);
            w.appendFromQuery(target, sql("SELECT 2 AS id"), noCancel);
            w.replaceTable(target, sql("SELECT 3 AS id"), FenceCheck.NONE, noCancel);
            // what TransformRunner (query results) and BigQueryStagedLoad (uploads) leave when killed before their drop
            TableId byQuery = w.newStagingTable(target);
            w.createOrReplaceTable(byQuery, sql("SELECT 4 AS id"), noCancel);
            TableId byApi = w.newStagingTable(target);
            w.createTable(byApi, com.google.cloud.bigquery.Schema.of(com.google.cloud.bigquery.Field.of("id",
                    com.google.cloud.bigquery.StandardSQLTypeName.INT64)));

            com.google.cloud.bigquery.BigQuery client = timed.bigQuery(BigQueryTestTargets.PROJECT);
            long expected = Instant.parse("2024-06-01T14:00:00Z").toEpochMilli();
            assertThat(client.getTable("acme_mart", byQuery.table()).getExpirationTime()).isEqualTo(expected);
            assertThat(client.getTable("acme_mart", byApi.table()).getExpirationTime()).isEqualTo(expected);
            assertThat(client.getTable("acme_mart", "sales").getExpirationTime()).isNull();
            // the staging tables of append and replace were dropped by the work that made them
            assertThat(w.listTables("acme_mart")).containsExactlyInAnyOrder("sales", byQuery.table(), byApi.table());

            // one made before staging tables expired (no expiration): doctor gives it one, and drops nothing
            com.google.cloud.bigquery.TableId old = com.google.cloud.bigquery.TableId.of("acme_mart", "_cvg_stage_sales_0123456789ab");
            client.create(com.google.cloud.bigquery.TableInfo.of(old, com.google.cloud.bigquery.StandardTableDefinition.of(
                    com.google.cloud.bigquery.Schema.of(com.google.cloud.bigquery.Field.of("id", com.google.cloud.bigquery.StandardSQLTypeName.INT64)))));
            client.create(com.google.cloud.bigquery.DatasetInfo.of("other_mart"));
            client.create(com.google.cloud.bigquery.TableInfo.of(com.google.cloud.bigquery.TableId.of("other_mart", "_cvg_stage_x_0123456789ab"),
                    com.google.cloud.bigquery.StandardTableDefinition.of(com.google.cloud.bigquery.Schema.of(
                            com.google.cloud.bigquery.Field.of("id", com.google.cloud.bigquery.StandardSQLTypeName.INT64)))));
            BigQueryDoctor.Check check = BigQueryDoctor.stagingTables(w,
                    List.of(new io.convergence.engine.model.TenantConfig("acme", null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null)));
            assertThat(check.ok()).isTrue();
            assertThat(check.message()).isEqualTo("3 in use by running steps or left by interrupted runs; BigQuery deletes them when"
                    + " they expire; 1 had no expiration and now expire in 2h: acme_mart._cvg_stage_sales_0123456789ab");
            assertThat(client.getTable(old).getExpirationTime()).isEqualTo(expected);
            // another tenant's dataset is not this workspace's business
            assertThat(client.getTable("other_mart", "_cvg_stage_x_0123456789ab").getExpirationTime()).isNull();

            clock.advance(Duration.ofHours(2));
            assertThat(w.listTables("acme_mart")).containsExactly("sales");
            assertThat(w.tableExists(byQuery)).isFalse();
            assertThat(w.rowCount(target)).isEqualTo(1);
            assertThat(BigQueryDoctor.stagingTables(w, List.of(new io.convergence.engine.model.TenantConfig("acme", null, "US",
                    "{tenant}_{dataset}", "{tenant}_convergence", null))).message()).isEqualTo("none left by interrupted runs");
        }
    }
}
