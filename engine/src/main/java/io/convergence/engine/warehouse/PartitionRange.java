package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionGrain;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The rows of one partition: {@code column >= start AND column < end}, with bounds typed like the
 * column (DATE bounds for a DATE column, TIMESTAMP bounds otherwise) and always bound as parameters.
 */
public record PartitionRange(String column, ParameterValue start, ParameterValue end) {
    public PartitionRange {
        requireNonNull(column, "column is null");
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
        if (!Ids.COLUMN_PATTERN.matcher(column).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "'" + column + "' is not a valid column name");
        }
    }

    /**
     * The range of {@code window} over a column of BigQuery type {@code columnType}. Windows are in UTC;
     * an hourly window cannot address a DATE column.
     */
    public static PartitionRange of(String column, String columnType, PartitionWindow window) {
        requireNonNull(window, "window is null");
        String type = BigQueryTypes.normalize(columnType);
        switch (type) {
            case "DATE":
                if (window.grain() == PartitionGrain.HOUR) {
                    throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "partition column '" + column
                            + "' is a DATE, so it cannot be partitioned by hour; use a TIMESTAMP column or a day grain");
                }
                return new PartitionRange(column,
                        new ParameterValue(ParameterType.DATE, window.start().toLocalDate()),
                        new ParameterValue(ParameterType.DATE, window.end().toLocalDate()));
            case "TIMESTAMP":
            case "DATETIME":
                return new PartitionRange(column,
                        new ParameterValue(ParameterType.TIMESTAMP, window.start().toInstant(ZoneOffset.UTC)),
                        new ParameterValue(ParameterType.TIMESTAMP, window.end().toInstant(ZoneOffset.UTC)));
            default:
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "partition column '" + column + "' has type "
                        + columnType.toUpperCase(Locale.ROOT) + "; a time partition needs a DATE, DATETIME or TIMESTAMP column");
        }
    }

    /** The window values bound as {@code @partition_start}/{@code @partition_end}: DATE unless hourly. */
    public static ParameterValue windowBound(PartitionWindow window, boolean start) {
        java.time.LocalDateTime at = start ? window.start() : window.end();
        return window.grain() == PartitionGrain.HOUR
                ? new ParameterValue(ParameterType.TIMESTAMP, at.toInstant(ZoneOffset.UTC))
                : new ParameterValue(ParameterType.DATE, at.toLocalDate());
    }
}
