package io.convergence.engine.warehouse.duckdb;

import java.util.List;

/**
 * The BigQuery-compatible function pack: DuckDB macros created in the warehouse file at open, so
 * translated SQL (and any DuckDB client reading the file) can call them. Names DuckDB already has with
 * BigQuery's meaning (IFNULL, IF, COUNTIF, STRING_AGG, ARRAY_AGG, ARRAY_TO_STRING, SPLIT, ...) are not
 * redefined; a test checks that no macro shadows a built-in. {@code bq_*} helpers are targets of the
 * token rewriter in {@link BigQueryToDuckDb}.
 */
public final class DuckDbMacros {
    /** One macro: its name, each overload as {@code (params) AS expression}, and what it stands for. */
    public record Macro(String name, List<String> overloads, String bigQuery) {
        public Macro {
            overloads = List.copyOf(overloads);
        }

        String createStatement() {
            return "CREATE OR REPLACE MACRO " + name + String.join(", ", overloads);
        }
    }

    public static final List<Macro> ALL = List.of(
            new Macro("safe_divide", List.of("(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END"), "SAFE_DIVIDE(x, y)"),
            new Macro("ieee_divide", List.of("(a, b) AS CAST(a AS DOUBLE) / CAST(b AS DOUBLE)"), "IEEE_DIVIDE(x, y)"),
            new Macro("safe_add", List.of("(a, b) AS TRY(a + b)"), "SAFE_ADD(x, y)"),
            new Macro("safe_subtract", List.of("(a, b) AS TRY(a - b)"), "SAFE_SUBTRACT(x, y)"),
            new Macro("safe_multiply", List.of("(a, b) AS TRY(a * b)"), "SAFE_MULTIPLY(x, y)"),
            new Macro("safe_negate", List.of("(a) AS TRY(-a)"), "SAFE_NEGATE(x)"),
            new Macro("div", List.of("(a, b) AS CASE WHEN b = 0 THEN error('DIV: division by zero') ELSE a // b END"), "DIV(x, y)"),
            new Macro("logical_and", List.of("(x) AS bool_and(x)"), "LOGICAL_AND(x)"),
            new Macro("logical_or", List.of("(x) AS bool_or(x)"), "LOGICAL_OR(x)"),
            new Macro("format_date", List.of("(f, d) AS strftime(CAST(d AS DATE), f)"), "FORMAT_DATE(format, date)"),
            new Macro("format_datetime", List.of("(f, d) AS strftime(CAST(d AS TIMESTAMP), f)"), "FORMAT_DATETIME(format, datetime)"),
            new Macro("format_timestamp", List.of(
                    "(f, t) AS strftime(CAST(t AS TIMESTAMPTZ), f)",
                    "(f, t, tz) AS strftime(timezone(tz, CAST(t AS TIMESTAMPTZ)), f)"),
                    "FORMAT_TIMESTAMP(format, timestamp[, time_zone])"),
            // fields the format leaves out default to 1970-01-01 in BigQuery (DuckDB's strptime: 1900-01-01)
            new Macro("parse_date", List.of("(f, s) AS CAST(CASE WHEN regexp_matches(f, '%[YyCGgFDcxs]') THEN strptime(s, f) "
                    + "ELSE strptime('1970 ' || s, '%Y ' || f) END AS DATE)"), "PARSE_DATE(format, string)"),
            new Macro("parse_datetime", List.of("(f, s) AS CAST(strptime(s, f) AS TIMESTAMP)"), "PARSE_DATETIME(format, string)"),
            new Macro("parse_timestamp", List.of("(f, s) AS CAST(strptime(s, f) AS TIMESTAMPTZ)"), "PARSE_TIMESTAMP(format, string)"),
            new Macro("generate_date_array", List.of(
                    "(s, e) AS list_transform(generate_series(CAST(s AS TIMESTAMP), CAST(e AS TIMESTAMP), INTERVAL 1 DAY), lambda x: CAST(x AS DATE))",
                    "(s, e, step) AS list_transform(generate_series(CAST(s AS TIMESTAMP), CAST(e AS TIMESTAMP), step), lambda x: CAST(x AS DATE))"),
                    "GENERATE_DATE_ARRAY(start, end[, INTERVAL n unit])"),
            new Macro("generate_array", List.of(
                    "(s, e) AS generate_series(s, e)",
                    "(s, e, step) AS generate_series(s, e, step)"),
                    "GENERATE_ARRAY(start, end[, step])"),
            new Macro("generate_timestamp_array", List.of(
                    "(s, e, step) AS generate_series(CAST(s AS TIMESTAMPTZ), CAST(e AS TIMESTAMPTZ), step)"),
                    "GENERATE_TIMESTAMP_ARRAY(start, end, INTERVAL n unit)"),
            new Macro("regexp_contains", List.of("(s, r) AS regexp_matches(s, r)"), "REGEXP_CONTAINS(value, regexp)"),
            new Macro("to_json_string", List.of("(x) AS CAST(to_json(x) AS VARCHAR)"), "TO_JSON_STRING(value)"),
            new Macro("json_extract_scalar", List.of("(j, p) AS json_extract_string(j, p)"), "JSON_EXTRACT_SCALAR(json, path)"),
            new Macro("json_query", List.of("(j, p) AS json_extract(j, p)"), "JSON_QUERY(json, path)"),
            new Macro("generate_uuid", List.of("() AS CAST(uuid() AS VARCHAR)"), "GENERATE_UUID()"),
            new Macro("byte_length", List.of("(s) AS strlen(s)"), "BYTE_LENGTH(string)"),
            new Macro("timestamp_seconds", List.of("(n) AS to_timestamp(n)"), "TIMESTAMP_SECONDS(int64)"),
            new Macro("timestamp_millis", List.of("(n) AS CAST(epoch_ms(n) AS TIMESTAMPTZ)"), "TIMESTAMP_MILLIS(int64)"),
            new Macro("timestamp_micros", List.of("(n) AS CAST(make_timestamp(n) AS TIMESTAMPTZ)"), "TIMESTAMP_MICROS(int64)"),
            new Macro("unix_seconds", List.of("(t) AS CAST(floor(epoch(t)) AS BIGINT)"), "UNIX_SECONDS(timestamp)"),
            new Macro("unix_millis", List.of("(t) AS epoch_ms(t)"), "UNIX_MILLIS(timestamp)"),
            new Macro("unix_micros", List.of("(t) AS epoch_us(t)"), "UNIX_MICROS(timestamp)"),
            new Macro("unix_date", List.of("(d) AS date_diff('day', DATE '1970-01-01', CAST(d AS DATE))"), "UNIX_DATE(date)"),
            new Macro("date_from_unix_date", List.of("(n) AS DATE '1970-01-01' + CAST(n AS INTEGER)"), "DATE_FROM_UNIX_DATE(int64)"),
            // targets of the token rewriter
            // BigQuery's LOG: natural log with one argument (DuckDB's log is base 10), LOG(x, base) with its edge cases
            new Macro("bq_log", List.of(
                    "(x) AS ln(x)",
                    "(x, b) AS CASE WHEN x = CAST('-inf' AS DOUBLE) OR b = CAST('inf' AS DOUBLE) THEN CAST('nan' AS DOUBLE)"
                            + " WHEN x <= 0 THEN error('LOG: the argument must be positive')"
                            + " WHEN b <= 0 OR b = 1 THEN error('LOG: the base must be positive and not 1')"
                            + " WHEN x = CAST('inf' AS DOUBLE) THEN CASE WHEN b < 1 THEN CAST('-inf' AS DOUBLE) ELSE CAST('inf' AS DOUBLE) END"
                            + " ELSE ln(x) / ln(b) END"),
                    "LOG(x[, base])"),
            new Macro("bq_mod", List.of("(a, b) AS CASE WHEN b = 0 THEN error('MOD: division by zero') ELSE mod(a, b) END"), "MOD(x, y)"),
            new Macro("bq_pow", List.of("(x, y) AS CASE WHEN x < 0 AND isfinite(y) AND y != floor(y) "
                    + "THEN error('POW: a negative base needs an integer exponent') "
                    + "WHEN x = 0 AND y < 0 THEN error('POW: zero to a negative power') ELSE pow(x, y) END"), "POW(x, y), POWER(x, y)"),
            new Macro("bq_sign", List.of("(x) AS CASE WHEN isnan(CAST(x AS DOUBLE)) THEN x ELSE sign(x) END"), "SIGN(x)"),
            new Macro("bq_log10", List.of("(x) AS CASE WHEN x = CAST('-inf' AS DOUBLE) THEN CAST('nan' AS DOUBLE) ELSE log10(x) END"),
                    "LOG10(x)"),
            new Macro("bq_date", List.of(
                    "(x) AS CAST(x AS DATE)",
                    "(x, tz) AS CAST(timezone(tz, CAST(x AS TIMESTAMPTZ)) AS DATE)",
                    "(y, m, d) AS make_date(CAST(y AS BIGINT), CAST(m AS BIGINT), CAST(d AS BIGINT))"),
                    "DATE(value), DATE(timestamp, time_zone), DATE(year, month, day)"),
            new Macro("bq_datetime", List.of(
                    "(x) AS CAST(x AS TIMESTAMP)",
                    "(d, t) AS CAST(d AS DATE) + CAST(t AS TIME)",
                    "(y, mo, d, h, mi, s) AS make_timestamp(y, mo, d, h, mi, s)"),
                    "DATETIME(value), DATETIME(date, time), DATETIME(y, m, d, h, mi, s)"),
            new Macro("bq_timestamp", List.of(
                    "(x) AS CAST(x AS TIMESTAMPTZ)",
                    "(x, tz) AS timezone(tz, CAST(x AS TIMESTAMP))"),
                    "TIMESTAMP(value[, time_zone])"),
            new Macro("bq_date_trunc_week", List.of(
                    "(d, dow) AS CAST(d AS DATE) - CAST((dayofweek(d) - dow + 7) % 7 AS INTEGER)"),
                    "DATE_TRUNC(date, WEEK[(weekday)])"),
            new Macro("bq_timestamp_trunc_week", List.of(
                    "(t, dow) AS date_trunc('day', t) - to_days(CAST((dayofweek(t) - dow + 7) % 7 AS INTEGER))"),
                    "TIMESTAMP_TRUNC / DATETIME_TRUNC(value, WEEK[(weekday)])"),
            new Macro("bq_week_diff", List.of(
                    "(a, b, dow) AS date_diff('day', bq_date_trunc_week(b, dow), bq_date_trunc_week(a, dow)) // 7"),
                    "DATE_DIFF(a, b, WEEK[(weekday)])"));

    private DuckDbMacros() {
    }
}
