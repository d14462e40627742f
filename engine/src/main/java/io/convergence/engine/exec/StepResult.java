package io.convergence.engine.exec;

import java.util.Map;

/** What one step attempt produced: rows written (or checked), bytes processed, and details for history. */
public record StepResult(long rows, long bytes, Map<String, String> details) {
    public StepResult {
        details = Map.copyOf(details);
    }

    public static StepResult of(long rows, long bytes) {
        return new StepResult(rows, bytes, Map.of());
    }
}
