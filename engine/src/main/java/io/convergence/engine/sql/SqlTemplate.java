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
    private static final Set<String> NOT_TABLES = Set.of("UNNEST", "SELECT", "WITH", "LATERAL");

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
            int i = 0;
            boolean statementHasContent = false;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '-' && peek(i + 1) == '-' || c == '#') {
                    i = skipTo(i, "\n");
                } else if (c == '/' && peek(i + 1) == '*') {
                    i = skipTo(i + 2, "*/");
                } else if (c == '\'' || c == '"') {
                    statementHasContent = true;
                    boolean triple = peek(i + 1) == c && peek(i + 2) == c;
                    i = triple ? skipTo(i + 3, String.valueOf(c).repeat(3)) : skipQuoted(i, c);
                } else if (c == '`') {
                    statementHasContent = true;
                    int end = skipQuoted(i, '`');
                    tokens.add(new Token(s.substring(i, end), i, true, false));
                    i = end;
                } else if (c == '{' && peek(i + 1) == '{') {
                    statementHasContent = true;
                    i = template(i);
                } else if (c == '@') {
                    statementHasContent = true;
                    i = parameter(i);
                } else if (Character.isLetter(c) || c == '_') {
                    statementHasContent = true;
                    int end = i;
                    while (end < n && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_' || s.charAt(end) == '.')) {
                        end++;
                    }
                    tokens.add(new Token(s.substring(i, end), i, true, false));
                    i = end;
                } else if (c == ';') {
                    if (statementHasContent) {
                        statements++;
                    }
                    statementHasContent = false;
                    tokens.add(new Token(";", i, false, false));
                    i++;
                } else if (Character.isWhitespace(c)) {
                    i++;
                } else {
                    if (!Character.isWhitespace(c)) {
                        statementHasContent = true;
                    }
                    tokens.add(new Token(String.valueOf(c), i, false, false));
                    i++;
                }
            }
            if (statementHasContent) {
                statements++;
            }
            collectCteNames();
            findRawTables();
            return new SqlTemplate(s, refs, params, raw, bad, statements);
        }

        private char peek(int i) {
            return i < n ? s.charAt(i) : '\0';
        }

        private int skipTo(int from, String end) {
            int at = s.indexOf(end, from);
            return at < 0 ? n : at + end.length();
        }

        private int skipQuoted(int i, char quote) {
            int j = i + 1;
            while (j < n) {
                char c = s.charAt(j);
                if (c == '\\') {
                    j += 2;
                    continue;
                }
                if (c == quote) {
                    return j + 1;
                }
                j++;
            }
            return n;
        }

        private int template(int i) {
            int close = s.indexOf("}}", i + 2);
            int end = close < 0 ? n : close + 2;
            String text = s.substring(i, end);
            Matcher m = REF.matcher(text);
            if (close >= 0 && m.matches()) {
                refs.add(new Ref(m.group(2), i, end, line(i), column(i)));
                tokens.add(new Token(text, i, false, true));
            } else {
                bad.add(new BadTemplate(text.length() > 80 ? text.substring(0, 80) + "..." : text, line(i), column(i)));
                tokens.add(new Token(text, i, false, true));
            }
            return end;
        }

        private int parameter(int i) {
            if (peek(i + 1) == '@') {
                // @@system_variable: BigQuery scripting, not a query parameter
                int j = i + 2;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '.')) {
                    j++;
                }
                return j;
            }
            int j = i + 1;
            while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                j++;
            }
            if (j > i + 1) {
                params.add(new Param(s.substring(i + 1, j), i, j, line(i), column(i)));
            }
            return j;
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
