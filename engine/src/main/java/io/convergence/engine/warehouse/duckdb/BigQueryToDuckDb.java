package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.sql.SqlLexer;
import io.convergence.engine.sql.SqlLexer.Kind;
import io.convergence.engine.sql.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites BigQuery Standard SQL into DuckDB SQL, token by token: literals and comments are recognised
 * first, so nothing inside a string or comment is ever rewritten. Refs ({@code {{ ... }}}) and
 * {@code @parameters} pass through untouched for SqlTemplate. What is rewritten, and what is not, is
 * listed in docs/sql-compatibility.md; functions DuckDB lacks come from {@link DuckDbMacros}.
 *
 * <p>Unknown or malformed constructs are copied as written, so DuckDB reports them with its own message.
 */
public final class BigQueryToDuckDb {
    private static final Map<String, String> SIMPLE_TYPES = Map.ofEntries(
            Map.entry("INT64", "BIGINT"), Map.entry("INT", "BIGINT"), Map.entry("INTEGER", "BIGINT"),
            Map.entry("SMALLINT", "BIGINT"), Map.entry("BIGINT", "BIGINT"), Map.entry("TINYINT", "BIGINT"),
            Map.entry("BYTEINT", "BIGINT"),
            Map.entry("FLOAT64", "DOUBLE"), Map.entry("FLOAT", "DOUBLE"),
            Map.entry("BOOL", "BOOLEAN"), Map.entry("BOOLEAN", "BOOLEAN"),
            Map.entry("STRING", "VARCHAR"), Map.entry("BYTES", "BLOB"),
            Map.entry("DATE", "DATE"), Map.entry("TIME", "TIME"),
            Map.entry("DATETIME", "TIMESTAMP"), Map.entry("TIMESTAMP", "TIMESTAMPTZ"),
            Map.entry("JSON", "JSON"), Map.entry("INTERVAL", "INTERVAL"), Map.entry("GEOGRAPHY", "VARCHAR"));
    private static final Set<String> DECIMAL_TYPES = Set.of("NUMERIC", "DECIMAL", "BIGNUMERIC", "BIGDECIMAL");
    /** Types whose literal form {@code TYPE 'text'} becomes a cast. */
    private static final Set<String> LITERAL_TYPES = Set.of(
            "DATE", "TIME", "DATETIME", "TIMESTAMP", "NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL", "JSON");
    private static final List<String> WEEKDAYS = List.of(
            "SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY");
    private static final Set<String> NOT_ALIASES = Set.of(
            "WITH", "ON", "USING", "WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "CROSS", "FULL", "GROUP", "ORDER",
            "LIMIT", "UNION", "EXCEPT", "INTERSECT", "WINDOW", "QUALIFY", "HAVING", "AS");
    private static final Set<String> CALLS = Set.of(
            "CAST", "SAFE_CAST", "TRY_CAST",
            "DATE_TRUNC", "DATETIME_TRUNC", "TIMESTAMP_TRUNC",
            "DATE_ADD", "DATE_SUB", "DATETIME_ADD", "DATETIME_SUB", "TIMESTAMP_ADD", "TIMESTAMP_SUB",
            "DATE_DIFF", "DATETIME_DIFF", "TIMESTAMP_DIFF",
            "CURRENT_DATE", "CURRENT_DATETIME", "CURRENT_TIMESTAMP", "CURRENT_TIME",
            "EXTRACT", "DATE", "DATETIME", "TIMESTAMP",
            "TO_HEX", "MD5", "SHA1", "SHA256", "LOG", "LOG10", "MOD", "POW", "POWER", "SIGN",
            "CONCAT", "REGEXP_REPLACE", "GREATEST", "LEAST");

    private final List<Token> toks;
    /** Set after {@code FROM UNNEST(...)}: the alias that follows names the element, not the table. */
    private boolean unnestAliasPending;

    private BigQueryToDuckDb(List<Token> toks) {
        this.toks = toks;
    }

    /** Translates a whole statement or expression. */
    public static String translate(String bigQuerySql) {
        List<Token> toks = SqlLexer.tokenize(bigQuerySql);
        return new BigQueryToDuckDb(toks).render(0, toks.size());
    }

