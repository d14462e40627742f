package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.TableResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BigQuery SQL the project's warehouse, lock table and history emit, run through the server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BigQueryTestServerSqlTest {
    private BigQueryTestServer server;
    private BigQuery bq;

    @BeforeAll
    void start() throws InterruptedException {
        server = BigQueryTestServer.start(0, null);
        bq = server.bigQuery("p");
        bq.create(DatasetInfo.of("d"));
        run("CREATE TABLE `p.d.t` (k STRING, v INT64, day DATE, ts TIMESTAMP) PARTITION BY day");
        run("INSERT INTO `p.d.t` VALUES ('a', 1, '2024-06-01', '2024-06-01 10:00:00+00'), ('a', 2, '2024-06-02', '2024-06-02 10:00:00+00'),"
                + " ('b', 3, '2024-06-02', '2024-06-02 11:00:00+00'), ('c', NULL, '2024-06-03', NULL)");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private TableResult run(String sql) throws InterruptedException {
        return bq.query(QueryJobConfiguration.of(sql));
    }

    private List<List<String>> rows(TableResult result) {
        List<List<String>> out = new ArrayList<>();
        for (FieldValueList row : result.iterateAll()) {
            List<String> values = new ArrayList<>();
            for (FieldValue v : row) {
                values.add(v.isNull() ? null : v.getAttribute() == FieldValue.Attribute.PRIMITIVE ? v.getStringValue() : v.getValue().toString());
            }
            out.add(values);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT * EXCEPT (ts) FROM `p.d.t` WHERE day BETWEEN '2024-06-01' AND '2024-06-02'",
        "SELECT k, COUNTIF(v IS NULL) AS nulls, APPROX_COUNT_DISTINCT(v) AS dv, ANY_VALUE(day) AS d FROM `p.d.t` GROUP BY k",
        "SELECT * FROM `p.d.t` WHERE true QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) = 1",
        "SELECT FORMAT_DATE('%Y%m%d', day), DATE_TRUNC(day, MONTH), DATE_DIFF(day, DATE '2024-01-01', DAY) FROM `p.d.t`",
        "SELECT CURRENT_TIMESTAMP(), CURRENT_DATE(), GENERATE_UUID(), TO_JSON_STRING([1, 2])",
        "SELECT SAFE_CAST('x' AS INT64), SAFE_DIVIDE(1, 0), IFNULL(v, 0), COALESCE(v, -1) FROM `p.d.t`",
        "SELECT ARRAY_AGG(v ORDER BY v) FROM `p.d.t` WHERE v IS NOT NULL",
        "SELECT * FROM `p.d.t` ORDER BY RAND() LIMIT 2",
        "SELECT * FROM `p.d.t` TABLESAMPLE SYSTEM (50 PERCENT)",
        "SELECT TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 30 SECOND) > CURRENT_TIMESTAMP()",
        "SELECT COUNT(*) FROM `p.d.t` WHERE ts < TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY)",
        "SELECT table_name, partition_id, total_rows FROM `p.d.INFORMATION_SCHEMA.PARTITIONS` ORDER BY partition_id",
        "SELECT column_name, data_type, is_partitioning_column FROM `p`.d.INFORMATION_SCHEMA.COLUMNS",
        "SELECT schema_name, location FROM `p.INFORMATION_SCHEMA.SCHEMATA`",
        "WITH x AS (SELECT k, SUM(v) AS s FROM `p.d.t` GROUP BY k) SELECT * FROM x LEFT JOIN `p.d.t` USING (k)",
    })
    void runs(String sql) throws InterruptedException {
        assertThat(run(sql).getTotalRows()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void nestedResultsAreRepeatedAndRecordCells() throws InterruptedException {
        run("CREATE TABLE d.nested (id INT64, s STRUCT<a INT64, b STRING>, rs ARRAY<STRUCT<n INT64>>)");
        bq.insertAll(com.google.cloud.bigquery.InsertAllRequest.newBuilder(com.google.cloud.bigquery.TableId.of("d", "nested"))
                .addRow(java.util.Map.of("id", 1, "s", java.util.Map.of("a", 1, "b", "x"), "rs", List.of(java.util.Map.of("n", 5))))
                .build());
        TableResult r = run("SELECT [1, 2, 3] AS arr, s, rs FROM d.nested");
        FieldValueList row = r.iterateAll().iterator().next();
        assertThat(row.get("arr").getRepeatedValue()).extracting(FieldValue::getLongValue).containsExactly(1L, 2L, 3L);
        assertThat(row.get("s").getRecordValue().get(1).getStringValue()).isEqualTo("x");
        assertThat(row.get("rs").getRepeatedValue().get(0).getRecordValue().get(0).getLongValue()).isEqualTo(5L);
    }

    @Test
    void lockTableStatements() throws InterruptedException {
        run("CREATE SCHEMA IF NOT EXISTS `p.meta` OPTIONS (location = 'EU')");
        assertThat(bq.getDataset("meta").getLocation()).isEqualTo("EU");
        run("CREATE TABLE IF NOT EXISTS `p.meta.locks` (key STRING NOT NULL, owner STRING, epoch INT64 NOT NULL, expires_at TIMESTAMP)");
        run("CREATE TABLE IF NOT EXISTS `p.meta.locks` (key STRING NOT NULL, owner STRING, epoch INT64 NOT NULL, expires_at TIMESTAMP)");
        QueryJobConfiguration seed = QueryJobConfiguration.newBuilder("INSERT INTO `p.meta.locks` (key, epoch)"
                        + " SELECT @key, 0 FROM UNNEST([1]) WHERE NOT EXISTS (SELECT 1 FROM `p.meta.locks` WHERE key = @key)")
                .addNamedParameter("key", QueryParameterValue.string("acme/sales"))
                .build();
        bq.query(seed);
        bq.query(seed);
        QueryJobConfiguration acquire = QueryJobConfiguration.newBuilder("UPDATE `p.meta.locks` SET owner = @owner, epoch = epoch + 1,"
                        + " expires_at = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL @ttl SECOND)"
                        + " WHERE key = @key AND (owner IS NULL OR expires_at < CURRENT_TIMESTAMP())")
                .addNamedParameter("owner", QueryParameterValue.string("host-1"))
                .addNamedParameter("ttl", QueryParameterValue.int64(60))
                .addNamedParameter("key", QueryParameterValue.string("acme/sales"))
                .build();
        com.google.cloud.bigquery.Job first = bq.create(com.google.cloud.bigquery.JobInfo.of(acquire)).waitFor();
        assertThat(((com.google.cloud.bigquery.JobStatistics.QueryStatistics) first.getStatistics()).getNumDmlAffectedRows()).isEqualTo(1);
        com.google.cloud.bigquery.Job second = bq.create(com.google.cloud.bigquery.JobInfo.of(acquire)).waitFor();
        assertThat(((com.google.cloud.bigquery.JobStatistics.QueryStatistics) second.getStatistics()).getNumDmlAffectedRows()).isZero();
        assertThat(rows(run("SELECT key, owner, epoch FROM `p.meta.locks`"))).containsExactly(List.of("acme/sales", "host-1", "1"));
    }

    @Test
    void partitionReplaceByMergeAndByDeleteInsert() throws InterruptedException {
        run("CREATE TABLE d.target (k STRING, v INT64, day DATE) PARTITION BY day");
        run("INSERT INTO d.target VALUES ('x', 1, '2024-06-01'), ('y', 2, '2024-06-02'), ('z', 3, '2024-06-02')");
        run("CREATE TABLE d.staging AS SELECT 'n' AS k, 9 AS v, DATE '2024-06-02' AS day");
        QueryJobConfiguration merge = QueryJobConfiguration.newBuilder("MERGE `p.d.target` T USING `p.d.staging` S ON FALSE"
                        + " WHEN NOT MATCHED BY SOURCE AND T.day BETWEEN @from AND @to THEN DELETE"
                        + " WHEN NOT MATCHED BY TARGET THEN INSERT ROW")
                .addNamedParameter("from", QueryParameterValue.date("2024-06-02"))
                .addNamedParameter("to", QueryParameterValue.date("2024-06-02"))
                .build();
        bq.query(merge);
        assertThat(rows(run("SELECT k, v FROM d.target ORDER BY k"))).containsExactly(List.of("n", "9"), List.of("x", "1"));
        run("BEGIN TRANSACTION;"
                + " DELETE FROM `p.d.target` WHERE day = '2024-06-01';"
                + " INSERT INTO `p.d.target` (k, v, day) SELECT k, v + 1, DATE '2024-06-01' FROM `p.d.staging`;"
                + " COMMIT TRANSACTION;");
        assertThat(rows(run("SELECT k, v, CAST(day AS STRING) FROM d.target ORDER BY day, k")))
                .containsExactly(List.of("n", "10", "2024-06-01"), List.of("n", "9", "2024-06-02"));
        run("TRUNCATE TABLE d.staging");
        run("ALTER TABLE d.staging ADD COLUMN IF NOT EXISTS note STRING");
        run("DROP TABLE IF EXISTS `p.d.staging`");
        assertThat(bq.getTable("d", "staging")).isNull();
    }

    @Test
    void tempTablesLiveForTheScript() throws InterruptedException {
        TableResult r = run("CREATE TEMP TABLE scratch AS SELECT v FROM `p.d.t` WHERE v IS NOT NULL; SELECT SUM(v) AS s FROM scratch");
        assertThat(rows(r)).containsExactly(List.of("6"));
    }
}
