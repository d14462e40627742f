package io.convergence.engine.warehouse.duckdb;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import io.convergence.engine.sql.analysis.SqlAnalysis;
import io.convergence.engine.sql.analysis.SqlColumn;
import io.convergence.engine.sql.analysis.SqlConstruct;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.TableNames;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Runs the conformance corpus (reference examples of the GoogleSQL documentation, with the rows BigQuery returns)
 * on the local target: each case is analyzed as validation analyzes it, checked against what the local target
 * runs exactly, run on DuckDB through the same compile path as a transform, and its rows compared with the
 * documented ones. Values compare as BigQuery types: numbers by value (FLOAT64 within 1e-9), timestamps as
 * instants, JSON as parsed JSON.
 */
final class SqlConformance {
    static final Path CORPUS = Path.of("src", "test", "resources", "sql-conformance");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One reference example. */
    record Case(String family, String name, String source, String sql, List<String> columns, List<List<Object>> rows,
                boolean ordered, boolean error) {
        String id() {
            return family + "/" + name;
        }
    }

    /** What a case gave on the local target. */
    enum Outcome {
        /** The documented rows, or an error where BigQuery errors. */
        PASSED,
        /** BigQuery's analyzer refused the query; validation reports it. */
        REFUSED_BY_ANALYZER,
        /** Validation refuses it for the local target: a construct the local target cannot run exactly. */
        REFUSED_ON_LOCAL,
        /** DuckDB failed at run time (a loud failure, not a silent one). */
        LOCAL_ERROR,
        /** Other rows than BigQuery's, or rows where BigQuery errors: a silent difference. */
        DIFFERENT
    }

    record Result(Case test, Outcome outcome, String detail, List<SqlConstruct> constructs) {
    }

