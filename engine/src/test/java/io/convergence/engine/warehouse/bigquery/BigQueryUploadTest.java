package io.convergence.engine.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobConfiguration;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.bqserver.FaultInjector;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local files reach BigQuery through load jobs fed by resumable uploads (issue 5), not through insertAll. */
class BigQueryUploadTest {
    private static final List<SchemaField> ORDERS = List.of(new SchemaField("id", "INT64", "REQUIRED", null, null),
            new SchemaField("amount", "INT64", "NULLABLE", null, null));
    private static final Instant REJECTED_AT = Instant.parse("2024-03-01T00:00:00Z");

    @TempDir
    Path dir;
    private BigQueryTestServer server;
    private BigQueryWarehouse warehouse;
    private final CancellationToken noCancel = new CancellationToken();

    @BeforeEach
    void start() {
        server = BigQueryTestServer.start(BigQueryTestServer.Options.defaults());
        warehouse = BigQueryTestTargets.warehouse(BigQueryTestTargets.target(server), dir);
        warehouse.ensureDataset("acme_raw");
    }

    @AfterEach
    void stop() {
        warehouse.close();
        server.close();
    }

    private static JobScope scope() {
        return new JobScope("acme", "daily", "run-1", "ingest", Optional.empty(), 1);
    }

    private FaultInjector faults() {
        return server.faults();
    }

    /** Stages {@code csv} under the test scope and appends it to acme_raw.orders; returns the outcome. */
    private StagedLoad.LoadOutcome ingest(Path csv, List<SchemaField> schema, FileFormat format) {
        TableId target = new TableId("acme_raw", "orders");
        try (JobScope.Binding bound = scope().bind();
                StagedLoad staged = warehouse.stageFiles(new FileLoad(List.of(csv), new Source(csv.toString(), format, format == FileFormat.CSV,
                        ",", 0), schema, target), noCancel)) {
            return staged.publish(new Quarantine(new TableId("acme_raw", "orders_rejected"), "run-1", REJECTED_AT), Publication.append(target),
                    FenceCheck.NONE, noCancel);
        }
    }

    /** Creates {@code acme_raw.<name>} with the ORDERS schema; an NDJSON upload to it, to finish with build(). */
    private WriteChannelConfiguration.Builder ordersUploadTo(String name) {
        TableId table = new TableId("acme_raw", name);
        warehouse.createTable(table, BigQueryValues.schema(ORDERS));
        return WriteChannelConfiguration.newBuilder(warehouse.clientId(table), FormatOptions.json()).setSchema(BigQueryValues.schema(ORDERS));
    }

    private Path ndjson(String text) throws IOException {
        Path file = dir.resolve("rows.ndjson");
        Files.writeString(file, text);
        return file;
    }

    private List<List<Object>> rows(String sql) {
        return warehouse.query(BoundSql.of(sql), 100_000, noCancel).rows();
    }

    private List<Job> loadJobs() {
        List<Job> out = new ArrayList<>();
        for (String id : faults().executedJobs()) {
            Job job = warehouse.connection().bigquery().getJob(com.google.cloud.bigquery.JobId.newBuilder().setJob(id).setLocation("US").build());
            if (job.getConfiguration().getType() == JobConfiguration.Type.LOAD) {
                out.add(job);
            }
        }
        return out;
    }

    @Test
    void goodAndRejectedRowsAreUploadedByLoadJobsWithDeterministicIdsAndNoInsertAll() throws IOException {
        Path csv = dir.resolve("orders.csv");
        Files.writeString(csv, "id,amount\n1,10\n2,ten\n3,30\n");

        assertThat(ingest(csv, ORDERS, FileFormat.CSV)).isEqualTo(new StagedLoad.LoadOutcome(2, 1));

        assertThat(rows("SELECT id, amount FROM acme_raw.orders ORDER BY id")).containsExactly(List.of(1L, 10L), List.of(3L, 30L));
        assertThat(rows("SELECT run_id, line_number FROM acme_raw.orders_rejected")).containsExactly(List.of("run-1", 3L));
        assertThat(faults().count("POST", "/insertAll$")).isZero();
        assertThat(faults().count("POST", "^/upload/bigquery/v2/projects/[^/]+/jobs$")).isEqualTo(2);
        List<Job> loads = loadJobs();
        // good rows, then this load's rejected rows: the step's first two jobs
        assertThat(loads).extracting(j -> j.getJobId().getJob()).containsExactly("cvg_acme_daily_run-1_ingest_a1_j1",
                "cvg_acme_daily_run-1_ingest_a1_j2");
        assertThat(loads).extracting(j -> ((JobStatistics.LoadStatistics) j.getStatistics()).getOutputRows()).containsExactly(2L, 1L);
        assertThat(faults().executedJobs()).doesNotHaveDuplicates();
    }

