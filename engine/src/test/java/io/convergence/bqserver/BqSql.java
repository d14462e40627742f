package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.engine.sql.SqlLexer;
import io.convergence.engine.sql.SqlLexer.Token;
import io.convergence.engine.warehouse.duckdb.BigQueryToDuckDb;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * BigQuery scripts as DuckDB statements. Each statement is rewritten token by token, so nothing inside a
 * literal or comment changes: {@code project.dataset.table} paths lose their project (datasets are DuckDB
 * schemas), BigQuery-only clauses (PARTITION BY, CLUSTER BY, OPTIONS) are lifted into table metadata,
 * {@code INFORMATION_SCHEMA} views become subqueries over the catalog, the rest goes through the project's
 * own {@link BigQueryToDuckDb}, and every {@code @name} or {@code ?} becomes a bound, typed placeholder.
 */
final class BqSql {
    private static final String PLACEHOLDER = "__bqserver_is_";

    /** What a statement does; drives how the job runs it and its {@code statementType}. */
    enum Kind {
        QUERY("SELECT"), INSERT("INSERT"), UPDATE("UPDATE"), DELETE("DELETE"), MERGE("MERGE"),
        CREATE_TABLE("CREATE_TABLE"), CREATE_VIEW("CREATE_VIEW"), CREATE_SCHEMA("CREATE_SCHEMA"),
        DROP_TABLE("DROP_TABLE"), DROP_VIEW("DROP_VIEW"), DROP_SCHEMA("DROP_SCHEMA"), ALTER_TABLE("ALTER_TABLE"),
        TRUNCATE_TABLE("TRUNCATE_TABLE"), BEGIN("BEGIN_TRANSACTION"), COMMIT("COMMIT_TRANSACTION"),
        ROLLBACK("ROLLBACK_TRANSACTION"), ASSERT("ASSERT");

        private final String statementType;

        Kind(String statementType) {
            this.statementType = statementType;
        }

        String statementType() {
            return statementType;
        }

        boolean isDml() {
            return this == INSERT || this == UPDATE || this == DELETE || this == MERGE;
        }
    }

    /** A dataset and table; dataset null for a temporary table of the script. */
    record TableRef(String dataset, String table) {
        TableRef {
            requireNonNull(table, "table is null");
        }

        String quoted() {
            return dataset == null ? BqTypes.quote(table) : BqTypes.quote(dataset) + "." + BqTypes.quote(table);
        }

        @Override
        public String toString() {
            return dataset == null ? table : dataset + "." + table;
        }
    }

    /** The job's frame of reference: its project (paths naming it lose it) and default dataset. */
    record Context(Set<String> projects, String project, String defaultDataset, Catalog catalog) {
        Context {
            projects = Set.copyOf(projects);
            requireNonNull(project, "project is null");
            requireNonNull(catalog, "catalog is null");
        }

        TableRef resolve(List<String> parts) {
            if (parts.size() == 1) {
                return new TableRef(defaultDataset, parts.get(0));
            }
            if (parts.size() == 2) {
                return new TableRef(parts.get(0), parts.get(1));
            }
            return null;
        }
    }

    /** One statement of a script, translated and with its bindings. */
    static final class Statement {
        Kind kind;
        String bigQuerySql;
        String duckSql;
        List<QueryParams.Bind> binds = List.of();
        /** Written table of DML and DDL. */
        TableRef target;
        /** Multi-part paths and single words, for bytes estimates. */
        final List<List<String>> paths = new ArrayList<>();
        final Set<String> words = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        boolean star;
        /** CREATE TABLE / CREATE SCHEMA extras: partitioning, clustering, description, location. */
        ObjectNode extras;
        boolean orReplace;
        boolean ifNotExists;
        boolean temporary;
        boolean asSelect;
        /** ASSERT's description. */
        String assertMessage;

        @Override
        public String toString() {
            return kind + ": " + duckSql;
        }
    }

    private BqSql() {
    }

