package io.convergence.engine.plan;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.PartitionGrain;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Partition windows for a grain, from an inclusive {@code --from/--to} range or from a run date and
 * a lookback. Keys: {@code 2024-03-01T05} (hour), {@code 2024-03-01} (day), {@code 2024-03}
 * (month), {@code 2024} (year); they sort in time order as text.
 */
public final class PartitionRanges {
    /** Most partitions one run may cover; guards against a mistyped year in {@code --from}. */
    public static final int MAX_PARTITIONS = 100_000;

    private static final Pattern HOUR = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}(:00(:00)?)?");
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");
    private static final Pattern YEAR = Pattern.compile("\\d{4}");
    private static final DateTimeFormatter HOUR_KEY = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH", Locale.ROOT);

    private PartitionRanges() {
    }

    /**
     * Every window from the one holding {@code from} to the one holding {@code to}, both inclusive.
     * Each bound may be written at any grain ({@code 2024-03} for a day grain means 2024-03-01);
     * it is truncated to the pipeline's grain.
     */
    public static List<PartitionWindow> between(PartitionGrain grain, String from, String to) {
        return between(grain, parseBound(from, "--from"), parseBound(to, "--to"));
    }

    /** Every window from the one holding {@code from} to the one holding {@code to}, both inclusive. */
    public static List<PartitionWindow> between(PartitionGrain grain, LocalDateTime from, LocalDateTime to) {
        requireNonNull(grain, "grain is null");
        LocalDateTime first = truncate(grain, requireNonNull(from, "from is null"));
        LocalDateTime last = truncate(grain, requireNonNull(to, "to is null"));
        if (first.isAfter(last)) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                    "the partition range starts (" + key(grain, first) + ") after it ends (" + key(grain, last) + ")");
        }
        long count = unit(grain).between(first, last) + 1;
        if (count > MAX_PARTITIONS) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "the partition range " + key(grain, first) + " .. "
                    + key(grain, last) + " has " + count + " partitions; at most " + MAX_PARTITIONS + " are allowed");
        }
        List<PartitionWindow> windows = new ArrayList<>((int) count);
        for (LocalDateTime start = first; !start.isAfter(last); start = next(grain, start)) {
            windows.add(window(grain, start));
        }
        return windows;
    }

    /**
     * The default range of a run: the window holding {@code runDate} and {@code lookback} earlier
     * windows. For an hour grain the run date stands for its 24 hours, so the range is that day's
     * hours plus {@code lookback} hours before it.
     */
    public static List<PartitionWindow> lookback(PartitionGrain grain, LocalDate runDate, int lookback) {
        requireNonNull(grain, "grain is null");
        requireNonNull(runDate, "runDate is null");
        if (lookback < 0) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "lookback must not be negative, got " + lookback);
        }
        LocalDateTime last = grain == PartitionGrain.HOUR ? runDate.atTime(23, 0) : truncate(grain, runDate.atStartOfDay());
        LocalDateTime firstOfRunDate = truncate(grain, runDate.atStartOfDay());
        return between(grain, unit(grain).addTo(firstOfRunDate, -lookback), last);
    }

    /** The range of a run given no {@code --from/--to}: {@link #lookback} with the pipeline's grain and lookback. */
    public static List<PartitionWindow> defaultRange(io.convergence.engine.model.Partitioning partitioning, LocalDate runDate) {
        requireNonNull(partitioning, "partitioning is null");
        return lookback(partitioning.type(), runDate, partitioning.lookback());
    }

    /** The window of {@code grain} that holds {@code instant}. */
    public static PartitionWindow windowOf(PartitionGrain grain, LocalDateTime instant) {
        return window(grain, truncate(grain, instant));
    }

    /** Parses a partition key of exactly this grain, such as {@code 2024-03} for a month. */
    public static PartitionWindow parseKey(PartitionGrain grain, String key) {
        requireNonNull(grain, "grain is null");
        requireNonNull(key, "key is null");
        Pattern expected = switch (grain) {
            case HOUR -> HOUR;
            case DAY -> DAY;
            case MONTH -> MONTH;
            case YEAR -> YEAR;
        };
        if (!expected.matcher(key).matches()) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                    "'" + key + "' is not a " + grain.name().toLowerCase(Locale.ROOT) + " partition key such as " + example(grain));
        }
        return window(grain, parseBound(key, "partition"));
    }

    /** The key of the window of {@code grain} starting at {@code start}. */
    public static String key(PartitionGrain grain, LocalDateTime start) {
        return switch (grain) {
            case HOUR -> HOUR_KEY.format(start);
            case DAY -> start.toLocalDate().toString();
            case MONTH -> String.format(Locale.ROOT, "%04d-%02d", start.getYear(), start.getMonthValue());
            case YEAR -> String.format(Locale.ROOT, "%04d", start.getYear());
        };
    }

    /** Reads a range bound written at any grain ({@code 2024}, {@code 2024-03}, {@code 2024-03-01}, {@code 2024-03-01T05}). */
    static LocalDateTime parseBound(String text, String what) {
        requireNonNull(text, what + " is null");
        String t = text.trim();
        try {
            if (HOUR.matcher(t).matches()) {
                return LocalDateTime.parse(t.substring(0, 13) + ":00:00");
            }
            if (DAY.matcher(t).matches()) {
                return LocalDate.parse(t).atStartOfDay();
            }
            if (MONTH.matcher(t).matches()) {
                return LocalDate.parse(t + "-01").atStartOfDay();
            }
            if (YEAR.matcher(t).matches()) {
                return LocalDate.parse(t + "-01-01").atStartOfDay();
            }
        }
        catch (DateTimeParseException e) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, what + " '" + text + "' is not a valid date: " + e.getMessage());
        }
        throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                what + " '" + text + "' is not a date such as 2024-03-01, 2024-03, 2024 or 2024-03-01T05");
    }

    private static PartitionWindow window(PartitionGrain grain, LocalDateTime start) {
        return new PartitionWindow(key(grain, start), grain, start, next(grain, start));
    }

    private static LocalDateTime truncate(PartitionGrain grain, LocalDateTime t) {
        return switch (grain) {
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case DAY -> t.truncatedTo(ChronoUnit.DAYS);
            case MONTH -> t.toLocalDate().withDayOfMonth(1).atStartOfDay();
            case YEAR -> t.toLocalDate().withDayOfYear(1).atStartOfDay();
        };
    }

    private static LocalDateTime next(PartitionGrain grain, LocalDateTime start) {
        return unit(grain).addTo(start, 1);
    }

    private static ChronoUnit unit(PartitionGrain grain) {
        return switch (grain) {
            case HOUR -> ChronoUnit.HOURS;
            case DAY -> ChronoUnit.DAYS;
            case MONTH -> ChronoUnit.MONTHS;
            case YEAR -> ChronoUnit.YEARS;
        };
    }

    private static String example(PartitionGrain grain) {
        return switch (grain) {
            case HOUR -> "2024-03-01T05";
            case DAY -> "2024-03-01";
            case MONTH -> "2024-03";
            case YEAR -> "2024";
        };
    }
}