    private String render(int from, int to) {
        StringBuilder out = new StringBuilder();
        int i = from;
        while (i < to) {
            Token t = toks.get(i);
            if (unnestAliasPending && t.significant()) {
                if (t.isWord("AS")) {
                    out.append(t.text());
                    i++;
                    continue;
                }
                unnestAliasPending = false;
                int after = next(i + 1, to);
                if (t.kind() == Kind.WORD && !NOT_ALIASES.contains(upper(t)) && !(after < to && toks.get(after).isSymbol("("))) {
                    // BigQuery names the element; DuckDB would name the table and yield a struct
                    out.append(t.text()).append('(').append(t.text()).append(')');
                    i++;
                    continue;
                }
            }
            switch (t.kind()) {
                case HASH_COMMENT:
                    out.append("--").append(t.text().substring(1));
                    i++;
                    break;
                case STRING:
                    out.append(stringLiteral(t.text()));
                    i++;
                    break;
                case BYTES:
                    out.append(bytesLiteral(t.text()));
                    i++;
                    break;
                case QUOTED_IDENT:
                    out.append(quotedIdentifier(t.text()));
                    i++;
                    break;
                case WORD: {
                    int consumed = word(i, to, out);
                    if (consumed < 0) {
                        out.append(t.text());
                        i++;
                    } else {
                        i = consumed;
                    }
                    break;
                }
                default:
                    out.append(t.text());
                    i++;
            }
        }
        return out.toString();
    }

    /** Handles a word at {@code i}; returns the index after what it consumed, or -1 to copy it as is. */
    private int word(int i, int to, StringBuilder out) {
        Token t = toks.get(i);
        String word = upper(t);
        int nx = next(i + 1, to);
        Token nextTok = nx < to ? toks.get(nx) : null;
        int prev = previous(i - 1);
        Token prevTok = prev >= 0 ? toks.get(prev) : null;
        boolean qualified = prevTok != null && prevTok.isSymbol(".");
        boolean call = nextTok != null && nextTok.isSymbol("(");

        if (word.equals("EXCEPT") && prevTok != null && prevTok.isSymbol("*") && call) {
            out.append("EXCLUDE");
            return i + 1;
        }
        if (call && prevTok != null && prevTok.isSymbol("[")
                && Set.of("OFFSET", "SAFE_OFFSET", "ORDINAL", "SAFE_ORDINAL").contains(word)) {
            int close = matchParen(nx, to);
            if (close < 0) {
                return -1;
            }
            String inner = render(nx + 1, close);
            // DuckDB lists are 1-based and already yield NULL out of range, like SAFE_OFFSET
            out.append(word.endsWith("OFFSET") ? "1 + (" + inner + ")" : "(" + inner + ")");
            return close + 1;
        }
        if (word.equals("UNNEST") && call && prevTok != null
                && (prevTok.isWord("FROM") || prevTok.isWord("JOIN") || prevTok.isSymbol(","))) {
            int close = matchParen(nx, to);
            if (close < 0) {
                return -1;
            }
            out.append(t.text()).append(render(i + 1, close + 1));
            unnestAliasPending = true;
            return close + 1;
        }
        if (word.equals("IN") && nextTok != null && nextTok.isWord("UNNEST")) {
            int open = next(nx + 1, to);
            if (open < to && toks.get(open).isSymbol("(")) {
                int close = matchParen(open, to);
                if (close > 0) {
                    out.append(t.text()).append(" (SELECT unnest(").append(render(open + 1, close)).append("))");
                    return close + 1;
                }
            }
        }
        if (!qualified && nextTok != null && nextTok.kind() == Kind.STRING && LITERAL_TYPES.contains(word)) {
            out.append("CAST(").append(stringLiteral(nextTok.text())).append(" AS ").append(simpleType(word)).append(')');
            return nx + 1;
        }
        if (call && !qualified && CALLS.contains(word)) {
            int close = matchParen(nx, to);
            if (close < 0) {
                return -1;
            }
            String rewritten = call(word, t.text(), nx, close);
            if (rewritten == null) {
                return -1;
            }
            out.append(rewritten);
            return close + 1;
        }
        return -1;
    }