    /** Splits a script at top-level semicolons; empty statements are dropped. */
    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean significant = false;
        int depth = 0;
        for (Token t : SqlLexer.tokenize(sql)) {
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            }
            if (depth == 0 && t.isSymbol(";")) {
                if (significant) {
                    out.add(current.toString().strip());
                }
                current.setLength(0);
                significant = false;
                continue;
            }
            current.append(t.text());
            significant |= t.significant();
        }
        if (significant) {
            out.add(current.toString().strip());
        }
        return out;
    }

    /** Translates one statement; {@code params} hands out bindings (positional ones in order across the script). */
    static Statement prepare(String text, Context ctx, QueryParams params) {
        Statement st = new Statement();
        st.bigQuerySql = text;
        List<Token> toks = SqlLexer.tokenize(text);
        st.kind = kind(toks);
        Map<String, String[]> infoSchema = new LinkedHashMap<>();
        String rewritten = rewritePaths(toks, ctx, st, infoSchema);
        toks = SqlLexer.tokenize(rewritten);
        st.target = target(toks, st.kind, ctx);
        String duck;
        switch (st.kind) {
            case INSERT:
                duck = translate(insertKeyword(toks, "INSERT", "INTO"));
                break;
            case DELETE:
                duck = translate(insertKeyword(toks, "DELETE", "FROM"));
                break;
            case MERGE:
                duck = translate(merge(toks));
                break;
            case CREATE_TABLE:
                duck = createTable(toks, st);
                break;
            case CREATE_VIEW:
                duck = translate(render(stripOptions(toks, new ArrayList<>())));
                break;
            case CREATE_SCHEMA:
                duck = createSchema(toks, st);
                break;
            case ALTER_TABLE:
                duck = alterTable(toks);
                break;
            case BEGIN:
                duck = "BEGIN TRANSACTION";
                break;
            case COMMIT:
                duck = "COMMIT";
                break;
            case ROLLBACK:
                duck = "ROLLBACK";
                break;
            case ASSERT:
                duck = translate(assertion(toks, st));
                break;
            default:
                duck = translate(rewritten);
        }
        for (Map.Entry<String, String[]> e : infoSchema.entrySet()) {
            duck = duck.replace(BqTypes.quote(e.getKey()), InformationSchema.subquery(ctx, e.getValue()[0], e.getValue()[1]));
        }
        List<QueryParams.Bind> binds = new ArrayList<>();
        st.duckSql = params.bind(duck, binds, ctx);
        st.binds = List.copyOf(binds);
        return st;
    }

    static String translate(String bigQuerySql) {
        return BigQueryToDuckDb.translate(bigQuerySql);
    }

    /** The DuckDB spelling of a BigQuery type ({@code ARRAY<STRUCT<a INT64>>} and so on). */
    static String duckTypeOf(String bigQueryType) {
        String cast = translate("CAST(NULL AS " + bigQueryType + ")");
        String prefix = "CAST(NULL AS ";
        if (!cast.startsWith(prefix) || !cast.endsWith(")")) {
            throw BqException.invalidQuery("Unsupported type " + bigQueryType);
        }
        return cast.substring(prefix.length(), cast.length() - 1).strip();
    }

    // ---- classification

    private static Kind kind(List<Token> toks) {
        List<String> words = new ArrayList<>();
        for (Token t : toks) {
            if (t.significant()) {
                words.add(t.kind() == SqlLexer.Kind.WORD ? t.text().toUpperCase(Locale.ROOT) : t.text());
                if (words.size() == 6) {
                    break;
                }
            }
        }
        if (words.isEmpty()) {
            throw BqException.invalidQuery("Syntax error: empty statement");
        }
        String first = words.get(0);
        switch (first) {
            case "SELECT":
            case "WITH":
            case "(":
            case "VALUES":
                return Kind.QUERY;
            case "INSERT":
                return Kind.INSERT;
            case "UPDATE":
                return Kind.UPDATE;
            case "DELETE":
                return Kind.DELETE;
            case "MERGE":
                return Kind.MERGE;
            case "TRUNCATE":
                return Kind.TRUNCATE_TABLE;
            case "ASSERT":
                return Kind.ASSERT;
            case "COMMIT":
                return Kind.COMMIT;
            case "ROLLBACK":
                return Kind.ROLLBACK;
            case "BEGIN":
                if (words.size() == 1 || words.get(1).equals("TRANSACTION")) {
                    return Kind.BEGIN;
                }
                throw unsupported("BEGIN ... END blocks");
            case "CREATE":
                if (words.contains("TABLE")) {
                    return Kind.CREATE_TABLE;
                }
                if (words.contains("VIEW")) {
                    return Kind.CREATE_VIEW;
                }
                if (words.contains("SCHEMA")) {
                    return Kind.CREATE_SCHEMA;
                }
                break;
            case "DROP":
                if (words.size() > 1) {
                    switch (words.get(1)) {
                        case "TABLE":
                            return Kind.DROP_TABLE;
                        case "VIEW":
                            return Kind.DROP_VIEW;
                        case "SCHEMA":
                            return Kind.DROP_SCHEMA;
                        default:
                            break;
                    }
                }
                break;
            case "ALTER":
                if (words.size() > 1 && words.get(1).equals("TABLE")) {
                    return Kind.ALTER_TABLE;
                }
                break;
            default:
                break;
        }
        throw unsupported("the statement " + String.join(" ", words.subList(0, Math.min(2, words.size()))));
    }

    private static BqException unsupported(String what) {
        return BqException.invalidQuery("Not supported by the BigQuery test server: " + what);
    }

    // ---- paths

    private static String rewritePaths(List<Token> toks, Context ctx, Statement st, Map<String, String[]> infoSchema) {
        boolean schemaStatement = st.kind == Kind.CREATE_SCHEMA || st.kind == Kind.DROP_SCHEMA;
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < toks.size()) {
            Token t = toks.get(i);
            if (t.isSymbol("*")) {
                int prev = previous(toks, i - 1);
                if (prev >= 0 && (toks.get(prev).isWord("SELECT") || toks.get(prev).isSymbol(",") || toks.get(prev).isSymbol("."))) {
                    st.star = true;
                }
            }
            if (t.kind() != SqlLexer.Kind.WORD && t.kind() != SqlLexer.Kind.QUOTED_IDENT) {
                out.append(t.text());
                i++;
                continue;
            }
            List<String> parts = new ArrayList<>(parts(t));
            int j = i + 1;
            while (j + 1 < toks.size() && toks.get(j).isSymbol(".")
                    && (toks.get(j + 1).kind() == SqlLexer.Kind.WORD || toks.get(j + 1).kind() == SqlLexer.Kind.QUOTED_IDENT)) {
                parts.addAll(parts(toks.get(j + 1)));
                j += 2;
            }
            for (String p : parts) {
                st.words.add(p);
            }
            String original = concat(toks, i, j);
            if (parts.size() == 1 && t.kind() == SqlLexer.Kind.WORD) {
                out.append(original);
                i = j;
                continue;
            }
            int info = indexOfIgnoreCase(parts, "INFORMATION_SCHEMA");
            if (info >= 0 && info + 1 < parts.size()) {
                String dataset = info >= 1 && !ctx.projects().contains(parts.get(info - 1))
                        && !parts.get(info - 1).toLowerCase(Locale.ROOT).startsWith("region-") ? parts.get(info - 1) : null;
                String key = PLACEHOLDER + infoSchema.size();
                infoSchema.put(key, new String[] {dataset, parts.get(info + 1).toUpperCase(Locale.ROOT)});
                out.append('`').append(key).append('`');
                i = j;
                continue;
            }
            boolean changed = false;
            if (parts.size() >= 3 && ctx.projects().contains(parts.get(0))
                    || parts.size() == 2 && schemaStatement && ctx.projects().contains(parts.get(0))) {
                parts.remove(0);
                changed = true;
            }
            st.paths.add(List.copyOf(parts));
            if (changed) {
                out.append('`').append(String.join(".", parts)).append('`');
            } else {
                out.append(original);
            }
            i = j;
        }
        return out.toString();
    }

    private static List<String> parts(Token t) {
        if (t.kind() == SqlLexer.Kind.WORD) {
            return List.of(t.text());
        }
        String text = t.text();
        String body = text.length() >= 2 && text.endsWith("`") ? text.substring(1, text.length() - 1) : text.substring(1);
        return List.of(body.split("\\.", -1));
    }

    private static int indexOfIgnoreCase(List<String> parts, String wanted) {
        for (int k = 0; k < parts.size(); k++) {
            if (parts.get(k).equalsIgnoreCase(wanted)) {
                return k;
            }
        }
        return -1;
    }

    /** The table a DML or DDL statement writes: the path after its leading keywords. */
    private static TableRef target(List<Token> toks, Kind kind, Context ctx) {
        Set<String> skip;
        switch (kind) {
            case INSERT:
            case UPDATE:
            case DELETE:
            case MERGE:
            case TRUNCATE_TABLE:
            case CREATE_TABLE:
            case CREATE_VIEW:
            case DROP_TABLE:
            case DROP_VIEW:
            case ALTER_TABLE:
                skip = Set.of("INSERT", "INTO", "UPDATE", "DELETE", "FROM", "MERGE", "TRUNCATE", "TABLE", "CREATE", "OR",
                        "REPLACE", "TEMP", "TEMPORARY", "IF", "NOT", "EXISTS", "DROP", "ALTER", "VIEW", "MATERIALIZED");
                break;
            default:
                return null;
        }
        int i = next(toks, 0);
        while (i < toks.size() && toks.get(i).kind() == SqlLexer.Kind.WORD && skip.contains(toks.get(i).text().toUpperCase(Locale.ROOT))) {
            i = next(toks, i + 1);
        }
        if (i >= toks.size() || toks.get(i).kind() != SqlLexer.Kind.WORD && toks.get(i).kind() != SqlLexer.Kind.QUOTED_IDENT) {
            return null;
        }
        List<String> parts = new ArrayList<>(parts(toks.get(i)));
        int j = i + 1;
        while (j + 1 < toks.size() && toks.get(j).isSymbol(".")) {
            parts.addAll(parts(toks.get(j + 1)));
            j += 2;
        }
        return ctx.resolve(parts);
    }

    // ---- statement rewrites (BigQuery text in, BigQuery text out unless noted)

    /** {@code INSERT t ...} and {@code DELETE t ...}: BigQuery lets INTO / FROM go, DuckDB does not. */
    private static String insertKeyword(List<Token> toks, String keyword, String missing) {
        int first = next(toks, 0);
        int second = next(toks, first + 1);
        if (second < toks.size() && toks.get(first).isWord(keyword) && !toks.get(second).isWord(missing)) {
            return concat(toks, 0, first + 1) + " " + missing + concat(toks, first + 1, toks.size());
        }
        return render(toks);
    }

    private static String merge(List<Token> toks) {
        StringBuilder out = new StringBuilder();
        int first = next(toks, 0);
        int second = next(toks, first + 1);
        for (int i = 0; i < toks.size(); i++) {
            Token t = toks.get(i);
            out.append(t.text());
            if (i == first && second < toks.size() && !toks.get(second).isWord("INTO")) {
                out.append(" INTO");
            }
            if (t.isWord("INSERT")) {
                int nx = next(toks, i + 1);
                if (nx < toks.size() && toks.get(nx).isWord("ROW")) {
                    // BigQuery inserts the source row by position; DuckDB's INSERT * does the same
                    out.append(" *");
                    i = nx;
                }
            }
            if (t.isWord("MATCHED")) {
                int by = next(toks, i + 1);
                int what = next(toks, by + 1);
                if (what < toks.size() && toks.get(by).isWord("BY") && toks.get(what).isWord("TARGET")) {
                    i = what;
                }
            }
        }
        return out.toString();
    }

    /** CREATE TABLE: the column list typed for DuckDB, PARTITION BY / CLUSTER BY / OPTIONS into metadata. Returns DuckDB SQL. */
    private static String createTable(List<Token> toks, Statement st) {
        int i = next(toks, 0); // CREATE
        StringBuilder head = new StringBuilder("CREATE ");
        i = next(toks, i + 1);
        if (toks.get(i).isWord("OR")) {
            st.orReplace = true;
            head.append("OR REPLACE ");
            i = next(toks, next(toks, i + 1) + 1);
        }
        if (toks.get(i).isWord("TEMP") || toks.get(i).isWord("TEMPORARY")) {
            st.temporary = true;
            head.append("TEMP ");
            i = next(toks, i + 1);
        }
        if (!toks.get(i).isWord("TABLE")) {
            throw unsupported("CREATE " + toks.get(i).text() + " TABLE");
        }
        head.append("TABLE ");
        i = next(toks, i + 1);
        if (toks.get(i).isWord("IF")) {
            st.ifNotExists = true;
            head.append("IF NOT EXISTS ");
            i = next(toks, next(toks, next(toks, i + 1) + 1) + 1);
        }
        int pathStart = i;
        int j = i + 1;
        while (j + 1 < toks.size() && toks.get(j).isSymbol(".")) {
            j += 2;
        }
        String path = translate(concat(toks, pathStart, j)).strip();
        i = next(toks, j);
        ObjectNode extras = BqTypes.JSON.objectNode();
        st.extras = extras;
        List<String[]> columns = null;
        if (i < toks.size() && toks.get(i).isSymbol("(")) {
            int close = matchParen(toks, i);
            columns = columns(toks, i + 1, close, extras);
            i = next(toks, close + 1);
        }
        String copyFrom = null;
        while (i < toks.size()) {
            Token t = toks.get(i);
            if (t.isWord("AS")) {
                st.asSelect = true;
                break;
            }
            if (t.isWord("LIKE") || t.isWord("COPY") || t.isWord("CLONE")) {
                int from = next(toks, i + 1);
                int end = from + 1;
                while (end + 1 < toks.size() && toks.get(end).isSymbol(".")) {
                    end += 2;
                }
                copyFrom = translate(concat(toks, from, end)).strip() + (t.isWord("LIKE") ? " LIMIT 0" : "");
                i = next(toks, end);
                continue;
            }
            if (t.isWord("PARTITION")) {
                int by = next(toks, i + 1);
                int end = clauseEnd(toks, by + 1);
                partitioning(toks, next(toks, by + 1), end, extras);
                i = next(toks, end);
                continue;
            }
            if (t.isWord("CLUSTER")) {
                int by = next(toks, i + 1);
                int end = clauseEnd(toks, by + 1);
                var fields = extras.putObject("clustering").putArray("fields");
                for (int k = by + 1; k < end; k++) {
                    if (toks.get(k).kind() == SqlLexer.Kind.WORD || toks.get(k).kind() == SqlLexer.Kind.QUOTED_IDENT) {
                        fields.add(parts(toks.get(k)).get(0));
                    }
                }
                i = next(toks, end);
                continue;
            }
            if (t.isWord("OPTIONS")) {
                int open = next(toks, i + 1);
                int close = matchParen(toks, open);
                options(toks, open + 1, close, extras);
                i = next(toks, close + 1);
                continue;
            }
            if (t.isWord("DEFAULT")) {
                // DEFAULT COLLATE 'x': collation is not modelled
                i = next(toks, next(toks, next(toks, i + 1) + 1) + 1);
                continue;
            }
            throw BqException.invalidQuery("Syntax error: unexpected " + t.text() + " in CREATE TABLE");
        }
        String query = st.asSelect ? translate(concat(toks, next(toks, i + 1), toks.size())).strip() : null;
        if (copyFrom != null) {
            st.asSelect = true;
            return head + path + " AS SELECT * FROM " + copyFrom;
        }
        if (columns == null) {
            if (query == null) {
                throw BqException.invalidQuery("CREATE TABLE needs a column list or AS query");
            }
            return head + path + " AS " + query;
        }
        if (query == null) {
            List<String> defs = new ArrayList<>();
            for (String[] c : columns) {
                defs.add(BqTypes.quote(c[0]) + " " + c[1] + c[2]);
            }
            return head + path + " (" + String.join(", ", defs) + ")";
        }
        // DuckDB takes a column list or a query, not both: the query's columns are cast to the declared types
        List<String> names = new ArrayList<>();
        List<String> casts = new ArrayList<>();
        for (String[] c : columns) {
            names.add(BqTypes.quote(c[0]));
            casts.add("CAST(" + BqTypes.quote(c[0]) + " AS " + c[1] + ") AS " + BqTypes.quote(c[0]));
        }
        return head + path + " AS SELECT " + String.join(", ", casts) + " FROM (" + query + ") AS __q(" + String.join(", ", names) + ")";
    }

    /** Column definitions: name, DuckDB type, constraint suffix; descriptions go to {@code extras.schema}. */
    private static List<String[]> columns(List<Token> toks, int from, int to, ObjectNode extras) {
        List<String[]> out = new ArrayList<>();
        var fields = extras.putObject("schema").putArray("fields");
        for (int[] range : splitTopLevel(toks, from, to)) {
            int k = next(toks, range[0]);
            if (k >= range[1]) {
                continue;
            }
            String name = parts(toks.get(k)).get(0);
            int typeStart = next(toks, k + 1);
            int typeEnd = typeStart;
            int depth = 0;
            while (typeEnd < range[1]) {
                Token t = toks.get(typeEnd);
                if (t.isSymbol("<") || t.isSymbol("(")) {
                    depth++;
                } else if (t.isSymbol(">") || t.isSymbol(")")) {
                    depth--;
                } else if (depth == 0 && (t.isWord("NOT") || t.isWord("OPTIONS") || t.isWord("DEFAULT")
                        || t.isWord("COLLATE") || t.isWord("PRIMARY"))) {
                    break;
                }
                typeEnd++;
            }
            String bqType = concat(toks, typeStart, typeEnd).strip();
            String duckType = duckTypeOf(bqType);
            StringBuilder suffix = new StringBuilder();
            ObjectNode field = fields.addObject();
            field.put("name", name);
            field.put("type", bqType.toUpperCase(Locale.ROOT).split("[<( ]")[0]);
            int m = typeEnd;
            while (m < range[1]) {
                Token t = toks.get(m);
                if (t.isWord("NOT")) {
                    suffix.append(" NOT NULL");
                    field.put("mode", "REQUIRED");
                    m = next(toks, next(toks, m + 1) + 1);
                } else if (t.isWord("OPTIONS")) {
                    int open = next(toks, m + 1);
                    int close = matchParen(toks, open);
                    ObjectNode opts = BqTypes.JSON.objectNode();
                    options(toks, open + 1, close, opts);
                    if (opts.has("description")) {
                        field.set("description", opts.get("description"));
                    }
                    m = next(toks, close + 1);
                } else if (t.isWord("DEFAULT")) {
                    int end = m + 1;
                    while (end < range[1] && !toks.get(end).isWord("OPTIONS") && !toks.get(end).isWord("NOT")) {
                        end++;
                    }
                    suffix.append(" DEFAULT ").append(translate(concat(toks, m + 1, end)).strip());
                    m = next(toks, end);
                } else {
                    m = next(toks, m + 1);
                }
            }
            out.add(new String[] {name, duckType, suffix.toString()});
        }
        return out;
    }

    private static void partitioning(List<Token> toks, int from, int to, ObjectNode extras) {
        List<Token> sig = new ArrayList<>();
        for (int k = from; k < to; k++) {
            if (toks.get(k).significant()) {
                sig.add(toks.get(k));
            }
        }
        if (sig.isEmpty()) {
            throw BqException.invalidQuery("PARTITION BY needs an expression");
        }
        String head = sig.get(0).text().toUpperCase(Locale.ROOT);
        if (sig.size() == 1) {
            String column = parts(sig.get(0)).get(0);
            ObjectNode tp = extras.putObject("timePartitioning");
            tp.put("type", "DAY");
            if (!column.equalsIgnoreCase("_PARTITIONDATE")) {
                tp.put("field", column);
            }
            return;
        }
        if (head.equals("DATE") && sig.size() >= 4) {
            String column = parts(sig.get(2)).get(0);
            ObjectNode tp = extras.putObject("timePartitioning");
            tp.put("type", "DAY");
            if (!column.equalsIgnoreCase("_PARTITIONTIME")) {
                tp.put("field", column);
            }
            return;
        }
        if ((head.equals("TIMESTAMP_TRUNC") || head.equals("DATETIME_TRUNC") || head.equals("DATE_TRUNC")) && sig.size() >= 6) {
            ObjectNode tp = extras.putObject("timePartitioning");
            tp.put("type", sig.get(4).text().toUpperCase(Locale.ROOT));
            String column = parts(sig.get(2)).get(0);
            if (!column.equalsIgnoreCase("_PARTITIONTIME")) {
                tp.put("field", column);
            }
            return;
        }
        if (head.equals("RANGE_BUCKET")) {
            List<String> numbers = new ArrayList<>();
            for (Token t : sig) {
                if (t.kind() == SqlLexer.Kind.NUMBER) {
                    numbers.add(t.text());
                }
            }
            if (numbers.size() == 3) {
                ObjectNode rp = extras.putObject("rangePartitioning");
                rp.put("field", parts(sig.get(2)).get(0));
                ObjectNode range = rp.putObject("range");
                range.put("start", numbers.get(0));
                range.put("end", numbers.get(1));
                range.put("interval", numbers.get(2));
                return;
            }
        }
        throw unsupported("PARTITION BY " + render(sig));
    }

    /** {@code key = literal, ...} into {@code target}; strings unquoted, other literals as written. */
    private static void options(List<Token> toks, int from, int to, ObjectNode target) {
        for (int[] range : splitTopLevel(toks, from, to)) {
            int k = next(toks, range[0]);
            if (k >= range[1]) {
                continue;
            }
            String key = toks.get(k).text().toLowerCase(Locale.ROOT);
            int eq = next(toks, k + 1);
            int v = next(toks, eq + 1);
            if (v >= range[1]) {
                continue;
            }
            String value = concat(toks, v, range[1]).strip();
            if (toks.get(v).kind() == SqlLexer.Kind.STRING && next(toks, v + 1) >= range[1]) {
                value = unquote(toks.get(v).text());
            }
            target.put(key, value);
        }
        if (target.has("friendly_name")) {
            target.set("friendlyName", target.remove("friendly_name"));
        }
    }

    private static String createSchema(List<Token> toks, Statement st) {
        ObjectNode options = BqTypes.JSON.objectNode();
        List<Token> kept = stripOptions(toks, List.of(options));
        st.extras = options;
        // DEFAULT COLLATE has no DuckDB meaning
        String sql = translate(render(kept));
        return sql.replaceAll("(?i)\\s+DEFAULT\\s+COLLATE\\s+'[^']*'", "");
    }

    /** Drops {@code OPTIONS(...)} clauses, parsing them into the given node if one is passed. */
    private static List<Token> stripOptions(List<Token> toks, List<ObjectNode> into) {
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < toks.size(); i++) {
            Token t = toks.get(i);
            int open = next(toks, i + 1);
            if (t.isWord("OPTIONS") && open < toks.size() && toks.get(open).isSymbol("(")) {
                int close = matchParen(toks, open);
                if (!into.isEmpty()) {
                    options(toks, open + 1, close, into.get(0));
                }
                i = close;
                continue;
            }
            out.add(t);
        }
        return out;
    }

    private static String alterTable(List<Token> toks) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < toks.size()) {
            Token t = toks.get(i);
            int nx = next(toks, i + 1);
            Token nextTok = nx < toks.size() ? toks.get(nx) : null;
            if (t.isWord("SET") && nextTok != null && nextTok.isWord("OPTIONS")) {
                // table and column options (descriptions, expirations) are metadata only: nothing to run
                return "SELECT 1";
            }
            int typeStart = -1;
            if (t.isWord("ADD") && nextTok != null && nextTok.isWord("COLUMN")) {
                int k = next(toks, nx + 1);
                if (k < toks.size() && toks.get(k).isWord("IF")) {
                    k = next(toks, next(toks, next(toks, k + 1) + 1) + 1);
                }
                out.append(concat(toks, i, k + 1));
                typeStart = next(toks, k + 1);
            } else if (t.isWord("SET") && nextTok != null && nextTok.isWord("DATA")) {
                int type = next(toks, nx + 1);
                out.append(concat(toks, i, type + 1));
                typeStart = next(toks, type + 1);
            }
            if (typeStart < 0) {
                if (t.isWord("OPTIONS") && nextTok != null && nextTok.isSymbol("(")) {
                    i = matchParen(toks, nx) + 1;
                    continue;
                }
                out.append(t.text());
                i++;
                continue;
            }
            int end = typeStart;
            int depth = 0;
            while (end < toks.size()) {
                Token e = toks.get(end);
                if (e.isSymbol("<") || e.isSymbol("(")) {
                    depth++;
                } else if (e.isSymbol(">") || e.isSymbol(")")) {
                    depth--;
                } else if (depth == 0 && (e.isSymbol(",") || e.isWord("NOT") || e.isWord("OPTIONS") || e.isWord("DEFAULT"))) {
                    break;
                }
                end++;
            }
            out.append(' ').append(duckTypeOf(concat(toks, typeStart, end).strip())).append(' ');
            i = end;
        }
        return translate(out.toString());
    }

    /** {@code ASSERT expr [AS 'description']} as {@code SELECT (expr)}, the description kept for the error. */
    private static String assertion(List<Token> toks, Statement st) {
        int start = next(toks, 0) + 1;
        int end = toks.size();
        int last = previous(toks, toks.size() - 1);
        int as = previous(toks, last - 1);
        String exprText;
        if (last > start && toks.get(last).kind() == SqlLexer.Kind.STRING && as >= 0 && toks.get(as).isWord("AS")) {
            st.assertMessage = unquote(toks.get(last).text());
            end = as;
        }
        exprText = concat(toks, start, end).strip();
        if (st.assertMessage == null) {
            st.assertMessage = "Assertion failed: " + exprText;
        }
        return "SELECT (" + exprText + ")";
    }

    // ---- token helpers

    private static int clauseEnd(List<Token> toks, int from) {
        int depth = 0;
        for (int k = from; k < toks.size(); k++) {
            Token t = toks.get(k);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && (t.isWord("CLUSTER") || t.isWord("OPTIONS") || t.isWord("AS") || t.isWord("PARTITION"))) {
                return k;
            }
        }
        return toks.size();
    }

    private static List<int[]> splitTopLevel(List<Token> toks, int from, int to) {
        List<int[]> out = new ArrayList<>();
        int depth = 0;
        int start = from;
        for (int k = from; k < to; k++) {
            Token t = toks.get(k);
            if (t.isSymbol("(") || t.isSymbol("<") || t.isSymbol("[")) {
                depth++;
            } else if (t.isSymbol(")") || t.isSymbol(">") || t.isSymbol("]")) {
                depth--;
            } else if (depth == 0 && t.isSymbol(",")) {
                out.add(new int[] {start, k});
                start = k + 1;
            }
        }
        out.add(new int[] {start, to});
        return out;
    }

    private static int matchParen(List<Token> toks, int open) {
        int depth = 0;
        for (int k = open; k < toks.size(); k++) {
            if (toks.get(k).isSymbol("(")) {
                depth++;
            } else if (toks.get(k).isSymbol(")")) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        throw BqException.invalidQuery("Syntax error: unbalanced parentheses");
    }

    static int next(List<Token> toks, int from) {
        int k = from;
        while (k < toks.size() && !toks.get(k).significant()) {
            k++;
        }
        return k;
    }

    static int previous(List<Token> toks, int from) {
        int k = from;
        while (k >= 0 && !toks.get(k).significant()) {
            k--;
        }
        return k;
    }

    static String concat(List<Token> toks, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int k = from; k < to && k < toks.size(); k++) {
            out.append(toks.get(k).text());
        }
        return out.toString();
    }

    static String render(List<Token> toks) {
        return concat(toks, 0, toks.size());
    }

    /** The value of a simple BigQuery string literal. */
    static String unquote(String literal) {
        String s = literal;
        boolean raw = false;
        while (!s.isEmpty() && s.charAt(0) != '\'' && s.charAt(0) != '"') {
            raw |= s.charAt(0) == 'r' || s.charAt(0) == 'R';
            s = s.substring(1);
        }
        int q = s.startsWith("'''") || s.startsWith("\"\"\"") ? 3 : 1;
        if (s.length() < 2 * q) {
            return s;
        }
        String body = s.substring(q, s.length() - q);
        if (raw) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < body.length(); k++) {
            char c = body.charAt(k);
            if (c == '\\' && k + 1 < body.length()) {
                char e = body.charAt(++k);
                out.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static JsonNode text(String value) {
        return BqTypes.JSON.textNode(value);
    }
}