    @Test
    void fiftyThousandRowsLoadWithAHandfulOfRequests() throws IOException {
        Path csv = dir.resolve("orders.csv");
        try (BufferedWriter out = Files.newBufferedWriter(csv)) {
            out.write("id,amount\n");
            for (int i = 1; i <= 50_000; i++) {
                out.write(i + "," + (i * 7) + "\n");
            }
        }
        long before = faults().requests().size();

        assertThat(ingest(csv, ORDERS, FileFormat.CSV)).isEqualTo(new StagedLoad.LoadOutcome(50_000, 0));

        assertThat(rows("SELECT COUNT(*), SUM(amount) FROM acme_raw.orders")).containsExactly(List.of(50_000L, 7L * 50_000 * 50_001 / 2));
        assertThat(faults().count("PUT", "^/upload/")).isEqualTo(1);
        assertThat(faults().count("POST", "/insertAll$")).isZero();
        // tables, the upload session and its chunk, job polls, the count checks and the publish; insertAll needed 100 requests
        assertThat(faults().requests().size() - before).isLessThan(40);
    }

    @Test
    void aLostAnswerToTheLastChunkReattachesToTheLoadJobInsteadOfLoadingTwice() throws IOException {
        faults().loseResponseNext("PUT", "^/upload/", 1);
        Path csv = dir.resolve("orders.csv");
        Files.writeString(csv, "id,amount\n1,10\n3,30\n");

        assertThat(ingest(csv, ORDERS, FileFormat.CSV)).isEqualTo(new StagedLoad.LoadOutcome(2, 0));

        assertThat(rows("SELECT id, amount FROM acme_raw.orders ORDER BY id")).containsExactly(List.of(1L, 10L), List.of(3L, 30L));
        assertThat(faults().requests()).filteredOn(r -> r.method().equals("PUT") && r.status() == 503).hasSize(1);
        // the job was not uploaded again: it was found and waited for
        assertThat(faults().count("PUT", "^/upload/")).isEqualTo(1);
        assertThat(faults().executions("cvg_acme_daily_run-1_ingest_a1_j1")).isEqualTo(1);
    }

    @Test
    void aFailedChunkIsUploadedAgainUnderTheSameJobId() throws IOException {
        faults().backendErrorNext("PUT", "^/upload/", 1);
        Path csv = dir.resolve("orders.csv");
        Files.writeString(csv, "id,amount\n1,10\n3,30\n");

        assertThat(ingest(csv, ORDERS, FileFormat.CSV)).isEqualTo(new StagedLoad.LoadOutcome(2, 0));

        assertThat(rows("SELECT COUNT(*) FROM acme_raw.orders")).containsExactly(List.of(2L));
        assertThat(faults().count("POST", "^/upload/")).isEqualTo(2);
        assertThat(faults().executions("cvg_acme_daily_run-1_ingest_a1_j1")).isEqualTo(1);
    }

    @Test
    void aSecondUploadOfAFinishedJobIdIsRefusedAndReattached() throws IOException {
        Path file = ndjson("{\"id\": 1, \"amount\": 10}\n");
        WriteChannelConfiguration config = ordersUploadTo("twice").setWriteDisposition(JobInfo.WriteDisposition.WRITE_APPEND).build();
        try (JobScope.Binding bound = scope().bind()) {
            warehouse.jobs().upload(config, file, "first upload", noCancel);
        }
        try (JobScope.Binding bound = scope().bind()) {
            // the same scope asks for the same id again: the upload lands, the job is refused with 409 and reattached
            Job job = warehouse.jobs().upload(config, file, "second upload", noCancel);
            assertThat(job.getJobId().getJob()).isEqualTo("cvg_acme_daily_run-1_ingest_a1_j1");
        }

        assertThat(rows("SELECT COUNT(*) FROM acme_raw.twice")).containsExactly(List.of(1L));
        assertThat(faults().requests()).filteredOn(r -> r.method().equals("PUT") && r.status() == 409).hasSize(1);
    }

