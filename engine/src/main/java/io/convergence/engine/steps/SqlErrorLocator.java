package io.convergence.engine.steps;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Points a warehouse's SQL error at the user's own SQL file. DuckDB reports where a statement failed as an
 * excerpt of the statement it ran ({@code LINE 1: ... AS SELECT nonexistent_col FROM ...} and a caret line
 * below it); that statement is the compiled query (refs replaced by physical tables, BigQuery functions
 * translated) wrapped in Convergence's own {@code CREATE TABLE _cvg_stage_... AS}, so its excerpt shows
 * names the user never wrote. This finds the failing token in the compiled query and then the same
 * occurrence of it in the file: on the same line when compiling kept the lines (it does unless a string
 * literal held an escaped line break), else by its rank in the whole text.
 *
 * <p>BigQuery says {@code at [line:column]} instead; below the first line (which also holds the wrapper) that
 * maps the same way.
 *
 * <p>Best effort, never wrong silently: a message without a position, or a token that the file does not
 * contain (a physical table name from a ref), gives the line alone, or no location.
 */
final class SqlErrorLocator {
    private static final Pattern EXCERPT = Pattern.compile("(?m)^LINE (\\d+): (.*)\\R( *)\\^[ \\t]*$");
    private static final Pattern BIGQUERY_POSITION = Pattern.compile(" at \\[(\\d+):(\\d+)\\]");
    private static final String ELLIPSIS = "...";

    /** A 1-based position in a file; {@code column} is 0 when only the line is known. */
    record Location(int line, int column) {
    }

    private SqlErrorLocator() {
    }

    /** Where {@code message}'s excerpt points in {@code original}, the file that {@code compiled} was made from. */
    static Optional<Location> locate(String message, String compiled, String original) {
        Matcher m = EXCERPT.matcher(message);
        if (!m.find()) {
            return bigQueryPosition(message, compiled, original);
        }
        int line = Integer.parseInt(m.group(1));
        String context = m.group(2);
        int caret = m.group(3).length() - ("LINE " + m.group(1) + ": ").length();
        List<String> compiledLines = compiled.lines().toList();
        if (line < 1 || line > compiledLines.size() || caret < 0 || caret >= context.length()) {
            return Optional.empty();
        }
        String before = context.substring(0, caret);
        String after = context.substring(caret);
        if (before.startsWith(ELLIPSIS)) {
            before = before.substring(ELLIPSIS.length());
        }
        if (after.endsWith(ELLIPSIS)) {
            after = after.substring(0, after.length() - ELLIPSIS.length());
        }
        int blanks = after.length() - after.stripLeading().length();
        before = before + after.substring(0, blanks);
        after = after.substring(blanks);
        String token = leadingToken(after);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Hit hit = bestOccurrence(compiledLines.get(line - 1), token, before, after);
        if (hit.at() < 0) {
            // the warehouse numbered lines of a statement it rewrote itself (a BigQuery-compatible server that
            // drops comments, say): the token's best-matching occurrence on any line is meant
            for (int i = 0; i < compiledLines.size(); i++) {
                Hit candidate = bestOccurrence(compiledLines.get(i), token, before, after);
                if (candidate.score() > hit.score()) {
                    hit = candidate;
                    line = i + 1;
                }
            }
            if (hit.at() < 0) {
                return Optional.empty();
            }
        }
        return inFile(compiled, original, compiledLines, line, compiledLines.get(line - 1), hit.at(), token);
    }

    /**
     * BigQuery's own form, {@code ... at [3:8]}: line and column in the statement it ran, whose first line
     * also holds Convergence's {@code CREATE TABLE ... AS} before the query; there only the line is certain.
     */
    private static Optional<Location> bigQueryPosition(String message, String compiled, String original) {
        Matcher m = BIGQUERY_POSITION.matcher(message);
        if (!m.find()) {
            return Optional.empty();
        }
        int line = Integer.parseInt(m.group(1));
        int column = Integer.parseInt(m.group(2));
        List<String> compiledLines = compiled.lines().toList();
        if (line < 1 || line > compiledLines.size() || compiledLines.size() != original.lines().count()) {
            return Optional.empty();
        }
        String compiledLine = compiledLines.get(line - 1);
        if (line == 1 || column < 1 || column > compiledLine.length()) {
            return Optional.of(new Location(line, 0));
        }
        String token = leadingToken(compiledLine.substring(column - 1));
        return inFile(compiled, original, compiledLines, line, compiledLine, column - 1, token);
    }