    private SqlConformance() {
    }

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(CORPUS)) {
            files = list.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                Map<?, ?> document = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
                String family = (String) document.get("family");
                for (Object item : (List<?>) document.get("cases")) {
                    Map<?, ?> c = (Map<?, ?>) item;
                    @SuppressWarnings("unchecked")
                    List<List<Object>> rows = c.get("rows") == null ? List.of() : (List<List<Object>>) c.get("rows");
                    @SuppressWarnings("unchecked")
                    List<String> columns = c.get("columns") == null ? List.of() : (List<String>) c.get("columns");
                    cases.add(new Case(family, (String) c.get("name"), String.valueOf(c.get("source")), ((String) c.get("sql")).strip(),
                            columns, rows, Boolean.TRUE.equals(c.get("ordered")), Boolean.TRUE.equals(c.get("error"))));
                }
            }
        }
        return cases;
    }

    /** Runs one case; {@code localRefusals} names what the local target refuses among a statement's constructs. */
    static Result run(Case test, BigQueryAnalyzer.Session session, DuckDbWarehouse warehouse, TableNames names,
                      Function<List<SqlConstruct>, List<String>> localRefusals) {
        SqlAnalysis analysis = session.analyzeQuery(test.sql(), Map.of());
        if (analysis instanceof SqlAnalysis.Refused refused) {
            return new Result(test, test.error() ? Outcome.PASSED : Outcome.REFUSED_BY_ANALYZER, refused.message(), List.of());
        }
        if (analysis instanceof SqlAnalysis.Failed failed) {
            return new Result(test, Outcome.REFUSED_BY_ANALYZER, failed.reason(), List.of());
        }
        SqlAnalysis.Resolved resolved = (SqlAnalysis.Resolved) analysis;
        List<String> refusals = localRefusals.apply(resolved.constructs());
        if (!refusals.isEmpty()) {
            return new Result(test, Outcome.REFUSED_ON_LOCAL, String.join(", ", refusals), resolved.constructs());
        }
        QueryResult result;
        try {
            result = warehouse.query(warehouse.compile(test.sql(), names, Map.of()), 10_000, new CancellationToken());
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return new Result(test, test.error() ? Outcome.PASSED : Outcome.LOCAL_ERROR, message, resolved.constructs());
        }
        if (test.error()) {
            return new Result(test, Outcome.DIFFERENT, "BigQuery errors; local gave " + result.rows(), resolved.constructs());
        }
        List<SqlColumn> columns = resolved.output().columns();
        String mismatch = compare(test, columns, result);
        return new Result(test, mismatch == null ? Outcome.PASSED : Outcome.DIFFERENT, mismatch == null ? "" : mismatch, resolved.constructs());
    }

    /** Null when the result holds the documented rows, else what differs. */
    private static String compare(Case test, List<SqlColumn> columns, QueryResult result) {
        if (result.columns().size() != test.columns().size()) {
            return "columns " + result.columns() + ", expected " + test.columns();
        }
        if (result.rows().size() != test.rows().size()) {
            return result.rows().size() + " rows " + shown(result.rows()) + ", expected " + test.rows().size() + " " + test.rows();
        }
        List<List<Object>> remaining = new ArrayList<>(result.rows());
        for (int r = 0; r < test.rows().size(); r++) {
            List<Object> expected = test.rows().get(r);
            int match = -1;
            if (test.ordered()) {
                match = rowMatches(columns, expected, remaining.get(0)) ? 0 : -1;
            } else {
                for (int i = 0; i < remaining.size() && match < 0; i++) {
                    if (rowMatches(columns, expected, remaining.get(i))) {
                        match = i;
                    }
                }
            }
            if (match < 0) {
                return "row " + expected + " not found in " + shown(result.rows());
            }
            remaining.remove(match);
        }
        return null;
    }

    private static String shown(List<List<Object>> rows) {
        List<List<String>> out = new ArrayList<>();
        for (List<Object> row : rows.subList(0, Math.min(rows.size(), 8))) {
            List<String> cells = new ArrayList<>();
            for (Object value : row) {
                cells.add(value instanceof byte[] bytes ? bytesLiteral(bytes) : String.valueOf(value));
            }
            out.add(cells);
        }
        return out + (rows.size() > 8 ? "..." : "");
    }

    private static boolean rowMatches(List<SqlColumn> columns, List<Object> expected, List<Object> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!matches(Type.parse(columns.get(i).type()), expected.get(i), actual.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A BigQuery type as the analyzer writes it: a name, ARRAY<element> or STRUCT<field type, ...>. */
    record Type(String name, List<String> fieldNames, List<Type> parameters) {
        static Type parse(String text) {
            String t = text.strip();
            if (t.startsWith("ARRAY<")) {
                return new Type("ARRAY", List.of(), List.of(parse(t.substring(6, t.length() - 1))));
            }
            if (t.startsWith("STRUCT<")) {
                List<String> fields = new ArrayList<>();
                List<Type> types = new ArrayList<>();
                for (String part : splitTopLevel(t.substring(7, t.length() - 1))) {
                    String p = part.strip();
                    int space = p.indexOf(' ');
                    fields.add(p.substring(0, space).replace("`", ""));
                    types.add(parse(p.substring(space + 1)));
                }
                return new Type("STRUCT", fields, types);
            }
            int paren = t.indexOf('(');
            return new Type(paren < 0 ? t : t.substring(0, paren), List.of(), List.of());
        }

        private static List<String> splitTopLevel(String text) {
            List<String> parts = new ArrayList<>();
            int depth = 0;
            int start = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '<' || c == '(') {
                    depth++;
                } else if (c == '>' || c == ')') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    parts.add(text.substring(start, i));
                    start = i + 1;
                }
            }
            parts.add(text.substring(start));
            return parts;
        }
    }

    static boolean matches(Type type, Object expected, Object actual) {
        if (expected == null || actual == null) {
            return expected == null && actual == null;
        }
        switch (type.name()) {
            case "ARRAY": {
                if (!(expected instanceof List<?> e) || !(actual instanceof List<?> a) || e.size() != a.size()) {
                    return false;
                }
                for (int i = 0; i < e.size(); i++) {
                    if (!matches(type.parameters().get(0), e.get(i), a.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            case "STRUCT": {
                if (!(expected instanceof Map<?, ?> e) || !(actual instanceof Map<?, ?> a) || e.size() != type.fieldNames().size()) {
                    return false;
                }
                List<Object> values = new ArrayList<>(a.values());
                if (values.size() != type.fieldNames().size()) {
                    return false;
                }
                for (int i = 0; i < type.fieldNames().size(); i++) {
                    if (!matches(type.parameters().get(i), e.get(type.fieldNames().get(i)), values.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            default:
                return scalarMatches(type.name(), String.valueOf(expected), actual);
        }
    }

    private static boolean scalarMatches(String type, String expected, Object actual) {
        switch (type) {
            case "INT64":
                return actual instanceof Long || actual instanceof Integer || actual instanceof java.math.BigInteger
                        ? new BigDecimal(actual.toString()).compareTo(new BigDecimal(expected)) == 0 : false;
            case "FLOAT64": {
                if (!(actual instanceof Number n)) {
                    return false;
                }
                double a = n.doubleValue();
                double e = switch (expected.toLowerCase(Locale.ROOT)) {
                    case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
                    case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                    case "nan" -> Double.NaN;
                    default -> Double.parseDouble(expected);
                };
                if (Double.isNaN(e) || Double.isInfinite(e)) {
                    return Double.compare(a, e) == 0;
                }
                return a == e || Math.abs(a - e) <= 1e-9 * Math.max(Math.abs(a), Math.abs(e));
            }
            case "NUMERIC":
            case "BIGNUMERIC":
                // rows compare by value: DuckDB's AVG and / of decimals answer a DOUBLE of the same value
                return actual instanceof BigDecimal || actual instanceof Long || actual instanceof Double d && Double.isFinite(d)
                        ? new BigDecimal(actual.toString()).compareTo(new BigDecimal(expected)) == 0 : false;
            case "BOOL":
                return actual instanceof Boolean && actual.toString().equals(expected);
            case "STRING":
                return actual instanceof String && actual.equals(expected);
            case "BYTES":
                return actual instanceof byte[] bytes && bytesLiteral(bytes).equals(expected);
            case "DATE":
                return actual instanceof LocalDate && actual.toString().equals(expected);
            case "DATETIME":
                return actual instanceof LocalDateTime dt && LocalDateTime.parse(expected).equals(dt);
            case "TIME":
                return actual instanceof LocalTime t && LocalTime.parse(expected).equals(t);
            case "TIMESTAMP": {
                Instant e = OffsetDateTime.parse(expected, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
                if (actual instanceof Instant i) {
                    return i.equals(e);
                }
                if (actual instanceof OffsetDateTime o) {
                    return o.toInstant().equals(e);
                }
                return actual instanceof LocalDateTime l && l.toInstant(ZoneOffset.UTC).equals(e);
            }
            case "JSON":
                try {
                    return JSON.readTree(expected).equals(JSON.readTree(actual.toString()));
                } catch (IOException e) {
                    return false;
                }
            default:
                return expected.equals(String.valueOf(actual));
        }
    }

    /** BigQuery's bytes literal text: printable ASCII as is, {@code "} and {@code \} escaped, others {@code \xNN}. */
    static String bytesLiteral(byte[] bytes) {
        StringBuilder out = new StringBuilder("b\"");
        for (byte b : bytes) {
            int v = b & 0xff;
            if (v == '"' || v == '\\') {
                out.append('\\').append((char) v);
            } else if (v >= 0x20 && v < 0x7f) {
                out.append((char) v);
            } else {
                out.append(String.format("\\x%02x", v));
            }
        }
        return out.append('"').toString();
    }

    /** Counts of each outcome per family, in family order, plus the total. */
    static Map<String, Map<Outcome, Integer>> tally(Collection<Result> results) {
        Map<String, Map<Outcome, Integer>> byFamily = new java.util.TreeMap<>();
        for (Result r : results) {
            byFamily.computeIfAbsent(r.test().family(), f -> new java.util.EnumMap<>(Outcome.class)).merge(r.outcome(), 1, Integer::sum);
        }
        Map<String, Map<Outcome, Integer>> withTotal = new LinkedHashMap<>(byFamily);
        Map<Outcome, Integer> total = new java.util.EnumMap<>(Outcome.class);
        byFamily.values().forEach(m -> m.forEach((o, n) -> total.merge(o, n, Integer::sum)));
        withTotal.put("all", total);
        return withTotal;
    }
}
