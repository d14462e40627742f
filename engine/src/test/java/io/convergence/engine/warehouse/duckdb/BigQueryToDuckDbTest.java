package io.convergence.engine.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.sql.SqlLexer;
import io.convergence.engine.sql.SqlTemplate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class BigQueryToDuckDbTest {
    private static String t(String sql) {
        return BigQueryToDuckDb.translate(sql);
    }

    @Test
    void rewritesStringLiteralsToDuckDbQuoting() {
        assertThat(t("SELECT \"abc\", 'it\\'s', \"say \\\"hi\\\"\"")).isEqualTo("SELECT 'abc', 'it''s', 'say \"hi\"'");
        assertThat(t("SELECT r'\\d+', 'a\\nb', '''x'y'''")).isEqualTo("SELECT E'\\\\d+', E'a\\x0Ab', 'x''y'");
        assertThat(t("SELECT '\\u00e9\\x41'")).isEqualTo("SELECT 'éA'");
        assertThat(t("SELECT b'a\\x00'")).isEqualTo("SELECT CAST('a\\x00' AS BLOB)");
    }

    @Test
    void leavesLiteralsCommentsTemplatesAndParametersAlone() {
        String sql = """
                -- DATE_ADD(x, INTERVAL 1 DAY) in a comment
                /* SAFE_CAST(y AS INT64) */
                SELECT 'SAFE_CAST(z AS INT64)', @run_date, @@script.x
                FROM {{ ref('raw.orders') }} # trailing hash comment
                """;
        assertThat(t(sql)).isEqualTo("""
                -- DATE_ADD(x, INTERVAL 1 DAY) in a comment
                /* SAFE_CAST(y AS INT64) */
                SELECT 'SAFE_CAST(z AS INT64)', @run_date, @@script.x
                FROM {{ ref('raw.orders') }} -- trailing hash comment
                """);
    }

    @Test
    void rewritesBacktickIdentifiers() {
        assertThat(t("SELECT `order`, t.`weird\"name` FROM `a.b`")).isEqualTo("SELECT \"order\", t.\"weird\"\"name\" FROM \"a\".\"b\"");
    }

    @Test
    void rewritesCastsAndTypeNames() {
        assertThat(t("SELECT SAFE_CAST(x AS INT64), CAST(y AS FLOAT64), cast(z as string)"))
                .isEqualTo("SELECT TRY_CAST(x AS BIGINT), CAST(y AS DOUBLE), cast(z AS VARCHAR)");
        assertThat(t("SELECT CAST(a AS NUMERIC), CAST(b AS NUMERIC(10, 2)), CAST(c AS BOOL), CAST(d AS DATETIME), CAST(e AS TIMESTAMP)"))
                .isEqualTo("SELECT CAST(a AS DECIMAL(38,9)), CAST(b AS DECIMAL(10, 2)), CAST(c AS BOOLEAN), CAST(d AS TIMESTAMP), CAST(e AS TIMESTAMPTZ)");
        assertThat(t("SELECT CAST(j AS ARRAY<STRUCT<a INT64, b STRING>>)"))
                .isEqualTo("SELECT CAST(j AS STRUCT(a BIGINT, b VARCHAR)[])");
        assertThat(t("SELECT CAST(CAST(x AS STRING) AS BYTES)")).isEqualTo("SELECT CAST(CAST(x AS VARCHAR) AS BLOB)");
        assertThat(t("SELECT NUMERIC '1.5', TIMESTAMP '2024-01-01 10:00:00+02', DATETIME '2024-01-01 10:00:00'"))
                .isEqualTo("SELECT CAST('1.5' AS DECIMAL(38,9)), CAST('2024-01-01 10:00:00+02' AS TIMESTAMPTZ), CAST('2024-01-01 10:00:00' AS TIMESTAMP)");
    }

    @Test
    void rewritesDateFunctions() {
        assertThat(t("SELECT DATE_TRUNC(d, MONTH), DATE_TRUNC(d, WEEK), DATE_TRUNC(d, WEEK(MONDAY)), DATE_TRUNC(d, ISOWEEK)"))
                .isEqualTo("SELECT date_trunc('month', d), bq_date_trunc_week(d, 0), bq_date_trunc_week(d, 1), date_trunc('week', d)");
        assertThat(t("SELECT TIMESTAMP_TRUNC(ts, HOUR), DATETIME_TRUNC(dt, DAY)"))
                .isEqualTo("SELECT date_trunc('hour', ts), CAST(date_trunc('day', dt) AS TIMESTAMP)");
        assertThat(t("SELECT DATE_ADD(@run_date, INTERVAL @n DAY), DATE_SUB(d, INTERVAL 1 MONTH)"))
                .isEqualTo("SELECT CAST((@run_date) + INTERVAL (@n) DAY AS DATE), CAST((d) - INTERVAL (1) MONTH AS DATE)");
        assertThat(t("SELECT TIMESTAMP_ADD(ts, INTERVAL 2 HOUR)")).isEqualTo("SELECT ((ts) + INTERVAL (2) HOUR)");
        assertThat(t("SELECT DATE_DIFF(a, b, DAY), TIMESTAMP_DIFF(x, y, MINUTE), DATE_DIFF(a, b, WEEK)"))
                .isEqualTo("SELECT date_diff('day', b, a), date_sub('minute', y, x), bq_week_diff(a, b, 0)");
        assertThat(t("SELECT CURRENT_DATE(), CURRENT_TIMESTAMP(), CURRENT_DATETIME()"))
                .isEqualTo("SELECT current_date, current_timestamp, CAST(current_timestamp AS TIMESTAMP)");
        assertThat(t("SELECT EXTRACT(DAYOFWEEK FROM d), EXTRACT(YEAR FROM d)"))
                .isEqualTo("SELECT (CAST(extract(dow FROM d) AS BIGINT) + 1), EXTRACT(YEAR FROM d)");
        assertThat(t("SELECT DATE(2024, 1, 2), DATE(ts), t.date(x)")).isEqualTo("SELECT bq_date(2024, 1, 2), bq_date(ts), t.date(x)");
    }

    @Test
    void nestedCallsAreRewrittenInsideOut() {
        assertThat(t("SELECT DATE_ADD(DATE_TRUNC(SAFE_CAST(s AS DATE), MONTH), INTERVAL 1 MONTH)"))
                .isEqualTo("SELECT CAST((date_trunc('month', TRY_CAST(s AS DATE))) + INTERVAL (1) MONTH AS DATE)");
    }

    @Test
    void rewritesSelectExceptUnnestAndOffsets() {
        assertThat(t("SELECT * EXCEPT (a, b) FROM t")).isEqualTo("SELECT * EXCLUDE (a, b) FROM t");
        assertThat(t("SELECT a FROM t EXCEPT DISTINCT SELECT a FROM u")).isEqualTo("SELECT a FROM t EXCEPT DISTINCT SELECT a FROM u");
        assertThat(t("SELECT d FROM UNNEST(GENERATE_DATE_ARRAY(a, b)) AS d")).isEqualTo("SELECT d FROM UNNEST(GENERATE_DATE_ARRAY(a, b)) AS d(d)");
        assertThat(t("SELECT x FROM t CROSS JOIN UNNEST(t.items) item WHERE y IN UNNEST(@ids)"))
                .isEqualTo("SELECT x FROM t CROSS JOIN UNNEST(t.items) item(item) WHERE y IN (SELECT unnest(@ids))");
        assertThat(t("SELECT arr[OFFSET(0)], arr[SAFE_ORDINAL(2)] FROM t LIMIT 5 OFFSET 2"))
                .isEqualTo("SELECT arr[1 + (0)], arr[(2)] FROM t LIMIT 5 OFFSET 2");
    }

    @Test
    void unknownConstructsPassThrough() {
        String sql = "SELECT SAFE.PARSE_DATE('%Y', x), STRUCT(1 AS a), DATE_ADD(d) FROM t WINDOW w AS (PARTITION BY a)";
        assertThat(t(sql)).isEqualTo(sql);
    }

    @Test
    void templatesSurviveForSqlTemplate() {
        String translated = t("SELECT \"x\\\\\", 'y' FROM {{ ref('raw.orders') }} WHERE d = @run_date AND s = 'a\\\\'");
        SqlTemplate template = SqlTemplate.parse(translated);
        assertThat(template.refs()).extracting(SqlTemplate.Ref::target).containsExactly("raw.orders");
        assertThat(template.parameterNames()).containsExactly("run_date");
    }

    @Property(tries = 200)
    void lexingKeepsEveryCharacter(@ForAll @StringLength(max = 60)
                                   @Chars({'\'', '"', '`', '\\', '\n', '#', '-', '/', '*', '{', '}', '@', '(', ')', ',', ' '})
                                   @CharRange(from = 'a', to = 'e') String sql) {
        String joined = SqlLexer.tokenize(sql).stream().map(SqlLexer.Token::text).collect(Collectors.joining());
        assertThat(joined).isEqualTo(sql);
    }

    @Property(tries = 60)
    void aStringLiteralKeepsItsValue(@ForAll @StringLength(max = 20)
                                     @Chars({'\'', '"', '\\', '\n', '\t', 'é', '{', '}', '@', '#', '-', ' ', '€'})
                                     @CharRange(from = 'a', to = 'c') String value) throws SQLException {
        StringBuilder literal = new StringBuilder("'");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\'' -> literal.append("\\'");
                case '\\' -> literal.append("\\\\");
                case '\n' -> literal.append("\\n");
                case '\t' -> literal.append("\\t");
                default -> literal.append(c);
            }
        }
        literal.append('\'');
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = c.createStatement().executeQuery(t("SELECT " + literal + " AS v"))) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(value);
        }
    }
}
