package io.convergence.engine.model;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A byte count written like {@code 50GB}, {@code 10MiB} or {@code 1024}. */
public record DataSize(long bytes) {
    public static final String PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*([KkMmGgTtPp][Ii]?[Bb]|[Bb])?$";
    private static final Pattern PARSER = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)\\s*([KMGTP]i?B|B)?$", Pattern.CASE_INSENSITIVE);

    public DataSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes is negative");
        }
    }

    /** Bytes with a binary unit for people, e.g. {@code 1.5 GiB}; exact below 1 KiB ({@code 512 B}). */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    public static DataSize parse(String text) {
        Matcher m = PARSER.matcher(text.trim());
        if (!m.matches()) {
            throw new ConvergenceException(ErrorCode.SETTING_INVALID, "'" + text + "' is not a data size such as 50GB or 512MiB");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            case "PB" -> 1_000_000_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            case "PIB" -> 1L << 50;
            default -> throw new IllegalStateException(unit);
        };
        return new DataSize(Math.round(value * factor));
    }

    @Override
    public String toString() {
        return bytes + "B";
    }
}
