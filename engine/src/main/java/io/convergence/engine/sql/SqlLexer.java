package io.convergence.engine.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits BigQuery SQL into tokens that keep their exact text: concatenating all tokens gives back the
 * input. Never throws: an unterminated literal or comment runs to the end of the text.
 */
public final class SqlLexer {
    /** Token kinds. */
    public enum Kind {
        SPACE, LINE_COMMENT, HASH_COMMENT, BLOCK_COMMENT,
        /** A string literal, possibly with an r/R prefix, single, double or triple quoted. */
        STRING,
        /** A bytes literal (b'...', rb'...'). */
        BYTES,
        /** A backtick-quoted identifier or path. */
        QUOTED_IDENT,
        WORD, NUMBER,
        /** {@code @name}, or {@code @@name} for system variables. */
        PARAM,
        /** {@code {{ ... }}}, kept verbatim for SqlTemplate. */
        TEMPLATE,
        SYMBOL
    }

    /** A token and its exact text. */
    public record Token(Kind kind, String text) {
        public boolean isWord(String upper) {
            return kind == Kind.WORD && text.equalsIgnoreCase(upper);
        }

        public boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }

        /** False for whitespace and comments. */
        public boolean significant() {
            return kind != Kind.SPACE && kind != Kind.LINE_COMMENT && kind != Kind.HASH_COMMENT
                    && kind != Kind.BLOCK_COMMENT;
        }
    }

    private static final String[] MULTI_SYMBOLS = {"<=", ">=", "<>", "!=", "||", "=>", "->", "::"};

    private final String s;
    private final int n;

    private SqlLexer(String s) {
        this.s = s;
        this.n = s.length();
    }

    public static List<Token> tokenize(String sql) {
        return new SqlLexer(sql).run();
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            int end;
            Kind kind;
            if (Character.isWhitespace(c)) {
                end = i + 1;
                while (end < n && Character.isWhitespace(s.charAt(end))) {
                    end++;
                }
                kind = Kind.SPACE;
            } else if (c == '-' && peek(i + 1) == '-') {
                end = lineEnd(i);
                kind = Kind.LINE_COMMENT;
            } else if (c == '#') {
                end = lineEnd(i);
                kind = Kind.HASH_COMMENT;
            } else if (c == '/' && peek(i + 1) == '*') {
                int close = s.indexOf("*/", i + 2);
                end = close < 0 ? n : close + 2;
                kind = Kind.BLOCK_COMMENT;
            } else if (c == '\'' || c == '"') {
                end = quoted(i);
                kind = Kind.STRING;
            } else if (c == '`') {
                end = quotedSimple(i, '`');
                kind = Kind.QUOTED_IDENT;
            } else if (c == '{' && peek(i + 1) == '{') {
                int close = s.indexOf("}}", i + 2);
                end = close < 0 ? n : close + 2;
                kind = Kind.TEMPLATE;
            } else if (c == '@') {
                end = i + 1;
                if (peek(end) == '@') {
                    end++;
                }
                while (end < n && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                    end++;
                }
                kind = end > i + 1 ? Kind.PARAM : Kind.SYMBOL;
            } else if (Character.isLetter(c) || c == '_') {
                int prefixEnd = stringPrefixEnd(i);
                if (prefixEnd > 0) {
                    end = quoted(prefixEnd);
                    String prefix = s.substring(i, prefixEnd).toLowerCase(java.util.Locale.ROOT);
                    kind = prefix.contains("b") ? Kind.BYTES : Kind.STRING;
                } else {
                    end = i + 1;
                    while (end < n && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                        end++;
                    }
                    kind = Kind.WORD;
                }
            } else if (Character.isDigit(c) || c == '.' && Character.isDigit(peek(i + 1))) {
                end = number(i);
                kind = Kind.NUMBER;
            } else {
                end = i + 1;
                for (String m : MULTI_SYMBOLS) {
                    if (s.startsWith(m, i)) {
                        end = i + m.length();
                        break;
                    }
                }
                kind = Kind.SYMBOL;
            }
            out.add(new Token(kind, s.substring(i, end)));
            i = end;
        }
        return out;
    }

    private char peek(int i) {
        return i < n ? s.charAt(i) : '\0';
    }

    private int lineEnd(int i) {
        int nl = s.indexOf('\n', i);
        return nl < 0 ? n : nl;
    }

    /** End of an r/b/rb/br prefix directly followed by a quote, else 0. */
    private int stringPrefixEnd(int i) {
        int j = i;
        while (j < n && j - i < 2 && "rRbB".indexOf(s.charAt(j)) >= 0) {
            j++;
        }
        if (j == i || j >= n || s.charAt(j) != '\'' && s.charAt(j) != '"') {
            return 0;
        }
        String prefix = s.substring(i, j).toLowerCase(java.util.Locale.ROOT);
        return prefix.equals("r") || prefix.equals("b") || prefix.equals("rb") || prefix.equals("br") ? j : 0;
    }

    private int quoted(int i) {
        char q = s.charAt(i);
        if (peek(i + 1) == q && peek(i + 2) == q) {
            String triple = String.valueOf(q).repeat(3);
            int j = i + 3;
            while (j < n) {
                if (s.charAt(j) == '\\') {
                    j += 2;
                    continue;
                }
                if (s.startsWith(triple, j)) {
                    return j + 3;
                }
                j++;
            }
            return n;
        }
        return quotedSimple(i, q);
    }

    private int quotedSimple(int i, char q) {
        int j = i + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\\') {
                j += 2;
                continue;
            }
            if (c == q) {
                return j + 1;
            }
            j++;
        }
        return n;
    }

    private int number(int i) {
        int j = i;
        while (j < n && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
            j++;
        }
        if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            int k = j + 1;
            if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
                k++;
            }
            if (k < n && Character.isDigit(s.charAt(k))) {
                j = k;
                while (j < n && Character.isDigit(s.charAt(j))) {
                    j++;
                }
            }
        }
        return j;
    }
}