    /** The file's position of the occurrence of {@code token} at {@code at} on compiled line {@code line}. */
    private static Optional<Location> inFile(String compiled, String original, List<String> compiledLines, int line, String compiledLine,
                                             int at, String token) {
        if (token.isBlank()) {
            return Optional.of(new Location(line, 0));
        }
        int rank = occurrences(compiledLine.substring(0, at), token).size();
        List<String> originalLines = original.lines().toList();
        if (originalLines.size() == compiledLines.size()) {
            String originalLine = originalLines.get(line - 1);
            List<Integer> found = occurrences(originalLine, token);
            if (rank < found.size()) {
                return Optional.of(new Location(line, found.get(rank) + 1));
            }
            return Optional.of(new Location(line, found.isEmpty() ? 0 : found.get(0) + 1));
        }
        int offset = 0;
        for (int i = 0; i < line - 1; i++) {
            offset += compiledLines.get(i).length() + 1;
        }
        int overallRank = occurrences(compiled.substring(0, Math.min(compiled.length(), offset + at)), token).size();
        List<Integer> found = occurrences(original, token);
        if (overallRank >= found.size()) {
            return Optional.empty();
        }
        int position = found.get(overallRank);
        int lineStart = original.lastIndexOf('\n', position - 1) + 1;
        int originalLine = (int) original.substring(0, position).chars().filter(c -> c == '\n').count() + 1;
        return Optional.of(new Location(originalLine, position - lineStart + 1));
    }

    /**
     * {@code message} with the warehouse's excerpt of its own statement replaced by the file's line and a
     * caret, prefixed with {@code file:line:column}; without a location, {@code file: message} unchanged.
     */
    static String describe(String file, String message, String compiled, String original) {
        Optional<Location> location = locate(message, compiled, original);
        if (location.isEmpty()) {
            return file + ": " + message;
        }
        Location l = location.get();
        String text = withoutExcerpt(message);
        String sourceLine = original.lines().skip(l.line() - 1L).findFirst().orElse("");
        String number = String.valueOf(l.line());
        StringBuilder out = new StringBuilder(file).append(':').append(l.line());
        if (l.column() > 0) {
            out.append(':').append(l.column());
        }
        out.append(": ").append(text).append('\n').append("  ").append(number).append(" | ").append(sourceLine.stripTrailing());
        if (l.column() > 0) {
            StringBuilder pad = new StringBuilder();
            for (int i = 0; i < l.column() - 1 && i < sourceLine.length(); i++) {
                pad.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
            }
            out.append('\n').append("  ").append(" ".repeat(number.length())).append(" | ").append(pad).append('^');
        }
        return out.toString();
    }

    /** {@code message} without the warehouse's excerpt of the statement it ran (which shows Convergence's own SQL). */
    static String withoutExcerpt(String message) {
        return EXCERPT.matcher(message).replaceFirst("").strip();
    }

    /** An identifier, a quoted name, a number, or else the first non-blank character. */
    private static String leadingToken(String t) {
        if (t.isEmpty()) {
            return "";
        }
        char first = t.charAt(0);
        if (first == '"' || first == '`' || first == '\'') {
            int close = t.indexOf(first, 1);
            return close > 0 ? t.substring(0, close + 1) : t.substring(0, 1);
        }
        int end = 0;
        while (end < t.length() && isWordChar(t.charAt(end))) {
            end++;
        }
        return end == 0 ? t.substring(0, 1) : t.substring(0, end);
    }

    /** Where a token was found on a line ({@code at}, -1 when nowhere) and how well its surroundings agreed. */
    private record Hit(int at, int score) {
    }

    /** The occurrence of {@code token} in {@code line} whose surroundings agree most with the excerpt's. */
    private static Hit bestOccurrence(String line, String token, String before, String after) {
        Hit best = new Hit(-1, -1);
        for (int at : occurrences(line, token)) {
            int score = score(line, at, before, after);
            if (score > best.score()) {
                best = new Hit(at, score);
            }
        }
        return best;
    }

    /** How many characters around {@code at} agree with the excerpt's text before and after its caret. */
    private static int score(String line, int at, String before, String after) {
        int backward = 0;
        while (backward < before.length() && backward < at
                && line.charAt(at - 1 - backward) == before.charAt(before.length() - 1 - backward)) {
            backward++;
        }
        int forward = 0;
        while (forward < after.length() && at + forward < line.length() && line.charAt(at + forward) == after.charAt(forward)) {
            forward++;
        }
        return backward + forward;
    }

    /** Where {@code token} starts in {@code text}, case-insensitively, as a whole word when it is one. */
    private static List<Integer> occurrences(String text, String token) {
        List<Integer> found = new ArrayList<>();
        String haystack = text.toLowerCase(Locale.ROOT);
        String needle = token.toLowerCase(Locale.ROOT);
        boolean word = isWordChar(token.charAt(0));
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            boolean startsWord = i == 0 || !isWordChar(haystack.charAt(i - 1));
            boolean endsWord = i + needle.length() >= haystack.length() || !isWordChar(haystack.charAt(i + needle.length()));
            if (!word || startsWord && endsWord) {
                found.add(i);
            }
        }
        return found;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
