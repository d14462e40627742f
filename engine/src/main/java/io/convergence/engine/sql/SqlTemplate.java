package io.convergence.engine.sql;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Ids;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL file as Convergence reads it: BigQuery Standard SQL whose tables appear only as
 * {@code {{ ref('dataset.table') }}} and whose values appear only as {@code @name} parameters.
 *
 * <p>Parsing never throws: it records refs, parameters, table names written directly after
 * FROM/JOIN, and malformed templates, each with its line and column, so the validator can report
 * them all. Rendering replaces refs with quoted physical names and parameters with placeholders;
 * values are never spliced into the text.
 */
public final class SqlTemplate {
    private static final Pattern REF = Pattern.compile("\\{\\{\\s*ref\\(\\s*(['\"])([^'\"]*)\\1\\s*\\)\\s*}}");
    private static final Set<String> FROM_FUNCTIONS = Set.of("EXTRACT", "SUBSTRING", "TRIM", "OVERLAY", "POSITION");
    /** Words after FROM or JOIN that are not a table: BigQuery's reserved keywords (a syntax error, not a raw table). */
    private static final Set<String> NOT_TABLES = Set.of("ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "ASSERT_ROWS_MODIFIED", "AT",
            "BETWEEN", "BY", "CASE", "CAST", "COLLATE", "CONTAINS", "CREATE", "CROSS", "CUBE", "CURRENT", "DEFAULT", "DEFINE", "DESC",
            "DISTINCT", "ELSE", "END", "ENUM", "ESCAPE", "EXCEPT", "EXCLUDE", "EXISTS", "EXTRACT", "FALSE", "FETCH", "FOLLOWING", "FOR",
            "FROM", "FULL", "GROUP", "GROUPING", "GROUPS", "HASH", "HAVING", "IF", "IGNORE", "IN", "INNER", "INTERSECT", "INTERVAL",
            "INTO", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT", "LOOKUP", "MERGE", "NATURAL", "NEW", "NO", "NOT", "NULL", "NULLS",
            "OF", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "PRECEDING", "PROTO", "QUALIFY", "RANGE", "RECURSIVE", "RESPECT",
            "RIGHT", "ROLLUP", "ROWS", "SELECT", "SET", "SOME", "STRUCT", "TABLESAMPLE", "THEN", "TO", "TREAT", "TRUE", "UNBOUNDED",
            "UNION", "UNNEST", "USING", "WHEN", "WHERE", "WINDOW", "WITH", "WITHIN");

    /** A {@code {{ ref('...') }}} occurrence; {@code target} is the text inside the quotes. */
    public record Ref(String target, int start, int end, int line, int column) {
    }

    /** An {@code @name} occurrence. */
    public record Param(String name, int start, int end, int line, int column) {
    }

    /** A table written by name right after FROM or JOIN instead of through ref(). */
    public record RawTable(String text, int line, int column) {
    }

    /** A {@code {{ ... }}} that is not a well-formed ref. */
    public record BadTemplate(String text, int line, int column) {
    }

    /** Rendered SQL plus the parameter names in placeholder order (for positional binding). */
    public record Rendered(String sql, List<String> parameterOrder) {
        public Rendered {
            requireNonNull(sql, "sql is null");
            parameterOrder = List.copyOf(parameterOrder);
        }
    }

    private final String sql;
    private final List<Ref> refs;
    private final List<Param> params;
    private final List<RawTable> rawTables;
    private final List<BadTemplate> badTemplates;
    private final int statementCount;

    private SqlTemplate(String sql, List<Ref> refs, List<Param> params, List<RawTable> rawTables,
                        List<BadTemplate> badTemplates, int statementCount) {
        this.sql = sql;
        this.refs = List.copyOf(refs);
        this.params = List.copyOf(params);
        this.rawTables = List.copyOf(rawTables);
        this.badTemplates = List.copyOf(badTemplates);
        this.statementCount = statementCount;
    }

    public String sql() {
        return sql;
    }

    public List<Ref> refs() {
        return refs;
    }

    public List<Param> parameters() {
        return params;
    }

    public List<RawTable> rawTables() {
        return rawTables;
    }

