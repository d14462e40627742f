package io.convergence.engine.warehouse.bigquery;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff for transient BigQuery failures: {@code initial}, times {@code multiplier} per attempt, capped
 * at {@code max}, with up to 20% jitter so parallel partitions that failed together do not retry together.
 */
public record Backoff(Duration initial, double multiplier, Duration max, int maxAttempts) {
    public Backoff {
        if (initial.isNegative() || max.isNegative() || multiplier < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("invalid backoff " + initial + " x" + multiplier + " max " + max + " attempts " + maxAttempts);
        }
    }

    /** 0.5 s, 1 s, 2 s ... up to 30 s, 8 attempts: about a minute and a half of patience. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(500), 2.0, Duration.ofSeconds(30), 8);
    }

    /** The wait after failed attempt {@code attempt} (1-based), without jitter. */
    public Duration delayAfter(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }

    /** Sleeps before the next attempt; a cancel or an interrupt ends the wait with RUN_CANCELLED. */
    void pause(int attempt, CancellationToken cancellation) {
        long base = delayAfter(attempt).toMillis();
        long millis = base + (base <= 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 5 + 1));
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                cancellation.throwIfCancelled();
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                Thread.sleep(Math.max(1, Math.min(left, 50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvergenceException(ErrorCode.RUN_CANCELLED, "interrupted while waiting to retry", e);
        }
        cancellation.throwIfCancelled();
    }
}