    /** A rewritten call, or null to copy the name and translate the arguments in place. */
    private String call(String name, String asWritten, int open, int close) {
        List<int[]> args = splitArgs(open, close);
        switch (name) {
            case "CAST":
            case "SAFE_CAST":
            case "TRY_CAST":
                return cast(name.equals("CAST") ? asWritten : "TRY_CAST", open, close);
            case "DATE_TRUNC":
            case "DATETIME_TRUNC":
            case "TIMESTAMP_TRUNC":
                return trunc(name, args);
            case "DATE_ADD":
            case "DATE_SUB":
            case "DATETIME_ADD":
            case "DATETIME_SUB":
            case "TIMESTAMP_ADD":
            case "TIMESTAMP_SUB":
                return dateAdd(name, args);
            case "DATE_DIFF":
            case "DATETIME_DIFF":
            case "TIMESTAMP_DIFF":
                return dateDiff(name, args);
            case "CURRENT_DATE":
            case "CURRENT_DATETIME":
            case "CURRENT_TIMESTAMP":
            case "CURRENT_TIME":
                return current(name, open, close);
            case "EXTRACT":
                return extract(open, close);
            case "DATE":
            case "DATETIME":
            case "TIMESTAMP":
                return "bq_" + name.toLowerCase(Locale.ROOT) + "(" + render(open + 1, close) + ")";
            case "LOG":
            case "LOG10":
            case "MOD":
            case "POW":
            case "SIGN":
                return "bq_" + name.toLowerCase(Locale.ROOT) + "(" + render(open + 1, close) + ")";
            case "POWER":
                return "bq_pow(" + render(open + 1, close) + ")";
            case "CONCAT": {
                // BigQuery's CONCAT is NULL when an argument is; DuckDB's concat skips NULLs, its || does not
                List<String> parts = new ArrayList<>();
                for (int[] arg : args) {
                    parts.add("(" + render(arg[0], arg[1]).strip() + ")");
                }
                return parts.isEmpty() ? null : "(" + String.join(" || ", parts) + ")";
            }
            case "GREATEST":
            case "LEAST": {
                // BigQuery answers NULL when an argument is NULL; DuckDB skips NULLs
                List<String> values = new ArrayList<>();
                for (int[] arg : args) {
                    values.add("(" + render(arg[0], arg[1]).strip() + ")");
                }
                if (values.isEmpty()) {
                    return null;
                }
                List<String> checks = new ArrayList<>();
                for (String value : values) {
                    checks.add(value + " IS NULL");
                }
                return "(CASE WHEN " + String.join(" OR ", checks) + " THEN NULL ELSE " + name.toLowerCase(Locale.ROOT) + "("
                        + String.join(", ", values) + ") END)";
            }
            case "REGEXP_REPLACE":
                // BigQuery replaces every match; DuckDB only the first unless told 'g'
                return args.size() == 3 ? "regexp_replace(" + render(open + 1, close) + ", 'g')" : null;
            case "TO_HEX":
                // BigQuery writes lower-case hex digits; DuckDB's hex() upper-case ones
                return "lower(hex(" + render(open + 1, close) + "))";
            case "MD5":
            case "SHA1":
            case "SHA256":
                // BigQuery's hashes are BYTES; DuckDB's are hex text
                return "unhex(" + name.toLowerCase(Locale.ROOT) + "(" + render(open + 1, close) + "))";
            default:
                return null;
        }
    }

    private String cast(String function, int open, int close) {
        int as = -1;
        int depth = 0;
        for (int k = open + 1; k < close; k++) {
            Token t = toks.get(k);
            if (t.isSymbol("(") || t.isSymbol("[")) {
                depth++;
            } else if (t.isSymbol(")") || t.isSymbol("]")) {
                depth--;
            } else if (depth == 0 && t.isWord("AS")) {
                as = k;
            }
        }
        if (as < 0) {
            return null;
        }
        return function + "(" + render(open + 1, as) + "AS " + type(as + 1, close) + ")";
    }

    private String trunc(String name, List<int[]> args) {
        if (args.size() != 2) {
            return null;
        }
        Part part = part(args.get(1));
        if (part == null) {
            return null;
        }
        String value = render(args.get(0)[0], args.get(0)[1]).strip();
        String truncated;
        switch (part.name()) {
            case "WEEK":
                truncated = (name.equals("DATE_TRUNC") ? "bq_date_trunc_week(" : "bq_timestamp_trunc_week(")
                        + value + ", " + part.weekday() + ")";
                break;
            case "ISOWEEK":
                truncated = "date_trunc('week', " + value + ")";
                break;
            default:
                truncated = "date_trunc('" + part.name().toLowerCase(Locale.ROOT) + "', " + value + ")";
        }
        // DuckDB truncates a TIMESTAMP to a DATE for day and coarser parts; BigQuery keeps a DATETIME
        return name.equals("DATETIME_TRUNC") ? "CAST(" + truncated + " AS TIMESTAMP)" : truncated;
    }