    @Test
    void aRefusedLoadIsASchemaMismatchNamingBigQuerysError() throws IOException {
        Path file = ndjson("{\"id\": \"not a number\"}\n");
        WriteChannelConfiguration config = ordersUploadTo("bad").build();

        assertThatThrownBy(() -> warehouse.jobs().upload(config, file, "uploading rows to acme_raw.bad", noCancel))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH);
                    assertThat(e.getMessage()).startsWith("uploading rows to acme_raw.bad failed: BigQuery refused the uploaded rows")
                            .contains("not a number");
                });
    }

    @Test
    void aCancelledUploadStartsNoJob() throws IOException {
        Path file = ndjson("{\"id\": 1}\n");
        WriteChannelConfiguration config = ordersUploadTo("cancelled").build();
        CancellationToken cancelled = new CancellationToken();
        cancelled.cancel();

        assertThatThrownBy(() -> warehouse.jobs().upload(config, file, "uploading", cancelled))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RUN_CANCELLED));
        assertThat(faults().count("POST", "^/upload/")).isZero();
    }

    @Test
    void everyColumnTypeArrivesWithItsExactValue() throws IOException {
        List<SchemaField> schema = List.of(
                new SchemaField("i", "INT64", "REQUIRED", null, null),
                new SchemaField("f", "FLOAT64", "NULLABLE", null, null),
                new SchemaField("n", "NUMERIC", "NULLABLE", null, null),
                new SchemaField("bn", "BIGNUMERIC", "NULLABLE", null, null),
                new SchemaField("b", "BOOL", "NULLABLE", null, null),
                new SchemaField("s", "STRING", "NULLABLE", null, null),
                new SchemaField("raw", "BYTES", "NULLABLE", null, null),
                new SchemaField("d", "DATE", "NULLABLE", null, null),
                new SchemaField("dt", "DATETIME", "NULLABLE", null, null),
                new SchemaField("t", "TIME", "NULLABLE", null, null),
                new SchemaField("ts", "TIMESTAMP", "NULLABLE", null, null),
                new SchemaField("j", "JSON", "NULLABLE", null, null),
                new SchemaField("g", "GEOGRAPHY", "NULLABLE", null, null),
                new SchemaField("tags", "STRING", "REPEATED", null, null),
                new SchemaField("addr", "RECORD", "NULLABLE", null, List.of(new SchemaField("city", "STRING", "NULLABLE", null, null),
                        new SchemaField("zip", "INT64", "NULLABLE", null, null))));
        Path file = dir.resolve("typed.ndjson");
        Files.writeString(file, "{\"i\": 9007199254740993, \"f\": 0.1, \"n\": \"12345678901234567890.123456789\", \"bn\": \"1.5\","
                + " \"b\": true, \"s\": \"h\\u00e9 \\\"q\\\"\\n2\", \"raw\": \"AAEC/w==\", \"d\": \"2024-02-29\", \"dt\": \"2024-03-01 12:34:56.123456\","
                + " \"t\": \"23:59:59.5\", \"ts\": \"2024-03-01T12:00:00.000001Z\", \"j\": {\"a\": [1, \"x\"]}, \"g\": \"POINT(1 2)\","
                + " \"tags\": [\"a\", \"b\"], \"addr\": {\"city\": \"Oslo\", \"zip\": 150}}\n"
                + "{\"i\": 2}\n");

        assertThat(ingest(file, schema, FileFormat.NDJSON)).isEqualTo(new StagedLoad.LoadOutcome(2, 0));

        List<List<Object>> rows = rows("SELECT i, f, n, b, s, raw, d, dt, t, ts, TO_JSON_STRING(j), g, IFNULL(ARRAY_LENGTH(tags), 0), tags[OFFSET(1)],"
                + " addr.city, addr.zip FROM acme_raw.orders ORDER BY i");
        assertThat(rows.get(0)).containsExactly(2L, null, null, null, null, null, null, null, null, null, null, null, 0L, null, null, null);
        List<Object> full = rows.get(1);
        assertThat(full.get(0)).isEqualTo(9007199254740993L);
        assertThat(full.get(1)).isEqualTo(0.1);
        assertThat((BigDecimal) full.get(2)).isEqualByComparingTo("12345678901234567890.123456789");
        assertThat(full.get(3)).isEqualTo(true);
        assertThat(full.get(4)).isEqualTo("h\u00e9 \"q\"\n2");
        assertThat((byte[]) full.get(5)).containsExactly(0, 1, 2, 255);
        assertThat(full.get(6)).isEqualTo(LocalDate.parse("2024-02-29"));
        assertThat(full.get(7)).isEqualTo(LocalDateTime.parse("2024-03-01T12:34:56.123456"));
        assertThat(full.get(8)).isEqualTo(LocalTime.parse("23:59:59.5"));
        assertThat(full.get(9)).isEqualTo(Instant.parse("2024-03-01T12:00:00.000001Z"));
        assertThat(full.get(10)).asString().isEqualToIgnoringWhitespace("{\"a\":[1,\"x\"]}");
        assertThat(full.get(11)).asString().contains("POINT");
        assertThat(full.subList(12, 16)).containsExactly(2L, "b", "Oslo", 150L);
    }
}
