package io.convergence.engine.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformRunnerTest {
    @TempDir
    Path tmp;
    StepFixture f;

    @BeforeEach
    void setUp() {
        f = new StepFixture(tmp);
        f.warehouse.ensureDataset("acme_raw");
        f.warehouse.createOrReplaceTable(f.names.resolve("raw.orders"), f.warehouse.compile(
                "SELECT 1 AS order_id, DATE '2024-03-01' AS order_date, 10 AS amount UNION ALL SELECT 2, DATE '2024-03-01', 20"
                        + " UNION ALL SELECT 3, DATE '2024-03-02', 30 UNION ALL SELECT 4, DATE '2024-03-03', 40",
                f.names, Map.of()), new CancellationToken());
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static TransformStep transform(String sqlFile, WriteMode write, PartitionBy partitionBy) {
        return new TransformStep("sales_by_day", null, List.of(), 0, null, sqlFile, "mart.sales_by_day", write, partitionBy, List.of("order_date"));
    }

    private static final String DAILY = """
            -- sales per day of the partition
            SELECT order_date, SUM(amount) AS total, COUNT(*) AS orders
            FROM {{ ref('raw.orders') }}
            WHERE order_date >= @partition_start AND order_date < @partition_end
            GROUP BY order_date
            """;

    @Test
    void appendAddsRowsAndBindsDeclaredParameters() {
        f.write("sql/big.sql", "SELECT order_id, amount FROM {{ ref('raw.orders') }} WHERE amount >= @min_amount");
        TransformStep step = new TransformStep("big", null, List.of(), 0, null, "sql/big.sql", "mart.big_orders", WriteMode.APPEND, null, List.of());
        Map<String, ParameterValue> params = Map.of("min_amount", new ParameterValue(ParameterType.INT64, 30L));
        assertThat(f.run(step, Optional.empty(), params).rows()).isEqualTo(2);
        assertThat(f.run(step, Optional.empty(), params).rows()).isEqualTo(2);
        assertThat(f.count("mart.big_orders")).isEqualTo(4);
    }

    @Test
    void replaceSwapsTheTable() {
        f.write("sql/all.sql", "SELECT order_date, SUM(amount) AS total FROM {{ ref('raw.orders') }} GROUP BY order_date");
        TransformStep step = transform("sql/all.sql", WriteMode.REPLACE, null);
        StepResult first = f.run(step);
        assertThat(first.rows()).isEqualTo(3);
        assertThat(first.details()).containsEntry("target", "acme_mart.sales_by_day").containsEntry("write", "replace");
        f.write("sql/all.sql", "SELECT order_date, SUM(amount) AS total FROM {{ ref('raw.orders') }} WHERE amount > 15 GROUP BY order_date");
        assertThat(f.run(step).rows()).isEqualTo(3);
        assertThat(f.rows("SELECT order_date, total FROM {{ ref('mart.sales_by_day') }} ORDER BY order_date")).containsExactly(
                List.of(LocalDate.parse("2024-03-01"), 20L), List.of(LocalDate.parse("2024-03-02"), 30L),
                List.of(LocalDate.parse("2024-03-03"), 40L));
        assertThat(f.warehouse.listTables("acme_mart")).containsExactly("sales_by_day");
    }

    @Test
    void replacePartitionsTouchesOnlyTheRunsPartition() {
        f.write("sql/daily.sql", DAILY);
        TransformStep step = transform("sql/daily.sql", WriteMode.REPLACE_PARTITIONS, new PartitionBy("order_date", PartitionGrain.DAY));
        for (String day : List.of("2024-03-01", "2024-03-02", "2024-03-03")) {
            f.run(step, StepFixture.day(day), Map.of());
        }
        assertThat(f.rows("SELECT order_date, total, orders FROM {{ ref('mart.sales_by_day') }} ORDER BY order_date")).containsExactly(
                List.of(LocalDate.parse("2024-03-01"), 30L, 2L), List.of(LocalDate.parse("2024-03-02"), 30L, 1L),
                List.of(LocalDate.parse("2024-03-03"), 40L, 1L));

        // late data for 03-02 arrives; only that partition is recomputed
        f.warehouse.execute(f.warehouse.compile("INSERT INTO {{ ref('raw.orders') }} VALUES (5, DATE '2024-03-02', 5), (6, DATE '2024-03-01', 1000)",
                f.names, Map.of()), new CancellationToken());
        StepResult result = f.run(step, StepFixture.day("2024-03-02"), Map.of());
        assertThat(result.rows()).isEqualTo(1);
        assertThat(result.details()).containsEntry("partition", "2024-03-02");
        assertThat(f.rows("SELECT order_date, total, orders FROM {{ ref('mart.sales_by_day') }} ORDER BY order_date")).containsExactly(
                List.of(LocalDate.parse("2024-03-01"), 30L, 2L), List.of(LocalDate.parse("2024-03-02"), 35L, 2L),
                List.of(LocalDate.parse("2024-03-03"), 40L, 1L));
        assertThat(f.warehouse.listTables("acme_mart")).containsExactly("sales_by_day");
    }

    @Test
    void rowsOutsideThePartitionFailAndChangeNothing() {
        f.write("sql/daily.sql", DAILY);
        TransformStep step = transform("sql/daily.sql", WriteMode.REPLACE_PARTITIONS, new PartitionBy("order_date", PartitionGrain.DAY));
        f.run(step, StepFixture.day("2024-03-01"), Map.of());
        List<List<Object>> before = f.rows("SELECT * FROM {{ ref('mart.sales_by_day') }} ORDER BY order_date");

        f.write("sql/daily.sql", "SELECT order_date, SUM(amount) AS total, COUNT(*) AS orders FROM {{ ref('raw.orders') }} GROUP BY order_date");
        assertThatThrownBy(() -> f.run(step, StepFixture.day("2024-03-01"), Map.of()))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_FAILED))
                .hasMessageContaining("2 rows of the query fall outside partition 2024-03-01")
                .hasMessageContaining("2024-03-02").hasMessageContaining("@partition_start");
        assertThat(f.rows("SELECT * FROM {{ ref('mart.sales_by_day') }} ORDER BY order_date")).isEqualTo(before);
        assertThat(f.warehouse.listTables("acme_mart")).containsExactly("sales_by_day");
    }

    @Test
    void hourlyPartitionsBindTimestamps() {
        f.warehouse.createOrReplaceTable(f.names.resolve("raw.clicks"), f.warehouse.compile("""
                SELECT TIMESTAMP '2024-03-01 10:15:00+00' AS at_ts, 1 AS n UNION ALL SELECT TIMESTAMP '2024-03-01 10:45:00+00', 2
                UNION ALL SELECT TIMESTAMP '2024-03-01 11:05:00+00', 4
                """, f.names, Map.of()), new CancellationToken());
        f.write("sql/hourly.sql", """
                SELECT TIMESTAMP_TRUNC(at_ts, HOUR) AS hour, SUM(n) AS clicks FROM {{ ref('raw.clicks') }}
                WHERE at_ts >= @partition_start AND at_ts < @partition_end GROUP BY 1
                """);
        TransformStep step = new TransformStep("hourly", null, List.of(), 0, null, "sql/hourly.sql", "mart.clicks_hourly",
                WriteMode.REPLACE_PARTITIONS, new PartitionBy("hour", PartitionGrain.HOUR), List.of());
        PartitionWindow ten = new PartitionWindow("2024-03-01T10", PartitionGrain.HOUR, LocalDateTime.parse("2024-03-01T10:00"),
                LocalDateTime.parse("2024-03-01T11:00"));
        f.run(step, Optional.of(ten), Map.of());
        assertThat(f.rows("SELECT hour, clicks FROM {{ ref('mart.clicks_hourly') }}"))
                .containsExactly(List.of(Instant.parse("2024-03-01T10:00:00Z"), 3L));
    }

    @Test
    void sqlErrorsPointAtTheUsersFileLineAndColumnInEveryWriteMode() {
        // "amount" appears three times; the second one, on line 3, names a table alias that does not exist
        f.write("sql/typo.sql", """
                -- totals per day
                SELECT o.order_date, SUM(o.amount) AS amount,
                       MAX(x.amount) AS biggest
                FROM {{ ref('raw.orders') }} AS o
                WHERE o.order_date >= @partition_start AND o.order_date < @partition_end
                GROUP BY o.order_date
                """);
        for (WriteMode write : WriteMode.values()) {
            PartitionBy partitionBy = write == WriteMode.REPLACE_PARTITIONS ? new PartitionBy("order_date", PartitionGrain.DAY) : null;
            assertThatThrownBy(() -> f.run(transform("sql/typo.sql", write, partitionBy), StepFixture.day("2024-03-01"), Map.of()))
                    .as(write.name())
                    .isInstanceOfSatisfying(ConvergenceException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR);
                        assertThat(e.getMessage()).startsWith("sql/typo.sql:3:12: ")
                                .contains("x.amount")
                                .endsWith("  3 |        MAX(x.amount) AS biggest\n    |            ^")
                                // the excerpt of Convergence's own statement (staging table names) is gone
                                .doesNotContain("_cvg_stage").doesNotContain("LINE 3:");
                    });
        }
        assertThat(f.warehouse.listTables("acme_mart")).isEmpty();
    }

    @Test
    void userMistakesAreClearErrors() {
        f.write("sql/raw.sql", "SELECT *\nFROM raw.orders");
        assertThatThrownBy(() -> f.run(transform("sql/raw.sql", WriteMode.REPLACE, null)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("raw.sql:2:6").hasMessageContaining("{{ ref('dataset.table') }}");
        f.write("sql/param.sql", "SELECT * FROM {{ ref('raw.orders') }} WHERE amount > @undeclared");
        assertThatThrownBy(() -> f.run(transform("sql/param.sql", WriteMode.REPLACE, null)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PARAMETER_INVALID))
                .hasMessageContaining("@undeclared");
        assertThatThrownBy(() -> f.run(transform("sql/missing.sql", WriteMode.REPLACE, null)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        f.write("sql/daily.sql", DAILY);
        assertThatThrownBy(() -> f.run(transform("sql/daily.sql", WriteMode.REPLACE_PARTITIONS, new PartitionBy("order_date", PartitionGrain.DAY))))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("the run has none");
        assertThatThrownBy(() -> f.run(transform("sql/daily.sql", WriteMode.REPLACE_PARTITIONS, new PartitionBy("day", PartitionGrain.DAY)),
                StepFixture.day("2024-03-01"), Map.of()))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("no column 'day'");
        f.write("sql/broken.sql", "SELECT nope FROM {{ ref('raw.orders') }}");
        assertThatThrownBy(() -> f.run(transform("sql/broken.sql", WriteMode.REPLACE, null)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR))
                .hasMessageContaining("nope");
        assertThat(f.warehouse.listTables("acme_mart")).isEmpty();
    }
}