    private String dateAdd(String name, List<int[]> args) {
        if (args.size() != 2) {
            return null;
        }
        int[] interval = args.get(1);
        int first = next(interval[0], interval[1]);
        int last = previous(interval[1] - 1);
        if (first >= interval[1] || last <= first || !toks.get(first).isWord("INTERVAL") || toks.get(last).kind() != Kind.WORD) {
            return null;
        }
        String amount = render(first + 1, last).strip();
        String unit = upper(toks.get(last));
        String value = render(args.get(0)[0], args.get(0)[1]).strip();
        String op = name.endsWith("_SUB") ? " - " : " + ";
        String sum = "(" + value + ")" + op + "INTERVAL (" + amount + ") " + unit;
        // DuckDB's date + interval is a TIMESTAMP; BigQuery keeps a DATE
        return name.startsWith("DATE_") ? "CAST(" + sum + " AS DATE)" : "(" + sum + ")";
    }

    private String dateDiff(String name, List<int[]> args) {
        if (args.size() != 3) {
            return null;
        }
        Part part = part(args.get(2));
        if (part == null) {
            return null;
        }
        String a = render(args.get(0)[0], args.get(0)[1]).strip();
        String b = render(args.get(1)[0], args.get(1)[1]).strip();
        if (part.name().equals("WEEK")) {
            return "bq_week_diff(" + a + ", " + b + ", " + part.weekday() + ")";
        }
        String unit = part.name().equals("ISOWEEK") ? "week" : part.name().equals("ISOYEAR") ? "isoyear"
                : part.name().toLowerCase(Locale.ROOT);
        // TIMESTAMP_DIFF counts whole elapsed units (date_sub); DATE/DATETIME_DIFF count boundaries (date_diff)
        String function = name.equals("TIMESTAMP_DIFF") ? "date_sub" : "date_diff";
        return function + "('" + unit + "', " + b + ", " + a + ")";
    }

    private String current(String name, int open, int close) {
        if (next(open + 1, close) < close) {
            return null;
        }
        switch (name) {
            case "CURRENT_DATE":
                return "current_date";
            case "CURRENT_TIMESTAMP":
                return "current_timestamp";
            case "CURRENT_TIME":
                return "current_time";
            default:
                return "CAST(current_timestamp AS TIMESTAMP)";
        }
    }

    private String extract(int open, int close) {
        int first = next(open + 1, close);
        if (first >= close || toks.get(first).kind() != Kind.WORD) {
            return null;
        }
        int from = next(first + 1, close);
        if (from >= close || !toks.get(from).isWord("FROM")) {
            return null;
        }
        String value = render(from + 1, close).strip();
        switch (upper(toks.get(first))) {
            case "DAYOFWEEK":
                return "(CAST(extract(dow FROM " + value + ") AS BIGINT) + 1)";
            case "WEEK":
                return "CAST(strftime(" + value + ", '%U') AS BIGINT)";
            case "ISOWEEK":
                return "extract(week FROM " + value + ")";
            case "ISOYEAR":
                return "extract(isoyear FROM " + value + ")";
            case "DATE":
                return "CAST(" + value + " AS DATE)";
            default:
                return null;
        }
    }

    /** A BigQuery type written between {@code from} and {@code to}, in DuckDB spelling. */
    private String type(int from, int to) {
        int[] at = {next(from, to)};
        String parsed = parseType(at, to);
        if (parsed == null) {
            return render(from, to);
        }
        int rest = next(at[0], to);
        return rest < to ? parsed + " " + render(rest, to) : parsed;
    }

