package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableResult;
import com.google.cloud.bigquery.TimePartitioning;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Queries through the real client: parameters, destinations, DML, scripts, dry runs, paging. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BigQueryTestServerQueryTest {
    private static final String PROJECT = "test-project";
    private BigQueryTestServer server;
    private BigQuery bq;

    @BeforeAll
    void start() throws InterruptedException {
        server = BigQueryTestServer.start(BigQueryTestServer.Options.defaults().withPageSize(4_000));
        bq = server.bigQuery(PROJECT);
        bq.create(DatasetInfo.of("q"));
        run("CREATE TABLE `test-project.q.people` (id INT64 NOT NULL, name STRING, score FLOAT64, active BOOL, born DATE,"
                + " seen TIMESTAMP, balance NUMERIC)");
        run("INSERT INTO `test-project.q.people` VALUES"
                + " (1, 'ann', 1.5, true, DATE '1990-01-02', TIMESTAMP '2024-05-01 10:00:00+00', NUMERIC '10.25'),"
                + " (2, 'bob', 2.5, false, DATE '1985-06-30', TIMESTAMP '2024-05-02 11:30:00.123456+00', NUMERIC '-3'),"
                + " (3, 'o''neil', NULL, NULL, NULL, NULL, NULL)");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private TableResult run(String sql) throws InterruptedException {
        return bq.query(QueryJobConfiguration.newBuilder(sql).build());
    }

    private List<List<Object>> rows(TableResult result) {
        List<List<Object>> out = new ArrayList<>();
        for (FieldValueList row : result.iterateAll()) {
            List<Object> values = new ArrayList<>();
            row.forEach(v -> values.add(v.isNull() ? null : v.getValue()));
            out.add(values);
        }
        return out;
    }

    @Test
    void selectReturnsTypedCells() throws InterruptedException {
        TableResult r = run("SELECT id, name, score, active, born, seen, balance FROM `test-project.q.people` ORDER BY id");
        assertThat(r.getTotalRows()).isEqualTo(3);
        assertThat(r.getSchema().getFields().get("id").getType()).isEqualTo(LegacySQLTypeName.INTEGER);
        assertThat(r.getSchema().getFields().get("seen").getType()).isEqualTo(LegacySQLTypeName.TIMESTAMP);
        List<FieldValueList> rows = new ArrayList<>();
        r.iterateAll().forEach(rows::add);
        FieldValueList bob = rows.get(1);
        assertThat(bob.get("id").getLongValue()).isEqualTo(2);
        assertThat(bob.get("name").getStringValue()).isEqualTo("bob");
        assertThat(bob.get("score").getDoubleValue()).isEqualTo(2.5);
        assertThat(bob.get("active").getBooleanValue()).isFalse();
        assertThat(bob.get("born").getStringValue()).isEqualTo("1985-06-30");
        assertThat(bob.get("seen").getTimestampValue()).isEqualTo(1714649400_123456L);
        assertThat(bob.get("balance").getNumericValue()).isEqualByComparingTo("-3");
        assertThat(rows.get(2).get("score").isNull()).isTrue();
        assertThat(rows.get(2).get("name").getStringValue()).isEqualTo("o'neil");
    }

    @Test
    void namedParametersOfEveryTypeAreBound() throws InterruptedException {
        QueryJobConfiguration config = QueryJobConfiguration.newBuilder(
                        "SELECT id FROM `test-project.q.people` WHERE name = @name AND id >= @min AND score < @score AND active = @active"
                                + " AND born > @born AND seen < @seen AND balance > @balance")
                .addNamedParameter("name", QueryParameterValue.string("ann"))
                .addNamedParameter("min", QueryParameterValue.int64(1))
                .addNamedParameter("score", QueryParameterValue.float64(2.0))
                .addNamedParameter("active", QueryParameterValue.bool(true))
                .addNamedParameter("born", QueryParameterValue.date("1989-12-31"))
                .addNamedParameter("seen", QueryParameterValue.timestamp(1714600000_000000L))
                .addNamedParameter("balance", QueryParameterValue.numeric(new BigDecimal("10.2")))
                .build();
        assertThat(rows(bq.query(config))).containsExactly(List.of("1"));
    }

    @Test
    void parametersAreValuesNeverSql() throws InterruptedException {
        QueryJobConfiguration config = QueryJobConfiguration.newBuilder("SELECT count(*) AS n FROM `test-project.q.people` WHERE name = @name")
                .addNamedParameter("name", QueryParameterValue.string("x' OR '1'='1"))
                .build();
        assertThat(rows(bq.query(config))).containsExactly(List.of("0"));
        QueryJobConfiguration value = QueryJobConfiguration.newBuilder("SELECT @v AS v")
                .addNamedParameter("v", QueryParameterValue.string("'); DROP TABLE q.people; --"))
                .build();
        assertThat(rows(bq.query(value))).containsExactly(List.of("'); DROP TABLE q.people; --"));
        assertThat(bq.getTable("q", "people")).isNotNull();
    }

    @Test
    void positionalAndArrayParameters() throws InterruptedException {
        QueryJobConfiguration config = QueryJobConfiguration.newBuilder(
                        "SELECT id FROM `test-project.q.people` WHERE id IN UNNEST(?) AND name != ? ORDER BY id")
                .addPositionalParameter(QueryParameterValue.array(new Long[] {1L, 3L}, Long.class))
                .addPositionalParameter(QueryParameterValue.string("zed"))
                .build();
        assertThat(rows(bq.query(config))).containsExactly(List.of("1"), List.of("3"));
    }

    @Test
    void destinationTableWriteDispositions() throws InterruptedException {
        TableId dest = TableId.of("q", "dest");
        bq.query(QueryJobConfiguration.newBuilder("SELECT id, name FROM `test-project.q.people` WHERE id <= 2")
                .setDestinationTable(dest)
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                .setCreateDisposition(JobInfo.CreateDisposition.CREATE_IF_NEEDED)
                .build());
        assertThat(bq.getTable(dest).getNumRows().longValue()).isEqualTo(2);
        bq.query(QueryJobConfiguration.newBuilder("SELECT id, name FROM `test-project.q.people` WHERE id = 3")
                .setDestinationTable(dest)
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_APPEND)
                .build());
        assertThat(bq.getTable(dest).getNumRows().longValue()).isEqualTo(3);
        TableResult truncated = bq.query(QueryJobConfiguration.newBuilder("SELECT 42 AS answer")
                .setDestinationTable(dest)
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                .build());
        assertThat(rows(truncated)).containsExactly(List.of("42"));
        assertThat(bq.getTable(dest).getDefinition().getSchema().getFields()).extracting(f -> f.getName()).containsExactly("answer");
        assertThatThrownBy(() -> bq.query(QueryJobConfiguration.newBuilder("SELECT 1 AS x")
                .setDestinationTable(dest)
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_EMPTY)
                .build()))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("duplicate"));
        assertThatThrownBy(() -> bq.query(QueryJobConfiguration.newBuilder("SELECT 1 AS x")
                .setDestinationTable(TableId.of("q", "never"))
                .setCreateDisposition(JobInfo.CreateDisposition.CREATE_NEVER)
                .build()))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("notFound"));
    }

    @Test
    void partitionDecoratorReplacesOnePartition() throws InterruptedException {
        bq.query(QueryJobConfiguration.newBuilder("SELECT DATE '2024-06-01' AS day, 1 AS v UNION ALL SELECT DATE '2024-06-02', 2")
                .setDestinationTable(TableId.of("q", "daily"))
                .setTimePartitioning(TimePartitioning.newBuilder(TimePartitioning.Type.DAY).setField("day").build())
                .build());
        bq.query(QueryJobConfiguration.newBuilder("SELECT DATE '2024-06-02' AS day, 20 AS v UNION ALL SELECT DATE '2024-06-02', 21")
                .setDestinationTable(TableId.of("q", "daily$20240602"))
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                .build());
        assertThat(rows(run("SELECT day, v FROM q.daily ORDER BY v")))
                .containsExactly(List.of("2024-06-01", "1"), List.of("2024-06-02", "20"), List.of("2024-06-02", "21"));
        assertThat(rows(run("SELECT partition_id, total_rows FROM `test-project.q.INFORMATION_SCHEMA.PARTITIONS`"
                + " WHERE table_name = 'daily' ORDER BY partition_id")))
                .containsExactly(List.of("20240601", "1"), List.of("20240602", "2"));
        assertThatThrownBy(() -> bq.query(QueryJobConfiguration.newBuilder("SELECT DATE '2024-06-03' AS day, 3 AS v")
                .setDestinationTable(TableId.of("q", "daily$20240602"))
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                .build()))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getMessage()).contains("different partitions"));
    }

    @Test
    void dmlReportsAffectedRows() throws InterruptedException {
        run("CREATE TABLE q.counters (k STRING, n INT64)");
        Job insert = bq.create(JobInfo.of(QueryJobConfiguration.of("INSERT q.counters (k, n) VALUES ('a', 1), ('b', 2)"))).waitFor();
        JobStatistics.QueryStatistics stats = insert.getStatistics();
        assertThat(stats.getNumDmlAffectedRows()).isEqualTo(2);
        assertThat(stats.getDmlStats().getInsertedRowCount()).isEqualTo(2);
        QueryJobConfiguration update = QueryJobConfiguration.newBuilder("UPDATE q.counters SET n = n + 1 WHERE k = @k")
                .addNamedParameter("k", QueryParameterValue.string("a"))
                .build();
        Job updated = bq.create(JobInfo.of(update)).waitFor();
        assertThat(((JobStatistics.QueryStatistics) updated.getStatistics()).getNumDmlAffectedRows()).isEqualTo(1);
        assertThat(((JobStatistics.QueryStatistics) updated.getStatistics()).getStatementType())
                .isEqualTo(JobStatistics.QueryStatistics.StatementType.UPDATE);
        TableResult viaQuery = bq.query(QueryJobConfiguration.of("DELETE q.counters WHERE k = 'b'"));
        assertThat(viaQuery.getTotalRows()).isZero();
        run("MERGE q.counters T USING (SELECT 'a' AS k, 10 AS n UNION ALL SELECT 'c', 3) S ON T.k = S.k"
                + " WHEN MATCHED THEN UPDATE SET n = S.n WHEN NOT MATCHED THEN INSERT ROW");
        assertThat(rows(run("SELECT k, n FROM q.counters ORDER BY k"))).containsExactly(List.of("a", "10"), List.of("c", "3"));
    }

    @Test
    void scriptsRunInTransactionsAndAssertFences() throws InterruptedException {
        run("CREATE TABLE q.fenced (v INT64)");
        run("BEGIN TRANSACTION; INSERT INTO q.fenced VALUES (1); INSERT INTO q.fenced VALUES (2); COMMIT TRANSACTION;");
        assertThat(rows(run("SELECT count(*) FROM q.fenced"))).containsExactly(List.of("2"));
        assertThatThrownBy(() -> run("BEGIN TRANSACTION; DELETE FROM q.fenced WHERE true;"
                + " ASSERT (SELECT count(*) FROM q.fenced) > 0 AS 'lock lost'; COMMIT TRANSACTION;"))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getMessage()).contains("lock lost"));
        assertThat(rows(run("SELECT count(*) FROM q.fenced"))).containsExactly(List.of("2"));
        TableResult last = run("INSERT INTO q.fenced VALUES (3); SELECT max(v) AS m FROM q.fenced");
        assertThat(rows(last)).containsExactly(List.of("3"));
    }

    @Test
    void createTableDdlKeepsPartitioningAndClustering() throws InterruptedException {
        run("CREATE OR REPLACE TABLE `test-project.q.ddl_sales` (day DATE, store STRING OPTIONS(description='the store'), amount NUMERIC)"
                + " PARTITION BY day CLUSTER BY store OPTIONS(description='sales')");
        var table = bq.getTable("q", "ddl_sales");
        com.google.cloud.bigquery.StandardTableDefinition def = table.getDefinition();
        assertThat(def.getTimePartitioning().getField()).isEqualTo("day");
        assertThat(def.getClustering().getFields()).containsExactly("store");
        assertThat(def.getSchema().getFields().get("store").getDescription()).isEqualTo("the store");
        assertThat(table.getDescription()).isEqualTo("sales");
        run("CREATE TABLE q.ctas PARTITION BY DATE(at) AS SELECT TIMESTAMP '2024-01-01 05:00:00+00' AS at, count(*) AS n FROM q.people");
        com.google.cloud.bigquery.StandardTableDefinition ctas = bq.getTable("q", "ctas").getDefinition();
        assertThat(ctas.getTimePartitioning().getField()).isEqualTo("at");
        assertThat(ctas.getSchema().getFields().get("n").getType()).isEqualTo(LegacySQLTypeName.INTEGER);
        assertThat(rows(run("SELECT partition_id, total_rows FROM q.INFORMATION_SCHEMA.PARTITIONS WHERE table_name = 'ctas'")))
                .containsExactly(List.of("20240101", "1"));
    }

    @Test
    void dryRunEstimatesBytesAndTheLimitFailsTheJob() throws InterruptedException {
        QueryJobConfiguration dry = QueryJobConfiguration.newBuilder("SELECT id, name FROM `test-project.q.people`").setDryRun(true).build();
        Job job = bq.create(JobInfo.of(dry));
        JobStatistics.QueryStatistics stats = job.getStatistics();
        // 3 INT64 ids (24 bytes) + 'ann', 'bob', "o'neil" (3 + 3 + 6 + 3 * 2 bytes)
        assertThat(stats.getTotalBytesProcessed()).isEqualTo(24 + 18);
        assertThat(stats.getSchema().getFields()).extracting(f -> f.getName()).containsExactly("id", "name");
        long before = server.faults().executedJobs().size();
        assertThatThrownBy(() -> bq.query(QueryJobConfiguration.newBuilder("SELECT id, name FROM `test-project.q.people`")
                .setMaximumBytesBilled(41L).build()))
                .isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getReason()).isEqualTo("bytesBilledLimitExceeded");
                    assertThat(e.getMessage()).contains("Query exceeded limit for bytes billed: 41. 42 or higher required.");
                });
        assertThat(server.faults().executedJobs().size()).isEqualTo(before + 1);
        assertThat(rows(bq.query(QueryJobConfiguration.newBuilder("SELECT id, name FROM `test-project.q.people`")
                .setMaximumBytesBilled(42L).build()))).hasSize(3);
    }

    @Test
    void errorsUseBigQueryReasons() {
        assertThatThrownBy(() -> run("SELECT * FROM q.no_such_table"))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("notFound"));
        assertThatThrownBy(() -> run("SELEC 1"))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("invalidQuery"));
        assertThatThrownBy(() -> bq.create(JobInfo.of(JobId.of("bad job id!"), QueryJobConfiguration.of("SELECT 1"))))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("invalid"));
    }

    @Test
    void resultsPageOverManyRows() throws InterruptedException {
        TableResult result = run("SELECT x, CAST(x AS STRING) AS s FROM UNNEST(GENERATE_ARRAY(1, 10500)) AS x ORDER BY x");
        assertThat(result.getTotalRows()).isEqualTo(10500);
        long expected = 1;
        for (FieldValueList row : result.iterateAll()) {
            assertThat(row.get(0).getLongValue()).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(10501);
        assertThat(server.faults().count("GET", "/data$")).isGreaterThanOrEqualTo(2);
        Job job = bq.create(JobInfo.of(QueryJobConfiguration.of("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 9000)) AS x")));
        TableResult paged = job.getQueryResults(BigQuery.QueryResultsOption.pageSize(1000));
        int n = 0;
        for (FieldValueList ignored : paged.iterateAll()) {
            n++;
        }
        assertThat(n).isEqualTo(9000);
    }

    @Test
    void informationSchemaViews() throws InterruptedException {
        assertThat(rows(run("SELECT column_name, data_type FROM q.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'people' ORDER BY ordinal_position")))
                .startsWith(List.of("id", "INT64"), List.of("name", "STRING"), List.of("score", "FLOAT64"));
        assertThat(rows(run("SELECT table_name FROM `test-project.q.INFORMATION_SCHEMA.TABLES` WHERE table_name = 'people'")))
                .containsExactly(List.of("people"));
    }

    @Test
    void defaultDatasetResolvesBareNames() throws InterruptedException {
        QueryJobConfiguration config = QueryJobConfiguration.newBuilder("SELECT count(*) FROM people WHERE safe_divide(id, 0) IS NULL")
                .setDefaultDataset("q")
                .build();
        assertThat(rows(bq.query(config))).containsExactly(List.of("3"));
    }
}
