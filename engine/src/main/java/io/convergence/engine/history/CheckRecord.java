package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The stored outcome of one data-quality check, with example failing rows. {@code severity} is what a failure
 * did in its step: WARN for a warn-severity check or any check of a step with {@code on_failure: warn}.
 */
public record CheckRecord(
        Instant at,
        String stepId,
        Optional<String> partition,
        String checkName,
        Optional<String> checkType,
        Optional<String> severity,
        boolean passed,
        long failingRows,
        List<String> exampleRows,
        Optional<String> detail) {
    public CheckRecord {
        requireNonNull(at, "at is null");
        requireNonNull(stepId, "stepId is null");
        requireNonNull(partition, "partition is null");
        requireNonNull(checkName, "checkName is null");
        requireNonNull(checkType, "checkType is null");
        requireNonNull(severity, "severity is null");
        exampleRows = List.copyOf(exampleRows);
        requireNonNull(detail, "detail is null");
    }

    /** What happened: {@code pass}, {@code warn} (failed, reported only) or {@code fail} (failed its step). */
    public String result() {
        if (passed) {
            return "pass";
        }
        return severity.filter(s -> s.equalsIgnoreCase("WARN")).isPresent() ? "warn" : "fail";
    }
}
