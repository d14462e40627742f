package io.convergence.engine.service;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.ParameterType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Turns the text values a user gives ({@code --param k=v}, the launcher form) and the declared defaults into
 * typed, bound parameter values. Dates accept {@code today} and {@code yesterday}, read on the injected clock.
 */
public final class ParameterResolver {
    private final Clock clock;

    public ParameterResolver(Clock clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock is null");
    }

    /** Every declared parameter resolved: given value, else default; unknown or missing ones are USER errors. */
    public Map<String, ParameterValue> resolve(Map<String, Parameter> declared, Map<String, String> given) {
        for (String name : given.keySet()) {
            if (!declared.containsKey(name)) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "unknown parameter '" + name + "'; declared: "
                        + (declared.isEmpty() ? "none" : String.join(", ", new TreeSet<>(declared.keySet()))));
            }
        }
        Map<String, ParameterValue> values = new LinkedHashMap<>();
        declared.forEach((name, parameter) -> {
            String text = given.containsKey(name) ? given.get(name) : parameter.defaultValue();
            if (text == null) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                        "parameter '" + name + "' has no default; give it with --param " + name + "=<" + typeName(parameter.type()) + ">");
            }
            values.put(name, parse(name, parameter.type(), text));
        });
        return values;
    }

    /** Parses one value for its type; the message names the parameter and the expected form. */
    public ParameterValue parse(String name, ParameterType type, String text) {
        String t = text.trim();
        try {
            Object value = switch (type) {
                case STRING -> text;
                case INT64 -> Long.parseLong(t);
                case FLOAT64 -> Double.parseDouble(t);
                case BOOL -> parseBool(t);
                case DATE -> parseDate(t);
                case TIMESTAMP -> parseTimestamp(t);
            };
            return new ParameterValue(type, value);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID,
                    "parameter '" + name + "': '" + text + "' is not a valid " + typeName(type) + example(type));
        }
    }

    /** The text form stored in history and shown to users; {@link #parse} reads it back to the same value. */
    public static String format(ParameterValue value) {
        return String.valueOf(value.value());
    }

    /** The value of a DATE parameter named {@code run_date}, if declared: the anchor of default partition ranges. */
    public static Optional<LocalDate> runDate(Map<String, ParameterValue> values) {
        ParameterValue v = values.get("run_date");
        return v != null && v.value() instanceof LocalDate d ? Optional.of(d) : Optional.empty();
    }

    public LocalDate today() {
        return LocalDate.now(clock);
    }

    private LocalDate parseDate(String t) {
        switch (t.toLowerCase(Locale.ROOT)) {
            case "today":
                return today();
            case "yesterday":
                return today().minusDays(1);
            default:
                return LocalDate.parse(t);
        }
    }

    private Instant parseTimestamp(String t) {
        if (t.equalsIgnoreCase("now")) {
            return clock.instant();
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        }
    }

    private static Boolean parseBool(String t) {
        if (t.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (t.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException(t);
    }

    private static String typeName(ParameterType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private static String example(ParameterType type) {
        return switch (type) {
            case STRING -> "";
            case INT64 -> " (a whole number such as 42)";
            case FLOAT64 -> " (a number such as 12.5)";
            case BOOL -> " (true or false)";
            case DATE -> " (YYYY-MM-DD, today or yesterday)";
            case TIMESTAMP -> " (such as 2024-03-01T12:00:00Z, or now)";
        };
    }
}