    private String parseType(int[] at, int to) {
        int i = at[0];
        if (i >= to || toks.get(i).kind() != Kind.WORD) {
            return null;
        }
        String word = upper(toks.get(i));
        int nx = next(i + 1, to);
        boolean angle = nx < to && toks.get(nx).isSymbol("<");
        boolean paren = nx < to && toks.get(nx).isSymbol("(");
        if (word.equals("ARRAY") && angle) {
            int[] inner = {next(nx + 1, to)};
            String element = parseType(inner, to);
            int closeAngle = next(inner[0], to);
            if (element == null || closeAngle >= to || !toks.get(closeAngle).isSymbol(">")) {
                return null;
            }
            at[0] = closeAngle + 1;
            return element + "[]";
        }
        if (word.equals("STRUCT") && angle) {
            List<String> fields = new ArrayList<>();
            int k = next(nx + 1, to);
            int index = 1;
            while (k < to && !toks.get(k).isSymbol(">")) {
                String fieldName = "f" + index;
                int afterName = next(k + 1, to);
                boolean named = toks.get(k).kind() == Kind.WORD && afterName < to && toks.get(afterName).kind() == Kind.WORD;
                if (named || toks.get(k).kind() == Kind.QUOTED_IDENT) {
                    fieldName = toks.get(k).kind() == Kind.QUOTED_IDENT ? quotedIdentifier(toks.get(k).text()) : toks.get(k).text();
                    k = afterName;
                }
                int[] field = {k};
                String fieldType = parseType(field, to);
                if (fieldType == null) {
                    return null;
                }
                fields.add(fieldName + " " + fieldType);
                index++;
                k = next(field[0], to);
                if (k < to && toks.get(k).isSymbol(",")) {
                    k = next(k + 1, to);
                }
            }
            if (k >= to) {
                return null;
            }
            at[0] = k + 1;
            return "STRUCT(" + String.join(", ", fields) + ")";
        }
        if (DECIMAL_TYPES.contains(word)) {
            if (paren) {
                int close = matchParen(nx, to);
                if (close < 0) {
                    return null;
                }
                at[0] = close + 1;
                return "DECIMAL(" + render(nx + 1, close).strip() + ")";
            }
            at[0] = i + 1;
            return "DECIMAL(38,9)";
        }
        String simple = SIMPLE_TYPES.get(word);
        if (simple == null) {
            return null;
        }
        if (paren && (word.equals("STRING") || word.equals("BYTES"))) {
            int close = matchParen(nx, to);
            if (close < 0) {
                return null;
            }
            at[0] = close + 1;
            return simple;
        }
        at[0] = i + 1;
        return simple;
    }

    private static String simpleType(String word) {
        return DECIMAL_TYPES.contains(word) ? "DECIMAL(38,9)" : SIMPLE_TYPES.get(word);
    }

    /** A date part argument: {@code DAY}, {@code WEEK}, {@code WEEK(MONDAY)}; null if it is not one. */
    private Part part(int[] range) {
        int first = next(range[0], range[1]);
        if (first >= range[1] || toks.get(first).kind() != Kind.WORD) {
            return null;
        }
        String name = upper(toks.get(first));
        int after = next(first + 1, range[1]);
        if (after >= range[1]) {
            return new Part(name, 0);
        }
        if (!name.equals("WEEK") || !toks.get(after).isSymbol("(")) {
            return null;
        }
        int day = next(after + 1, range[1]);
        int close = day < range[1] ? next(day + 1, range[1]) : range[1];
        if (close >= range[1] || !toks.get(close).isSymbol(")") || !WEEKDAYS.contains(upper(toks.get(day)))) {
            return null;
        }
        return new Part(name, WEEKDAYS.indexOf(upper(toks.get(day))));
    }

    private record Part(String name, int weekday) {
    }

    /** Argument ranges [start, end) of the call whose parentheses are at {@code open} and {@code close}. */
    private List<int[]> splitArgs(int open, int close) {
        List<int[]> args = new ArrayList<>();
        int depth = 0;
        int start = open + 1;
        for (int k = open + 1; k < close; k++) {
            Token t = toks.get(k);
            if (t.isSymbol("(") || t.isSymbol("[")) {
                depth++;
            } else if (t.isSymbol(")") || t.isSymbol("]")) {
                depth--;
            } else if (depth == 0 && t.isSymbol(",")) {
                args.add(new int[] {start, k});
                start = k + 1;
            }
        }
        if (next(start, close) < close || !args.isEmpty()) {
            args.add(new int[] {start, close});
        }
        return args;
    }

