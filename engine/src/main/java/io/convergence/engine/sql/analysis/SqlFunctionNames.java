package io.convergence.engine.sql.analysis;

import java.util.Locale;
import java.util.Map;

/** BigQuery's spelling of the analyzer's internal function names ({@code $add} is {@code +}). */
final class SqlFunctionNames {
    private static final Map<String, String> OPERATORS = Map.ofEntries(
            Map.entry("$add", "+"), Map.entry("$subtract", "-"), Map.entry("$multiply", "*"), Map.entry("$divide", "/"),
            Map.entry("$unary_minus", "unary -"), Map.entry("$equal", "="), Map.entry("$not_equal", "!="), Map.entry("$less", "<"),
            Map.entry("$less_or_equal", "<="), Map.entry("$greater", ">"), Map.entry("$greater_or_equal", ">="), Map.entry("$and", "AND"),
            Map.entry("$or", "OR"), Map.entry("$not", "NOT"), Map.entry("$is_null", "IS NULL"), Map.entry("$is_true", "IS TRUE"),
            Map.entry("$is_false", "IS FALSE"), Map.entry("$like", "LIKE"), Map.entry("$in", "IN"), Map.entry("$in_array", "IN UNNEST"),
            Map.entry("$between", "BETWEEN"), Map.entry("$bitwise_and", "&"), Map.entry("$bitwise_or", "|"), Map.entry("$bitwise_xor", "^"),
            Map.entry("$bitwise_not", "~"), Map.entry("$bitwise_left_shift", "<<"), Map.entry("$bitwise_right_shift", ">>"),
            Map.entry("$concat_op", "||"), Map.entry("$case_with_value", "CASE x WHEN"), Map.entry("$case_no_value", "CASE WHEN"),
            Map.entry("$array_at_offset", "[OFFSET()]"), Map.entry("$array_at_ordinal", "[ORDINAL()]"),
            Map.entry("$safe_array_at_offset", "[SAFE_OFFSET()]"), Map.entry("$safe_array_at_ordinal", "[SAFE_ORDINAL()]"),
            Map.entry("$count_star", "COUNT(*)"), Map.entry("$extract", "EXTRACT"), Map.entry("$extract_date", "EXTRACT(DATE FROM)"),
            Map.entry("$extract_time", "EXTRACT(TIME FROM)"), Map.entry("$extract_datetime", "EXTRACT(DATETIME FROM)"),
            Map.entry("$make_array", "[...] (array literal)"), Map.entry("$is_distinct_from", "IS DISTINCT FROM"),
            Map.entry("$is_not_distinct_from", "IS NOT DISTINCT FROM"), Map.entry("$not_like", "NOT LIKE"));

    private SqlFunctionNames() {
    }

    static String display(String name) {
        boolean safe = name.startsWith("SAFE.");
        String bare = safe ? name.substring("SAFE.".length()) : name;
        String shown = OPERATORS.getOrDefault(bare, bare.startsWith("$") ? bare.substring(1).toUpperCase(Locale.ROOT).replace('_', ' ')
                : bare.toUpperCase(Locale.ROOT));
        return safe ? "SAFE." + shown : shown;
    }
}
