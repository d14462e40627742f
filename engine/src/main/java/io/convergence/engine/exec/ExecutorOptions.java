package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Engine-wide executor settings. {@code cancelGrace}: how long a cancelled or timed-out attempt may
 * take to return before the executor records it as stopped anyway. {@code maxConcurrentUnits}:
 * worker threads shared by all runs of this process (each run is further bounded by its
 * pipeline's {@code max_parallel}).
 */
public record ExecutorOptions(RetryPolicy retry, Duration cancelGrace, int maxConcurrentUnits) {
    public ExecutorOptions {
        requireNonNull(retry, "retry is null");
        requireNonNull(cancelGrace, "cancelGrace is null");
        if (cancelGrace.isNegative()) {
            throw new IllegalArgumentException("cancelGrace must not be negative");
        }
        if (maxConcurrentUnits < 1) {
            throw new IllegalArgumentException("maxConcurrentUnits must be at least 1");
        }
    }

    public static ExecutorOptions defaults() {
        return new ExecutorOptions(RetryPolicy.defaults(), Duration.ofSeconds(30), 64);
    }

    public ExecutorOptions withRetry(RetryPolicy newRetry) {
        return new ExecutorOptions(newRetry, cancelGrace, maxConcurrentUnits);
    }

    public ExecutorOptions withCancelGrace(Duration grace) {
        return new ExecutorOptions(retry, grace, maxConcurrentUnits);
    }

    public ExecutorOptions withMaxConcurrentUnits(int units) {
        return new ExecutorOptions(retry, cancelGrace, units);
    }
}
