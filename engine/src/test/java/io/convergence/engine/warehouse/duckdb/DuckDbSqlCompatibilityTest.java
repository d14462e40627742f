package io.convergence.engine.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.warehouse.TableNames;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BigQuery SQL run on DuckDB through the translator and the macro pack: each row of the table in
 * docs/sql-compatibility.md has a case here that checks the value, not just that it parses.
 */
class DuckDbSqlCompatibilityTest {
    @TempDir
    static Path dir;
    static DuckDbWarehouse warehouse;
    static TableNames names;

    @BeforeAll
    static void open() {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"), 1, null);
        names = new TableNames("acme", "{tenant}_{dataset}", warehouse.dialect());
    }

    @AfterAll
    static void close() {
        warehouse.close();
    }

    private static Object eval(String bigQueryExpression) {
        return warehouse.query(warehouse.compile("SELECT " + bigQueryExpression, names, Map.of()), 1, new CancellationToken()).scalar();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SAFE_DIVIDE(6, 3)                                            | 2.0
            ROUND(LOG(EXP(2.0)), 9)                                      | 2.0
            LOG(100.0, 10.0)                                             | 2.0
            TO_HEX(MD5('Hello World'))                                   | b10a8db164e0754105b7a99be72e3fe5
            TO_HEX(SHA1('Hello World'))                                  | 0a4d55a8d778e5022fab701977c5d840bbc486d0
            TO_HEX(SHA256('abc'))                                        | ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
            SAFE_DIVIDE(1, 0) IS NULL                                    | true
            IEEE_DIVIDE(1, 0) > 1e300                                    | true
            SAFE_ADD(9223372036854775807, 1) IS NULL                     | true
            DIV(7, 2)                                                    | 3
            IFNULL(NULL, 'x')                                            | x
            IF(1 > 2, 'a', 'b')                                          | b
            SAFE_CAST('x' AS INT64) IS NULL                              | true
            CAST('12' AS INT64) + 1                                      | 13
            CAST(1.5 AS STRING)                                          | 1.5
            CAST('1.25' AS NUMERIC)                                      | 1.250000000
            DATE_TRUNC(DATE '2024-03-06', MONTH)                         | 2024-03-01
            DATE_TRUNC(DATE '2024-03-06', WEEK)                          | 2024-03-03
            DATE_TRUNC(DATE '2024-03-06', WEEK(MONDAY))                  | 2024-03-04
            DATE_TRUNC(DATE '2024-03-06', ISOWEEK)                       | 2024-03-04
            DATE_TRUNC(DATE '2024-05-06', QUARTER)                       | 2024-04-01
            DATE_TRUNC(DATE '2024-05-06', YEAR)                          | 2024-01-01
            DATE_ADD(DATE '2024-01-31', INTERVAL 1 MONTH)                | 2024-02-29
            DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY)                  | 2024-02-29
            DATE_ADD(DATE '2024-03-01', INTERVAL 2 WEEK)                 | 2024-03-15
            DATE_DIFF(DATE '2024-03-01', DATE '2024-02-01', DAY)         | 29
            DATE_DIFF(DATE '2024-03-10', DATE '2024-03-02', WEEK)        | 2
            DATE_DIFF(DATE '2025-01-01', DATE '2024-12-31', YEAR)        | 1
            FORMAT_DATE('%Y%m%d', DATE '2024-03-05')                     | 20240305
            PARSE_DATE('%Y%m%d', '20240305')                             | 2024-03-05
            EXTRACT(DAYOFWEEK FROM DATE '2024-03-03')                    | 1
            EXTRACT(MONTH FROM DATE '2024-03-03')                        | 3
            DATE(2024, 3, 5)                                             | 2024-03-05
            DATE(TIMESTAMP '2024-03-05 23:30:00+00')                     | 2024-03-05
            UNIX_DATE(DATE '1970-01-11')                                 | 10
            DATE_FROM_UNIX_DATE(10)                                      | 1970-01-11
            CURRENT_DATE() = CURRENT_DATE()                              | true
            LOGICAL_AND(x > 0) FROM UNNEST([1, 2]) AS x                  | true
            LOGICAL_OR(x > 1) FROM UNNEST([1, 2]) AS x                   | true
            COUNTIF(x > 1) FROM UNNEST([1, 2, 3]) AS x                   | 2
            STRING_AGG(s, ',' ORDER BY s) FROM UNNEST(['b', 'a']) AS s   | a,b
            ARRAY_TO_STRING(ARRAY_AGG(x ORDER BY x DESC), '-') FROM UNNEST([1, 3, 2]) AS x | 3-2-1
            ARRAY_LENGTH(GENERATE_DATE_ARRAY(DATE '2024-01-30', DATE '2024-02-02')) | 4
            ARRAY_LENGTH(GENERATE_DATE_ARRAY(DATE '2024-01-01', DATE '2024-01-31', INTERVAL 1 WEEK)) | 5
            ARRAY_LENGTH(GENERATE_ARRAY(1, 10, 3))                       | 4
            GENERATE_DATE_ARRAY(DATE '2024-01-30', DATE '2024-02-02')[OFFSET(2)] | 2024-02-01
            [10, 20, 30][ORDINAL(1)]                                     | 10
            [10, 20, 30][SAFE_OFFSET(7)] IS NULL                         | true
            REGEXP_CONTAINS('abc', r'^a.c$')                             | true
            TO_JSON_STRING([1, 2])                                       | [1,2]
            JSON_EXTRACT_SCALAR('{"a": {"b": "x"}}', '$.a.b')            | x
            BYTE_LENGTH('é')                                             | 2
            "double quoted is a string"                                  | double quoted is a string
            count(*) FROM UNNEST([1, 2, 3]) AS x WHERE x IN UNNEST([2, 3]) | 2
            """)
    void expressionMatchesBigQuery(String expression, String expected) {
        Object v = eval(expression);
        assertThat(v == null ? "null" : v.toString()).isEqualTo(expected);
    }

    @Test
    void timestampsAreUtcInstants() {
        assertThat(eval("TIMESTAMP_TRUNC(TIMESTAMP '2024-03-05 10:45:00+02', HOUR)")).isEqualTo(Instant.parse("2024-03-05T08:00:00Z"));
        assertThat(eval("TIMESTAMP_DIFF(TIMESTAMP '2024-01-01 12:00:00+00', TIMESTAMP '2024-01-01 10:30:00+00', HOUR)")).isEqualTo(1L);
        assertThat(eval("TIMESTAMP_ADD(TIMESTAMP '2024-01-01 23:00:00+00', INTERVAL 2 HOUR)")).isEqualTo(Instant.parse("2024-01-02T01:00:00Z"));
        assertThat(eval("TIMESTAMP('2024-03-05 10:00:00')")).isEqualTo(Instant.parse("2024-03-05T10:00:00Z"));
        assertThat(eval("PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S%z', '2024-03-05 10:00:00+0200')")).isEqualTo(Instant.parse("2024-03-05T08:00:00Z"));
        assertThat(eval("FORMAT_TIMESTAMP('%H:%M', TIMESTAMP '2024-03-05 10:07:00+00')")).isEqualTo("10:07");
        assertThat(eval("UNIX_SECONDS(TIMESTAMP '1970-01-01 00:01:40+00')")).isEqualTo(100L);
        assertThat(eval("TIMESTAMP_SECONDS(100)")).isEqualTo(Instant.parse("1970-01-01T00:01:40Z"));
        assertThat(eval("DATETIME_TRUNC(DATETIME '2024-03-05 10:45:00', DAY)")).isEqualTo(java.time.LocalDateTime.parse("2024-03-05T00:00:00"));
        assertThat(eval("EXTRACT(DATE FROM TIMESTAMP '2024-03-05 10:00:00+00')")).isEqualTo(LocalDate.parse("2024-03-05"));
    }

    @Test
    void queriesWithUnnestExceptAndBackticksRun() {
        List<List<Object>> rows = warehouse.query(warehouse.compile("""
                # a BigQuery comment
                WITH days AS (SELECT d, 1 AS one, 'x' AS `label` FROM UNNEST(GENERATE_DATE_ARRAY(DATE '2024-01-01', DATE '2024-01-03')) AS d)
                SELECT * EXCEPT (one) FROM days ORDER BY d
                """, names, Map.of()), 10, new CancellationToken()).rows();
        assertThat(rows).containsExactly(List.of(LocalDate.parse("2024-01-01"), "x"), List.of(LocalDate.parse("2024-01-02"), "x"),
                List.of(LocalDate.parse("2024-01-03"), "x"));
        assertThat(eval("CAST(CAST('2.5' AS NUMERIC) AS FLOAT64)")).isEqualTo(2.5);
        assertThat(eval("CAST('3.14159' AS NUMERIC(5, 2))")).isEqualTo(new BigDecimal("3.14"));
    }

    @Test
    void noMacroShadowsADuckDbBuiltIn() throws Exception {
        List<String> clashes = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM duckdb_functions() WHERE lower(function_name) = lower(?)")) {
            for (DuckDbMacros.Macro m : DuckDbMacros.ALL) {
                ps.setString(1, m.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        clashes.add(m.name());
                    }
                }
            }
        }
        assertThat(clashes).isEmpty();
    }
}
