package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ErrorCode;
import java.time.Duration;
import java.util.Set;

/**
 * Which failures a step retries (up to its {@code retries}) and how long it waits: exponential
 * backoff from {@code initialDelay}, times {@code multiplier} per attempt, capped at {@code maxDelay}.
 */
public record RetryPolicy(Duration initialDelay, double multiplier, Duration maxDelay, Set<ErrorCode> retryableCodes) {
    public RetryPolicy {
        requireNonNull(initialDelay, "initialDelay is null");
        requireNonNull(maxDelay, "maxDelay is null");
        retryableCodes = Set.copyOf(requireNonNull(retryableCodes, "retryableCodes is null"));
        if (initialDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("retry delays must not be negative");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1");
        }
    }

    /** 1s, 2s, 4s ... up to 1m; only {@link ErrorCode#WAREHOUSE_TRANSIENT} is retried. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), Set.of(ErrorCode.WAREHOUSE_TRANSIENT));
    }

    public boolean isRetryable(ErrorCode code) {
        return retryableCodes.contains(code);
    }

    /** The wait before attempt {@code nextAttempt} (2 for the first retry). */
    public Duration delayBefore(int nextAttempt) {
        double factor = Math.pow(multiplier, Math.max(0, nextAttempt - 2));
        double millis = initialDelay.toMillis() * factor;
        if (millis >= maxDelay.toMillis()) {
            return maxDelay;
        }
        return Duration.ofMillis((long) millis);
    }

    public RetryPolicy withInitialDelay(Duration delay) {
        return new RetryPolicy(delay, multiplier, maxDelay, retryableCodes);
    }

    public RetryPolicy withRetryableCodes(Set<ErrorCode> codes) {
        return new RetryPolicy(initialDelay, multiplier, maxDelay, codes);
    }
}
