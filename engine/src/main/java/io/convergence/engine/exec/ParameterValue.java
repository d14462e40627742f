package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.ParameterType;

/**
 * A typed query parameter value, always bound, never spliced into SQL. Java types: STRING String,
 * INT64 Long, FLOAT64 Double, BOOL Boolean, DATE LocalDate, TIMESTAMP Instant.
 */
public record ParameterValue(ParameterType type, Object value) {
    public ParameterValue {
        requireNonNull(type, "type is null");
    }
}
