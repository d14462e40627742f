package io.convergence.engine.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.model.BadRows;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.run.RunEvent;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestRunnerTest {
    private static final String ORDERS_SCHEMA = """
            [
              {"name": "order_id", "type": "INTEGER", "mode": "REQUIRED"},
              {"name": "customer", "type": "STRING", "mode": "REQUIRED"},
              {"name": "amount", "type": "INT64"},
              {"name": "order_date", "type": "DATE", "description": "day of the order"}
            ]
            """;

    @TempDir
    Path tmp;
    StepFixture f;

    @BeforeEach
    void setUp() {
        f = new StepFixture(tmp);
        f.write("schemas/orders.json", ORDERS_SCHEMA);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static IngestStep ingest(String uri, FileFormat format, WriteMode write, long maxBad) {
        return new IngestStep("load_orders", null, List.of(), 0, null, new Source(uri, format, true, ",", 0),
                "schemas/orders.json", "raw.orders", write, new BadRows(maxBad, null));
    }

    @Test
    void malformedCsvRowsAreQuarantinedWithTheirLinesAndNoneIsLost() {
        f.write("data/orders.csv", """
                order_id,customer,amount,order_date
                1,ann,10,2024-03-01
                2,bob,ten,2024-03-01
                3,,5,2024-03-02
                4,dan,7,2024-03-02,extra
                5,eve,8,2024-03-03

                6,"fay, jr",9,2024-03-03
                7,gus,1.5,2024-03-03
                8,"hal,12,2024-03-04
                """);
        StepResult result = f.run(ingest("data/orders.csv", FileFormat.CSV, WriteMode.APPEND, 10));

        assertThat(result.rows()).isEqualTo(3);
        assertThat(result.details()).containsEntry("rows_read", "8").containsEntry("rows_loaded", "3").containsEntry("rows_quarantined", "5");
        assertThat(f.rows("SELECT order_id, customer, amount, order_date FROM {{ ref('raw.orders') }} ORDER BY order_id")).containsExactly(
                List.of(1L, "ann", 10L, LocalDate.parse("2024-03-01")),
                List.of(5L, "eve", 8L, LocalDate.parse("2024-03-03")),
                List.of(6L, "fay, jr", 9L, LocalDate.parse("2024-03-03")));

        List<List<Object>> q = f.rows("SELECT line_number, reason, raw_record, run_id, source_file, rejected_at FROM {{ ref('raw.orders_rejected') }}"
                + " ORDER BY line_number");
        assertThat(q).extracting(r -> r.get(0)).containsExactly(3L, 4L, 5L, 9L, 10L);
        assertThat((String) q.get(0).get(1)).isEqualTo("amount: 'ten' is not a valid INT64");
        assertThat(q.get(0).get(2)).isEqualTo("2,bob,ten,2024-03-01");
        assertThat((String) q.get(1).get(1)).isEqualTo("customer: REQUIRED value is missing");
        assertThat((String) q.get(2).get(1)).startsWith("too many columns");
        assertThat(q.get(2).get(2)).isEqualTo("4,dan,7,2024-03-02,extra");
        assertThat((String) q.get(3).get(1)).isEqualTo("amount: '1.5' is not a valid INT64");
        assertThat((String) q.get(4).get(1)).contains("unquoted value");
        assertThat((String) q.get(4).get(2)).startsWith("8,\"hal,12");
        assertThat(q).allSatisfy(r -> {
            assertThat(r.get(3)).isEqualTo("run-1");
            assertThat((String) r.get(4)).endsWith("data/orders.csv");
            assertThat(r.get(5)).isEqualTo(StepFixture.NOW);
        });
        assertThat(f.events(RunEvent.LogLine.class)).anySatisfy(l -> {
            assertThat(l.level()).isEqualTo("WARN");
            assertThat(l.message()).contains("5 rows failed the schema").contains("raw.orders_rejected").contains("data/orders.csv:3");
        });
        assertThat(f.warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }

    @Test
    void int64AcceptsPlainIntegersOnlyAsBigQueryDoes() {
        // DuckDB's own cast would round 1.5 and read exponents, underscores and 0x/0b prefixes
        f.write("data/orders.csv", """
                order_id,customer,amount,order_date
                1,a,12,2024-03-01
                2,b, 12 ,2024-03-01
                3,c,+5,2024-03-01
                4,d,-7,2024-03-01
                5,e,007,2024-03-01
                6,f,-0,2024-03-01
                7,g,9223372036854775807,2024-03-01
                8,h,1.5,2024-03-01
                9,i,1e3,2024-03-01
                10,j,1_000,2024-03-01
                11,k,0x10,2024-03-01
                12,l,0b1,2024-03-01
                13,m,1.,2024-03-01
                14,n,9223372036854775808,2024-03-01
                15,o,1 2,2024-03-01
                """);
        f.run(ingest("data/orders.csv", FileFormat.CSV, WriteMode.APPEND, 10));
        assertThat(f.rows("SELECT order_id, amount FROM {{ ref('raw.orders') }} ORDER BY order_id")).containsExactly(
                List.of(1L, 12L), List.of(2L, 12L), List.of(3L, 5L), List.of(4L, -7L), List.of(5L, 7L), List.of(6L, 0L),
                List.of(7L, Long.MAX_VALUE));
        assertThat(f.rows("SELECT line_number, reason FROM {{ ref('raw.orders_rejected') }} ORDER BY line_number"))
                .extracting(r -> r.get(0) + " " + r.get(1)).containsExactly(
                        "9 amount: '1.5' is not a valid INT64", "10 amount: '1e3' is not a valid INT64",
                        "11 amount: '1_000' is not a valid INT64", "12 amount: '0x10' is not a valid INT64",
                        "13 amount: '0b1' is not a valid INT64", "14 amount: '1.' is not a valid INT64",
                        "15 amount: '9223372036854775808' is not a valid INT64", "16 amount: '1 2' is not a valid INT64");
    }

    @Test
    void tooManyBadRowsFailTheStepAndLeaveTheTargetUntouched() {
        f.write("data/good.csv", "order_id,customer,amount,order_date\n1,ann,10,2024-03-01\n2,bob,20,2024-03-01\n");
        f.run(ingest("data/good.csv", FileFormat.CSV, WriteMode.APPEND, 0));
        List<List<Object>> before = f.rows("SELECT * FROM {{ ref('raw.orders') }} ORDER BY order_id");

        f.write("data/bad.csv", "order_id,customer,amount,order_date\n3,cid,x,2024-03-02\n4,dan,40,2024-13-01\n5,eve,50,2024-03-02\n"
                + "6,\"fay,60,2024-03-02\n");
        assertThatThrownBy(() -> f.run(ingest("data/bad.csv", FileFormat.CSV, WriteMode.APPEND, 1)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_ROWS_EXCEEDED);
                    assertThat(e.getMessage()).contains("3 of 4 rows failed the schema").contains("bad_rows.max (1)")
                            .contains("nothing was loaded into raw.orders").contains("data/bad.csv:2 amount: 'x' is not a valid INT64")
                            .contains("data/bad.csv:3 order_date: '2024-13-01' is not a valid DATE")
                            .contains("data/bad.csv:5 unquoted value").contains("raw.orders_rejected").contains("run-2")
                            .doesNotContain("..");
                });
        assertThat(f.rows("SELECT * FROM {{ ref('raw.orders') }} ORDER BY order_id")).isEqualTo(before);
        assertThat(f.rows("SELECT run_id, line_number FROM {{ ref('raw.orders_rejected') }} ORDER BY line_number"))
                .containsExactly(List.of("run-2", 2L), List.of("run-2", 3L), List.of("run-2", 5L));
        assertThat(f.warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }

    @Test
    void appendingToAnExistingTableKeepsEarlierRowsAndQuarantines() {
        f.write("data/a.csv", "order_id,customer,amount,order_date\n1,ann,10,2024-03-01\n2,bob,x,2024-03-01\n");
        f.run(ingest("data/a.csv", FileFormat.CSV, WriteMode.APPEND, 5));
        StepResult second = f.run(ingest("data/a.csv", FileFormat.CSV, WriteMode.APPEND, 5));
        assertThat(second.details()).containsEntry("rows_loaded", "1").containsEntry("rows_quarantined", "1");
        assertThat(f.count("raw.orders")).isEqualTo(2);
        assertThat(f.rows("SELECT run_id, line_number FROM {{ ref('raw.orders_rejected') }} ORDER BY run_id"))
                .containsExactly(List.of("run-1", 3L), List.of("run-2", 3L));
        assertThat(f.warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }

    @Test
    void replaceSwapsTheWholeTable() {
        f.write("data/a.csv", "order_id,customer,amount,order_date\n1,ann,10,2024-03-01\n2,bob,20,2024-03-01\n");
        f.write("data/b.csv", "order_id,customer,amount,order_date\n9,zed,90,2024-03-09\n");
        f.run(ingest("data/a.csv", FileFormat.CSV, WriteMode.REPLACE, 0));
        f.run(ingest("data/b.csv", FileFormat.CSV, WriteMode.REPLACE, 0));
        assertThat(f.rows("SELECT order_id FROM {{ ref('raw.orders') }}")).containsExactly(List.of(9L));
        assertThat(f.warehouse.tableSchema(f.names.resolve("raw.orders")).orElseThrow())
                .extracting(s -> s.name() + " " + s.type() + " " + s.mode())
                .containsExactly("order_id INT64 REQUIRED", "customer STRING REQUIRED", "amount INT64 NULLABLE", "order_date DATE NULLABLE");
    }

    @Test
    void globsReadEveryMatchingFileWithPerFileLines() {
        f.write("data/orders_1.csv", "order_id,customer,amount,order_date\n1,ann,10,2024-03-01\n2,bob,?,2024-03-01\n");
        f.write("data/orders_2.csv", "order_id,customer,amount,order_date\nx,cid,30,2024-03-02\n4,dan,40,2024-03-02\n");
        f.write("data/other.csv", "order_id,customer,amount,order_date\n99,nope,0,2024-03-02\n");
        f.run(ingest("data/orders_*.csv", FileFormat.CSV, WriteMode.APPEND, 5));
        assertThat(f.rows("SELECT order_id FROM {{ ref('raw.orders') }} ORDER BY order_id")).containsExactly(List.of(1L), List.of(4L));
        List<List<Object>> q = f.rows("SELECT source_file, line_number FROM {{ ref('raw.orders_rejected') }} ORDER BY source_file");
        assertThat(q).hasSize(2);
        assertThat((String) q.get(0).get(0)).endsWith("orders_1.csv");
        assertThat(q.get(0).get(1)).isEqualTo(3L);
        assertThat((String) q.get(1).get(0)).endsWith("orders_2.csv");
        assertThat(q.get(1).get(1)).isEqualTo(2L);
    }

    @Test
    void lineNumbersStayExactInALargeFileReadInParallel() throws Exception {
        Path file = f.pipelineDir.resolve("data/big.csv");
        Files.createDirectories(file.getParent());
        List<Long> expected = new ArrayList<>();
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("order_id,customer,amount,order_date\n");
            long line = 1;
            for (int i = 0; i < 300_000; i++) {
                line++;
                if (i % 49_999 == 17) {
                    w.write(i + ",c,1,2024-03-01,extra\n");
                    expected.add(line);
                } else if (i % 37_001 == 5) {
                    w.write(i + ",c,notanumber,2024-03-01\n");
                    expected.add(line);
                } else if (i % 61_001 == 9) {
                    w.write("\n");
                } else if (i % 70_001 == 3) {
                    w.write(i + ",\"multi\nline\",3,2024-03-01\n");
                } else {
                    w.write(i + ",customer" + i + "," + (i % 1000) + ",2024-03-01\n");
                }
            }
        }
        f.run(ingest("data/big.csv", FileFormat.CSV, WriteMode.APPEND, 100));
        List<Long> lines = f.rows("SELECT line_number FROM {{ ref('raw.orders_rejected') }} ORDER BY line_number").stream()
                .map(r -> (Long) r.get(0)).toList();
        assertThat(lines).isEqualTo(expected);
        long blanks = 300_000 / 61_001 + 1;
        assertThat(f.count("raw.orders") + lines.size()).isEqualTo(300_000 - blanks);
    }

    @Test
    void aCancelledLoadLeavesNoTraceAndNoTarget() throws Exception {
        Path file = f.pipelineDir.resolve("data/big.csv");
        Files.createDirectories(file.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("order_id,customer,amount,order_date\n");
            for (int i = 0; i < 2_000_000; i++) {
                w.write(i + ",customer" + i + "," + (i % 1000) + ",2024-03-0" + (i % 9 + 1) + "\n");
            }
        }
        IngestStep step = ingest("data/big.csv", FileFormat.CSV, WriteMode.APPEND, 0);
        io.convergence.engine.exec.StepContext context = f.context(f.pipeline(step), step, java.util.Optional.empty(), java.util.Map.of());
        Thread canceller = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            context.cancellation().cancel();
        });
        canceller.start();
        try {
            f.runners.runner().run(context);
        } catch (ConvergenceException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.RUN_CANCELLED);
            assertThat(f.warehouse.listTables("acme_raw")).doesNotContain("orders");
        }
        canceller.join();
        // cancelled mid-way or finished first: either way no staging table is left behind
        assertThat(f.warehouse.listTables("acme_raw")).allSatisfy(t -> assertThat(t).doesNotStartWith("_cvg_stage"));
    }

    @Test
    void ndjsonRowsAreCheckedPerLine() {
        f.write("schemas/events.json", """
                [{"name": "id", "type": "INT64", "mode": "REQUIRED"},
                 {"name": "name", "type": "STRING"},
                 {"name": "at", "type": "TIMESTAMP"},
                 {"name": "tags", "type": "STRING", "mode": "REPEATED"},
                 {"name": "geo", "type": "RECORD", "fields": [{"name": "lat", "type": "FLOAT"}, {"name": "lon", "type": "FLOAT"}]}]
                """);
        f.write("data/events.ndjson", """
                {"id": 1, "name": "a", "at": "2024-03-01T10:00:00Z", "tags": ["x", "y"], "geo": {"lat": 1.5, "lon": 2}}
                {"id": "two", "name": "b"}

                {not json
                [1, 2]
                {"name": "no id"}
                {"id": 7, "at": "yesterday"}
                {"id": 8, "tags": "not-a-list"}
                {"id": 9, "extra": true}
                """);
        IngestStep step = new IngestStep("load_events", null, List.of(), 0, null,
                new Source("data/events.ndjson", FileFormat.NDJSON, true, ",", 0), "schemas/events.json", "raw.events",
                WriteMode.APPEND, new BadRows(10, null));
        StepResult result = f.run(step);
        assertThat(result.details()).containsEntry("rows_read", "8").containsEntry("rows_loaded", "2").containsEntry("rows_quarantined", "6");
        List<List<Object>> loaded = f.rows("SELECT id, name, `at`, tags, geo.lat FROM {{ ref('raw.events') }} ORDER BY id");
        assertThat(loaded.get(0)).containsExactly(1L, "a", java.time.Instant.parse("2024-03-01T10:00:00Z"), List.of("x", "y"), 1.5);
        assertThat(loaded.get(1).get(0)).isEqualTo(9L);
        assertThat(f.rows("SELECT line_number, reason FROM {{ ref('raw.events_rejected') }} ORDER BY line_number")).containsExactly(
                List.of(2L, "id: 'two' is not a valid INT64"),
                List.of(4L, "not valid JSON"),
                List.of(5L, "not a JSON object"),
                List.of(6L, "id: REQUIRED value is missing"),
                List.of(7L, "at: 'yesterday' is not a valid TIMESTAMP"),
                List.of(8L, "tags: '\"not-a-list\"' is not a valid REPEATED STRING"));
    }

    @Test
    void parquetRowsKeepTheirRowNumbers() {
        Path parquet = f.pipelineDir.resolve("data/orders.parquet");
        f.write("data/.keep", "");
        f.warehouse.execute(io.convergence.engine.warehouse.BoundSql.of("COPY (SELECT * FROM (VALUES (1, 'ann', '10', DATE '2024-03-01'),"
                + " (2, NULL, '20', DATE '2024-03-01'), (3, 'cid', 'x', DATE '2024-03-02'), (4, 'dan', '40', NULL))"
                + " AS t(order_id, customer, amount, order_date)) TO '" + parquet + "' (FORMAT parquet)"), new io.convergence.engine.exec.CancellationToken());
        f.run(ingest("data/orders.parquet", FileFormat.PARQUET, WriteMode.APPEND, 5));
        assertThat(f.rows("SELECT order_id, amount FROM {{ ref('raw.orders') }} ORDER BY order_id"))
                .containsExactly(List.of(1L, 10L), List.of(4L, 40L));
        List<List<Object>> q = f.rows("SELECT line_number, reason, raw_record FROM {{ ref('raw.orders_rejected') }} ORDER BY line_number");
        assertThat(q).extracting(r -> r.get(0)).containsExactly(2L, 3L);
        assertThat(q.get(0).get(1)).isEqualTo("customer: REQUIRED value is missing");
        assertThat(q.get(1).get(1)).isEqualTo("amount: 'x' is not a valid INT64");
        assertThat((String) q.get(1).get(2)).contains("\"customer\":\"cid\"");
    }

    @Test
    void userMistakesAreClearErrors() {
        assertThatThrownBy(() -> f.run(ingest("data/none_*.csv", FileFormat.CSV, WriteMode.APPEND, 0)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_FAILED))
                .hasMessageContaining("no file matches 'data/none_*.csv'");
        f.write("data/a.csv", "order_id,customer,amount,order_date\n1,ann,10,2024-03-01\n");
        assertThatThrownBy(() -> f.run(ingest("data/a.csv", FileFormat.CSV, WriteMode.REPLACE_PARTITIONS, 0)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        f.write("schemas/orders.json", "[{\"name\": \"id\", \"type\": \"INTEGR\"}]");
        assertThatThrownBy(() -> f.run(ingest("data/a.csv", FileFormat.CSV, WriteMode.APPEND, 0)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("INTEGR");
        assertThatThrownBy(() -> f.run(ingest("gs://bucket/a.csv", FileFormat.CSV, WriteMode.APPEND, 0)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_NOT_AVAILABLE));
        assertThat(f.warehouse.listTables("acme_raw")).isEmpty();
    }

    @Test
    void aHeaderWithTheSchemaColumnsInAnotherOrderIsRefusedBeforeReading() {
        // loaded by position this would put names in amount and fail every row, or worse, load swapped values
        f.write("data/swapped.csv", "order_id,amount,customer,order_date\n1,10,ann,2024-03-01\n");
        assertThatThrownBy(() -> f.run(ingest("data/swapped.csv", FileFormat.CSV, WriteMode.APPEND, 0)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH))
                .hasMessageContaining("data/swapped.csv:1: the header names the schema's columns in another order")
                .hasMessageContaining("file: order_id, amount, customer, order_date; schema: order_id, customer, amount, order_date");
        assertThat(f.warehouse.listTables("acme_raw")).isEmpty();

        // other names load by position, as BigQuery does; quoted and differently cased names match
        f.write("data/renamed.csv", "\"ORDER_ID\",who,amount,\"order_date\"\n1,ann,10,2024-03-01\n");
        assertThat(f.run(ingest("data/renamed.csv", FileFormat.CSV, WriteMode.APPEND, 0)).rows()).isEqualTo(1);
    }
}
