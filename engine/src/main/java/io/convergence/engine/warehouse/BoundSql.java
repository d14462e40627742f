package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.sql.SqlTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SQL in the warehouse's own dialect with {@code ?} placeholders, and the typed values bound to them in
 * placeholder order. Values never appear in the text.
 */
public record BoundSql(String sql, List<ParameterValue> parameters) {
    public BoundSql {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    public static BoundSql of(String sql, ParameterValue... parameters) {
        return new BoundSql(sql, List.of(parameters));
    }

    /**
     * Pairs rendered SQL with values by name; a parameter used in the SQL without a value is a USER
     * error that names it.
     */
    public static BoundSql of(SqlTemplate.Rendered rendered, Map<String, ParameterValue> values) {
        List<ParameterValue> bound = new ArrayList<>(rendered.parameterOrder().size());
        for (String name : rendered.parameterOrder()) {
            ParameterValue value = values.get(name);
            if (value == null) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                        "query parameter @" + name + " has no value; declare it under 'parameters' in pipeline.yml"
                                + " (or use @partition_start/@partition_end in a partitioned run)");
            }
            bound.add(value);
        }
        return new BoundSql(rendered.sql(), bound);
    }

    /** Builds SQL text and its parameters side by side, so placeholders and values cannot drift apart. */
    public static final class Builder {
        private final StringBuilder sql = new StringBuilder();
        private final List<ParameterValue> parameters = new ArrayList<>();

        public Builder append(String text) {
            sql.append(text);
            return this;
        }

        /** Appends a {@code ?} placeholder bound to {@code value}. */
        public Builder bind(ParameterValue value) {
            sql.append('?');
            parameters.add(requireNonNull(value, "value is null"));
            return this;
        }

        /** Appends another bound fragment with its parameters. */
        public Builder append(BoundSql fragment) {
            sql.append(fragment.sql());
            parameters.addAll(fragment.parameters());
            return this;
        }

        public BoundSql build() {
            return new BoundSql(sql.toString(), parameters);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        // values stay out of logs: they may carry personal data
        return sql + (parameters.isEmpty() ? "" : " [" + parameters.size() + " bound parameters]");
    }
}