    private int matchParen(int open, int to) {
        int depth = 0;
        for (int k = open; k < to; k++) {
            Token t = toks.get(k);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    private int next(int from, int to) {
        int k = from;
        while (k < to && !toks.get(k).significant()) {
            k++;
        }
        return k;
    }

    private int previous(int from) {
        int k = from;
        while (k >= 0 && !toks.get(k).significant()) {
            k--;
        }
        return k;
    }

    private static String upper(Token t) {
        return t.text().toUpperCase(Locale.ROOT);
    }

    /** A BigQuery string literal as a DuckDB literal with the same value. */
    static String stringLiteral(String token) {
        String value = decode(token);
        boolean needsEscapes = false;
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c < 0x20 || c == '\\' || c == 0x7f) {
                needsEscapes = true;
                break;
            }
        }
        if (!needsEscapes) {
            return "'" + value.replace("'", "''") + "'";
        }
        // an E-string keeps control characters on one line and backslashes unambiguous for SqlTemplate
        StringBuilder out = new StringBuilder("E'");
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\'') {
                out.append("\\'");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** A BigQuery bytes literal as a DuckDB BLOB. */
    static String bytesLiteral(String token) {
        String value = decode(token);
        StringBuilder out = new StringBuilder("CAST('");
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)) {
            int v = b & 0xff;
            if (v >= 0x20 && v < 0x7f && v != '\\' && v != '\'') {
                out.append((char) v);
            } else {
                out.append(String.format(Locale.ROOT, "\\x%02X", v));
            }
        }
        return out.append("' AS BLOB)").toString();
    }

    /** The value of a BigQuery string or bytes literal (prefix, quotes and escapes removed). */
    static String decode(String token) {
        int p = 0;
        boolean raw = false;
        while (p < token.length() && token.charAt(p) != '\'' && token.charAt(p) != '"') {
            if (token.charAt(p) == 'r' || token.charAt(p) == 'R') {
                raw = true;
            }
            p++;
        }
        if (p >= token.length()) {
            return token;
        }
        char q = token.charAt(p);
        int quoteLength = token.startsWith(String.valueOf(q).repeat(3), p) && token.length() - p >= 6 ? 3 : 1;
        int end = token.length() - quoteLength;
        if (end < p + quoteLength || !token.startsWith(String.valueOf(q).repeat(quoteLength), end)) {
            end = token.length(); // unterminated: DuckDB will complain about what follows, not us
        }
        String body = token.substring(p + quoteLength, Math.max(p + quoteLength, end));
        return raw ? body : unescape(body);
    }

    private static String unescape(String body) {
        StringBuilder out = new StringBuilder(body.length());
        for (int k = 0; k < body.length(); k++) {
            char c = body.charAt(k);
            if (c != '\\' || k + 1 >= body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(++k);
            switch (e) {
                case 'a': out.append('\u0007'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'v': out.append('\u000b'); break;
                case 'x':
                case 'X':
                    k = appendCodePoint(body, k + 1, 2, 16, out) - 1;
                    break;
                case 'u':
                    k = appendCodePoint(body, k + 1, 4, 16, out) - 1;
                    break;
                case 'U':
                    k = appendCodePoint(body, k + 1, 8, 16, out) - 1;
                    break;
                default:
                    if (e >= '0' && e <= '7') {
                        k = appendCodePoint(body, k, 3, 8, out) - 1;
                    } else {
                        out.append(e); // \\ \' \" \` \?
                    }
            }
        }
        return out.toString();
    }

    private static int appendCodePoint(String body, int from, int digits, int radix, StringBuilder out) {
        int end = Math.min(body.length(), from + digits);
        try {
            out.appendCodePoint(Integer.parseInt(body.substring(from, end), radix));
        } catch (IllegalArgumentException e) {
            out.append(body, from, end);
        }
        return end;
    }

    /** {@code `a.b`} becomes {@code "a"."b"}; embedded double quotes are doubled. */
    static String quotedIdentifier(String token) {
        String body = token.length() >= 2 && token.endsWith("`") ? token.substring(1, token.length() - 1) : token.substring(1);
        body = unescape(body);
        StringBuilder out = new StringBuilder();
        for (String part : body.split("\\.", -1)) {
            if (out.length() > 0) {
                out.append('.');
            }
            out.append('"').append(part.replace("\"", "\"\"")).append('"');
        }
        return out.toString();
    }
}