    public List<BadTemplate> badTemplates() {
        return badTemplates;
    }

    /** Number of non-empty statements separated by top-level semicolons. */
    public int statementCount() {
        return statementCount;
    }

    /** Distinct parameter names in order of first use. */
    public List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        for (Param p : params) {
            if (!names.contains(p.name())) {
                names.add(p.name());
            }
        }
        return names;
    }

    /**
     * Renders the SQL: each ref becomes {@code resolver.apply(ref target)} (which must return an already
     * validated and quoted name), each parameter becomes {@code ?} when {@code positional}, else stays
     * {@code @name}. Comments and string literals are kept as written.
     */
    public Rendered render(Function<String, String> resolver, boolean positional) {
        record Span(int start, int end, String replacement) {
        }
        List<Span> spans = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (Ref r : refs) {
            spans.add(new Span(r.start(), r.end(), resolver.apply(r.target())));
        }
        if (positional) {
            for (Param p : params) {
                spans.add(new Span(p.start(), p.end(), "?"));
            }
        }
        spans.sort((a, b) -> Integer.compare(a.start(), b.start()));
        StringBuilder out = new StringBuilder(sql.length() + 32);
        int at = 0;
        for (Span s : spans) {
            out.append(sql, at, s.start()).append(s.replacement());
            at = s.end();
        }
        out.append(sql, at, sql.length());
        if (positional) {
            for (Param p : params) {
                order.add(p.name());
            }
        }
        return new Rendered(stripTrailingSemicolon(out.toString()), order);
    }

    private static String stripTrailingSemicolon(String text) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        if (end > 0 && text.charAt(end - 1) == ';') {
            end--;
        }
        return text.substring(0, end);
    }

    /** Scans {@code sql}; never throws. */
    public static SqlTemplate parse(String sql) {
        requireNonNull(sql, "sql is null");
        return new Scanner(sql).scan();
    }

    private static final class Scanner {
        private final String s;
        private final int n;
        private final int[] lineStarts;
        private final List<Ref> refs = new ArrayList<>();
        private final List<Param> params = new ArrayList<>();
        private final List<RawTable> raw = new ArrayList<>();
        private final List<BadTemplate> bad = new ArrayList<>();
        private final Set<String> cteNames = new HashSet<>();
        /** Words and symbols outside literals and comments, for the FROM/JOIN analysis. */
        private final List<Token> tokens = new ArrayList<>();
        private int statements;

        private record Token(String text, int start, boolean word, boolean template) {
        }

        Scanner(String s) {
            this.s = s;
            this.n = s.length();
            List<Integer> starts = new ArrayList<>();
            starts.add(0);
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) == '\n') {
                    starts.add(i + 1);
                }
            }
            lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        }

        SqlTemplate scan() {
            // The project's one BigQuery lexer finds literals, comments, templates and parameters; this scanner only
            // interprets its tokens. Dotted names (raw.orders) are joined into one word for the FROM/JOIN analysis.
            boolean statementHasContent = false;
            int at = 0;
            List<SqlLexer.Token> lexed = SqlLexer.tokenize(s);
            for (int t = 0; t < lexed.size(); t++) {
                SqlLexer.Token token = lexed.get(t);
                int start = at;
                at += token.text().length();
                switch (token.kind()) {
                    case SPACE, LINE_COMMENT, HASH_COMMENT, BLOCK_COMMENT -> {
                    }
                    case STRING, BYTES, NUMBER -> {
                        statementHasContent = true;
                        tokens.add(new Token(token.text(), start, false, false));
                    }
                    case QUOTED_IDENT -> {
                        statementHasContent = true;
                        tokens.add(new Token(token.text(), start, true, false));
                    }
                    case TEMPLATE -> {
                        statementHasContent = true;
                        template(start, token.text());
                    }
                    case PARAM -> {
                        statementHasContent = true;
                        if (!token.text().startsWith("@@")) {
                            params.add(new Param(token.text().substring(1), start, at, line(start), column(start)));
                        }
                    }
                    case WORD -> {
                        statementHasContent = true;
                        StringBuilder name = new StringBuilder(token.text());
                        while (t + 2 < lexed.size() && lexed.get(t + 1).isSymbol(".") && lexed.get(t + 2).kind() == SqlLexer.Kind.WORD) {
                            name.append('.').append(lexed.get(t + 2).text());
                            at += 1 + lexed.get(t + 2).text().length();
                            t += 2;
                        }
                        tokens.add(new Token(name.toString(), start, true, false));
                    }
                    case SYMBOL -> {
                        if (token.text().equals(";")) {
                            if (statementHasContent) {
                                statements++;
                            }
                            statementHasContent = false;
                        } else {
                            statementHasContent = true;
                        }
                        tokens.add(new Token(token.text(), start, false, false));
                    }
                    default -> throw new IllegalStateException("unknown token kind " + token.kind());
                }
            }
            if (statementHasContent) {
                statements++;
            }
            collectCteNames();
            findRawTables();
            return new SqlTemplate(s, refs, params, raw, bad, statements);
        }

        private void template(int i, String text) {
            int end = i + text.length();
            Matcher m = REF.matcher(text);
            if (text.endsWith("}}") && m.matches()) {
                refs.add(new Ref(m.group(2), i, end, line(i), column(i)));
            } else {
                bad.add(new BadTemplate(text.length() > 80 ? text.substring(0, 80) + "..." : text, line(i), column(i)));
            }
            tokens.add(new Token(text, i, false, true));
        }

        private void collectCteNames() {
            for (int t = 0; t + 2 < tokens.size(); t++) {
                Token a = tokens.get(t);
                Token as = tokens.get(t + 1);
                Token paren = tokens.get(t + 2);
                if (a.word() && as.word() && as.text().equalsIgnoreCase("AS") && paren.text().equals("(") && t > 0) {
                    Token before = tokens.get(t - 1);
                    boolean afterWith = before.word() && (before.text().equalsIgnoreCase("WITH") || before.text().equalsIgnoreCase("RECURSIVE"));
                    if (afterWith || before.text().equals(",")) {
                        cteNames.add(a.text().toLowerCase(Locale.ROOT));
                    }
                }
            }
        }

        private void findRawTables() {
            Deque<String> openers = new ArrayDeque<>();
            String previousWord = "";
            for (int t = 0; t < tokens.size(); t++) {
                Token tok = tokens.get(t);
                if (tok.text().equals("(")) {
                    Token before = t > 0 ? tokens.get(t - 1) : null;
                    openers.push(before != null && before.word() ? before.text().toUpperCase(Locale.ROOT) : "");
                    continue;
                }
                if (tok.text().equals(")")) {
                    if (!openers.isEmpty()) {
                        openers.pop();
                    }
                    continue;
                }
                if (!tok.word()) {
                    continue;
                }
                String upper = tok.text().toUpperCase(Locale.ROOT);
                boolean from = upper.equals("FROM") && !FROM_FUNCTIONS.contains(openers.isEmpty() ? "" : openers.peek())
                        && !previousWord.equals("DISTINCT");
                boolean join = upper.equals("JOIN");
                previousWord = upper;
                if ((from || join) && t + 1 < tokens.size()) {
                    Token next = tokens.get(t + 1);
                    if (next.template() || !next.word()) {
                        continue;
                    }
                    String name = next.text();
                    String nameUpper = name.toUpperCase(Locale.ROOT);
                    boolean tableFunction = t + 2 < tokens.size() && tokens.get(t + 2).text().equals("(");
                    if (NOT_TABLES.contains(nameUpper) || tableFunction
                            || cteNames.contains(name.toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    raw.add(new RawTable(name, line(next.start()), column(next.start())));
                }
            }
        }

        private int line(int offset) {
            int lo = 0;
            int hi = lineStarts.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (lineStarts[mid] <= offset) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo + 1;
        }

        private int column(int offset) {
            return offset - lineStarts[line(offset) - 1] + 1;
        }
    }

    /** True when {@code target} is a well-formed logical table reference {@code dataset.table}. */
    public static boolean isTableRef(String target) {
        return Ids.TABLE_REF_PATTERN.matcher(target).matches();
    }
}
