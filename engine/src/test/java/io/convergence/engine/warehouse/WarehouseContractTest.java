package io.convergence.engine.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Warehouse} must have, run against each implementation (DuckDB here, the
 * BigQuery target later). SQL is written in BigQuery dialect and goes through {@link Warehouse#compile};
 * optional abilities are narrowed with {@link Warehouse#supports}.
 */
public abstract class WarehouseContractTest {
    @TempDir
    protected Path tempDir;
    protected Warehouse warehouse;
    protected TableNames names;
    protected final CancellationToken noCancel = new CancellationToken();

    /** A fresh, empty warehouse; {@code dir} is a private temporary folder. */
    protected abstract Warehouse openWarehouse(Path dir);

    @BeforeEach
    void openWarehouse() {
        warehouse = openWarehouse(tempDir);
        names = new TableNames("acme", "{tenant}_{dataset}", warehouse.dialect());
    }

    @AfterEach
    void closeWarehouse() {
        if (warehouse != null) {
            warehouse.close();
        }
    }

    protected BoundSql sql(String bigQuerySql) {
        return warehouse.compile(bigQuerySql, names, Map.of());
    }

    protected BoundSql sql(String bigQuerySql, Map<String, ParameterValue> parameters) {
        return warehouse.compile(bigQuerySql, names, parameters);
    }

    protected TableId table(String logical) {
        TableId id = names.resolve(logical);
        warehouse.ensureDataset(id.dataset());
        return id;
    }

    protected List<List<Object>> rows(String bigQuerySql) {
        return warehouse.query(sql(bigQuerySql), 10_000, noCancel).rows();
    }

    protected static ParameterValue date(String iso) {
        return new ParameterValue(ParameterType.DATE, LocalDate.parse(iso));
    }

    @Test
    void datasetsAreCreatedOnceAndListTheirTables() {
        TableId orders = table("raw.orders");
        warehouse.ensureDataset(orders.dataset());
        assertThat(orders).isEqualTo(new TableId("acme_raw", "orders"));
        assertThat(warehouse.listTables("acme_raw")).isEmpty();
        assertThat(warehouse.tableExists(orders)).isFalse();
        assertThat(warehouse.tableSchema(orders)).isEmpty();

        warehouse.createOrReplaceTable(orders, sql("SELECT 1 AS id"), noCancel);
        assertThat(warehouse.listTables("acme_raw")).containsExactly("orders");
        assertThat(warehouse.tableExists(orders)).isTrue();
        assertThat(warehouse.listTables("acme_nothing")).isEmpty();
    }

    @Test
    void createsReplacesAndAppends() {
        TableId t = table("raw.items");
        assertThat(warehouse.createOrReplaceTable(t, sql("SELECT 1 AS id, 'a' AS name UNION ALL SELECT 2, 'b'"), noCancel)).isEqualTo(2);
        assertThat(warehouse.appendFromQuery(t, sql("SELECT 'c' AS name, 3 AS id"), noCancel)).isEqualTo(1);
        assertThat(rows("SELECT id, name FROM {{ ref('raw.items') }} ORDER BY id"))
                .containsExactly(List.of(1L, "a"), List.of(2L, "b"), List.of(3L, "c"));
        assertThat(warehouse.rowCount(t)).isEqualTo(3);

        assertThat(warehouse.createOrReplaceTable(t, sql("SELECT 9 AS id"), noCancel)).isEqualTo(1);
        assertThat(warehouse.tableSchema(t).orElseThrow()).extracting(SchemaField::name).containsExactly("id");

        TableId fresh = table("raw.fresh");
        assertThat(warehouse.appendFromQuery(fresh, sql("SELECT 5 AS id"), noCancel)).isEqualTo(1);
        assertThat(warehouse.rowCount(fresh)).isEqualTo(1);

        warehouse.dropTable(fresh);
        warehouse.dropTable(fresh);
        assertThat(warehouse.tableExists(fresh)).isFalse();
    }

    @Test
    void reportsBigQueryTypesInSchemas() {
        TableId t = table("raw.types");
        warehouse.createOrReplaceTable(t, sql("""
                SELECT CAST(1 AS INT64) AS i, CAST(1.5 AS FLOAT64) AS f, CAST('2.25' AS NUMERIC) AS n, TRUE AS b,
                       'x' AS s, DATE '2024-03-01' AS d, DATETIME '2024-03-01 10:00:00' AS dt,
                       TIMESTAMP '2024-03-01 10:00:00+00' AS ts, b'ab' AS by
                """), noCancel);
        assertThat(warehouse.tableSchema(t).orElseThrow()).extracting(SchemaField::name, SchemaField::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("i", "INT64"), org.assertj.core.groups.Tuple.tuple("f", "FLOAT64"),
                org.assertj.core.groups.Tuple.tuple("n", "NUMERIC"), org.assertj.core.groups.Tuple.tuple("b", "BOOL"),
                org.assertj.core.groups.Tuple.tuple("s", "STRING"), org.assertj.core.groups.Tuple.tuple("d", "DATE"),
                org.assertj.core.groups.Tuple.tuple("dt", "DATETIME"), org.assertj.core.groups.Tuple.tuple("ts", "TIMESTAMP"),
                org.assertj.core.groups.Tuple.tuple("by", "BYTES"));
    }

    @Test
    void bindsParametersOfEveryType() {
        Map<String, ParameterValue> p = new HashMap<>();
        p.put("s", new ParameterValue(ParameterType.STRING, "héllo"));
        p.put("i", new ParameterValue(ParameterType.INT64, 42L));
        p.put("f", new ParameterValue(ParameterType.FLOAT64, 2.5));
        p.put("b", new ParameterValue(ParameterType.BOOL, true));
        p.put("d", date("2024-02-29"));
        p.put("t", new ParameterValue(ParameterType.TIMESTAMP, Instant.parse("2024-02-29T23:30:00Z")));
        p.put("n", new ParameterValue(ParameterType.INT64, null));
        QueryResult r = warehouse.query(sql("""
                SELECT @s AS s, @i + 1 AS i, @f * 2 AS f, NOT @b AS b, DATE_ADD(@d, INTERVAL 1 DAY) AS d,
                       TIMESTAMP_ADD(@t, INTERVAL 1 HOUR) AS t, @n IS NULL AS n_is_null, @i = 42 AS again
                """, p), 10, noCancel);
        assertThat(r.rows()).containsExactly(List.of("héllo", 43L, 5.0, false, LocalDate.parse("2024-03-01"),
                Instant.parse("2024-03-01T00:30:00Z"), true, true));
        assertThat(r.columns()).extracting(QueryResult.Column::type)
                .containsExactly("STRING", "INT64", "FLOAT64", "BOOL", "DATE", "TIMESTAMP", "BOOL", "BOOL");
    }

    @Test
    void missingParameterIsAUserError() {
        assertThatThrownBy(() -> sql("SELECT @nope AS x"))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PARAMETER_INVALID))
                .hasMessageContaining("@nope");
    }

    @Test
    void injectionAttemptInAParameterStaysAValue() {
        TableId t = table("raw.people");
        warehouse.createOrReplaceTable(t, sql("SELECT 'ann' AS name"), noCancel);
        String attack = "x'); DROP TABLE " + warehouse.dialect().quoteTable(t) + "; --";
        Map<String, ParameterValue> p = Map.of("name", new ParameterValue(ParameterType.STRING, attack));

        assertThat(rows("SELECT count(*) FROM {{ ref('raw.people') }}")).containsExactly(List.of(1L));
        assertThat(warehouse.query(sql("SELECT count(*) AS n FROM {{ ref('raw.people') }} WHERE name = @name", p), 10, noCancel).scalar())
                .isEqualTo(0L);
        assertThat(warehouse.query(sql("SELECT @name AS echoed", p), 10, noCancel).scalar()).isEqualTo(attack);
        warehouse.appendFromQuery(t, sql("SELECT @name AS name", p), noCancel);
        assertThat(warehouse.tableExists(t)).isTrue();
        assertThat(rows("SELECT name FROM {{ ref('raw.people') }} ORDER BY name")).containsExactly(List.of("ann"), List.of(attack));
    }

    @Test
    void replacesATableAtomically() {
        TableId t = table("mart.totals");
        warehouse.createOrReplaceTable(t, sql("SELECT 1 AS v"), noCancel);

        assertThatThrownBy(() -> warehouse.replaceTable(t, sql("SELECT CAST('not a number' AS INT64) AS v"), FenceCheck.NONE, noCancel))
                .isInstanceOf(ConvergenceException.class);
        assertThat(rows("SELECT v FROM {{ ref('mart.totals') }}")).containsExactly(List.of(1L));

        assertThatThrownBy(() -> warehouse.replaceTable(t, sql("SELECT 2 AS v"), () -> {
            throw new ConvergenceException(ErrorCode.FENCING_REJECTED, "lease lost");
        }, noCancel)).isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
        assertThat(rows("SELECT v FROM {{ ref('mart.totals') }}")).containsExactly(List.of(1L));

        assertThat(warehouse.replaceTable(t, sql("SELECT 2 AS v UNION ALL SELECT 3"), FenceCheck.NONE, noCancel)).isEqualTo(2);
        assertThat(rows("SELECT v FROM {{ ref('mart.totals') }} ORDER BY v")).containsExactly(List.of(2L), List.of(3L));
        assertThat(warehouse.listTables(t.dataset())).containsExactly("totals");
    }

    @Test
    void replacesOnePartitionAndKeepsTheOthers() {
        TableId t = table("mart.daily");
        warehouse.createOrReplaceTable(t, sql("""
                SELECT DATE '2024-03-01' AS day, 1 AS v UNION ALL SELECT DATE '2024-03-02', 2
                UNION ALL SELECT DATE '2024-03-02', 3 UNION ALL SELECT DATE '2024-03-03', 4
                """), noCancel);
        TableId staging = warehouse.newStagingTable(t);
        warehouse.createOrReplaceTable(staging, sql("SELECT DATE '2024-03-02' AS day, 20 AS v"), noCancel);
        PartitionRange day2 = new PartitionRange("day", date("2024-03-02"), date("2024-03-03"));

        assertThat(warehouse.replacePartition(t, day2, staging, FenceCheck.NONE, noCancel)).isEqualTo(1);
        assertThat(rows("SELECT day, v FROM {{ ref('mart.daily') }} ORDER BY day, v")).containsExactly(
                List.of(LocalDate.parse("2024-03-01"), 1L), List.of(LocalDate.parse("2024-03-02"), 20L),
                List.of(LocalDate.parse("2024-03-03"), 4L));
    }

    @Test
    void failedPartitionReplaceLeavesTheOldPartition() {
        TableId t = table("mart.daily");
        warehouse.createOrReplaceTable(t, sql("SELECT DATE '2024-03-01' AS day, 1 AS v UNION ALL SELECT DATE '2024-03-02', 2"), noCancel);
        PartitionRange day2 = new PartitionRange("day", date("2024-03-02"), date("2024-03-03"));
        List<List<Object>> before = rows("SELECT day, v FROM {{ ref('mart.daily') }} ORDER BY day");

        // the insert fails after the delete ran: the transaction must bring the deleted rows back
        TableId badValues = warehouse.newStagingTable(t);
        warehouse.createOrReplaceTable(badValues, sql("SELECT DATE '2024-03-02' AS day, 'not a number' AS v"), noCancel);
        assertThatThrownBy(() -> warehouse.replacePartition(t, day2, badValues, FenceCheck.NONE, noCancel))
                .isInstanceOf(ConvergenceException.class);
        assertThat(rows("SELECT day, v FROM {{ ref('mart.daily') }} ORDER BY day")).isEqualTo(before);

        TableId good = warehouse.newStagingTable(t);
        warehouse.createOrReplaceTable(good, sql("SELECT DATE '2024-03-02' AS day, 7 AS v"), noCancel);
        assertThatThrownBy(() -> warehouse.replacePartition(t, day2, good, () -> {
            throw new ConvergenceException(ErrorCode.FENCING_REJECTED, "epoch moved on");
        }, noCancel)).isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
        assertThat(rows("SELECT day, v FROM {{ ref('mart.daily') }} ORDER BY day")).isEqualTo(before);

        TableId outside = warehouse.newStagingTable(t);
        warehouse.createOrReplaceTable(outside, sql("SELECT DATE '2024-03-05' AS day, 9 AS v"), noCancel);
        assertThatThrownBy(() -> warehouse.replacePartition(t, day2, outside, FenceCheck.NONE, noCancel))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_FAILED))
                .hasMessageContaining("outside");
        assertThat(rows("SELECT day, v FROM {{ ref('mart.daily') }} ORDER BY day")).isEqualTo(before);
    }

    @Test
    void parallelPartitionReplacesAllLand() throws Exception {
        TableId t = table("mart.parallel");
        List<TableId> stagings = new ArrayList<>();
        for (int day = 1; day <= 4; day++) {
            TableId staging = warehouse.newStagingTable(t);
            warehouse.createOrReplaceTable(staging, sql("SELECT DATE '2024-03-0" + day + "' AS day, x AS v FROM UNNEST(GENERATE_ARRAY(1, 100)) AS x"), noCancel);
            stagings.add(staging);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int day = i + 1;
                TableId staging = stagings.get(i);
                results.add(pool.submit(() -> {
                    PartitionRange range = new PartitionRange("day", date("2024-03-0" + day), date("2024-03-0" + (day + 1)));
                    for (int attempt = 1; ; attempt++) {
                        try {
                            return warehouse.replacePartition(t, range, staging, FenceCheck.NONE, noCancel);
                        } catch (ConvergenceException e) {
                            // the executor retries transient conflicts; so does this test
                            if (e.code() != ErrorCode.WAREHOUSE_TRANSIENT || attempt > 5) {
                                throw e;
                            }
                        }
                    }
                }));
            }
            for (Future<Long> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(100L);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(rows("SELECT day, count(*) FROM {{ ref('mart.parallel') }} GROUP BY day ORDER BY day")).hasSize(4)
                .allSatisfy(row -> assertThat(row.get(1)).isEqualTo(100L));
    }

    @Test
    void queriesAreBoundedAndStreamsReadEveryRow() {
        QueryResult r = warehouse.query(sql("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x ORDER BY x"), 3, noCancel);
        assertThat(r.rows()).containsExactly(List.of(1L), List.of(2L), List.of(3L));
        assertThat(r.truncated()).isTrue();
        assertThat(warehouse.count(sql("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x WHERE x > 4"), noCancel)).isEqualTo(6);

        long sum = 0;
        long n = 0;
        try (RowStream stream = warehouse.stream(sql("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 50000)) AS x"), noCancel)) {
            assertThat(stream.columns()).extracting(QueryResult.Column::name).containsExactly("x");
            while (stream.hasNext()) {
                sum += (Long) stream.next().get(0);
                n++;
            }
        }
        assertThat(n).isEqualTo(50_000);
        assertThat(sum).isEqualTo(50_000L * 50_001 / 2);
    }

    @Test
    void sqlErrorsAreUserErrorsWithTheWarehouseMessage() {
        assertThatThrownBy(() -> warehouse.query(sql("SELECT no_such_column FROM UNNEST(GENERATE_ARRAY(1, 2)) AS x"), 10, noCancel))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR))
                .hasMessageContaining("no_such_column");
    }

    @Test
    @Timeout(120)
    void cancelInterruptsALongQuery() throws Exception {
        assumeTrue(warehouse.supports(WarehouseCapability.CANCEL));
        TableId numbers = table("raw.numbers");
        warehouse.createOrReplaceTable(numbers, sql("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 5000)) AS x"), noCancel);
        CancellationToken token = new CancellationToken();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                // 1.25e11 row combinations: minutes of work unless the cancel lands
                warehouse.query(sql("""
                        SELECT sum(a.x * b.x + c.x) FROM {{ ref('raw.numbers') }} a
                        CROSS JOIN {{ ref('raw.numbers') }} b CROSS JOIN {{ ref('raw.numbers') }} c
                        """), 1, token);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        Thread.sleep(500);
        token.cancel();
        worker.join(60_000);
        assertThat(worker.isAlive()).as("query still running after cancel").isFalse();
        assertThat(failure.get()).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RUN_CANCELLED));
        // the warehouse stays usable
        assertThat(rows("SELECT 1 AS one")).containsExactly(List.of(1L));
    }

    @Test
    void rejectsInvalidIdentifiers() {
        assertThatThrownBy(() -> new TableId("acme raw", "orders")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID));
        assertThatThrownBy(() -> new TableId("acme", "orders\"; DROP TABLE x; --")).isInstanceOf(ConvergenceException.class);
        assertThatThrownBy(() -> names.resolve("raw.orders; DROP TABLE x")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID));
        assertThatThrownBy(() -> names.resolve("orders")).isInstanceOf(ConvergenceException.class);
        assertThatThrownBy(() -> warehouse.dialect().quoteIdentifier("a\"b")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID));
        assertThatThrownBy(() -> warehouse.ensureDataset("x; DROP SCHEMA main")).isInstanceOf(ConvergenceException.class);
        TableNames dashed = new TableNames("acme", "{tenant}-{dataset}", warehouse.dialect());
        assertThatThrownBy(() -> dashed.resolve("raw.orders")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID));
        assertThatThrownBy(() -> warehouse.compile("SELECT * FROM {{ ref('raw.bad-name') }}", names, Map.of()))
                .isInstanceOf(ConvergenceException.class);
    }

    @Test
    void dryRunEstimatesOrSaysItCannot() {
        if (warehouse.supports(WarehouseCapability.DRY_RUN)) {
            assertThat(warehouse.dryRun(sql("SELECT 1 AS x")).bytesProcessed()).isGreaterThanOrEqualTo(0);
        } else {
            assertThatThrownBy(() -> warehouse.dryRun(sql("SELECT 1 AS x"))).isInstanceOfSatisfying(ConvergenceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_NOT_AVAILABLE));
        }
    }

    @Test
    void stagesFilesAndPublishesGoodRowsAndQuarantine() throws Exception {
        assumeTrue(warehouse.supports(WarehouseCapability.LOCAL_FILES));
        Path csv = tempDir.resolve("orders.csv");
        Files.writeString(csv, "id,amount\n1,10\n2,ten\n3,30\n");
        TableId target = table("raw.orders");
        List<SchemaField> schema = List.of(new SchemaField("id", "INT64", "REQUIRED", null, null),
                new SchemaField("amount", "INT64", "NULLABLE", null, null));
        try (StagedLoad staged = warehouse.stageFiles(new FileLoad(List.of(csv),
                new Source(csv.toString(), FileFormat.CSV, true, ",", 0), schema, target), noCancel)) {
            assertThat(staged.rowsRead()).isEqualTo(3);
            assertThat(staged.rowsRejected()).isEqualTo(1);
            assertThat(staged.firstRejections(5)).singleElement().satisfies(r -> {
                assertThat(r.lineNumber()).isEqualTo(3);
                assertThat(r.reason()).contains("amount").contains("'ten'");
            });
            StagedLoad.LoadOutcome outcome = staged.publish(new Quarantine(table("raw.orders_rejected"), "run-1", Instant.parse("2024-03-01T00:00:00Z")),
                    Publication.append(target), FenceCheck.NONE, noCancel);
            assertThat(outcome).isEqualTo(new StagedLoad.LoadOutcome(2, 1));
        }
        assertThat(rows("SELECT id, amount FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L, 10L), List.of(3L, 30L));
        assertThat(rows("SELECT run_id, line_number FROM {{ ref('raw.orders_rejected') }}")).containsExactly(List.of("run-1", 3L));
        assertThat(warehouse.tableSchema(target).orElseThrow().get(0).mode()).isEqualTo("REQUIRED");
        assertThat(warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }
}
