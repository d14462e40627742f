package io.convergence.engine.model;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in YAML and flags: {@code 250ms}, {@code 20s}, {@code 2m}, {@code 1h}, {@code 7d}. */
public final class Durations {
    public static final String PATTERN = "^[0-9]+(ms|s|m|h|d)$";
    private static final Pattern PARSER = Pattern.compile(PATTERN);

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher m = PARSER.matcher(text.trim());
        if (!m.matches()) {
            throw new ConvergenceException(ErrorCode.SETTING_INVALID,
                    "'" + text + "' is not a duration such as 500ms, 20s, 2m, 1h or 7d");
        }
        String t = text.trim();
        long n = Long.parseLong(t.substring(0, t.length() - m.group(1).length()));
        return switch (m.group(1)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalStateException(m.group(1));
        };
    }

    /** The shortest exact YAML spelling of a duration. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms != 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms != 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
