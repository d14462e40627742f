package io.convergence.engine.health;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The result of one doctor check: a stable id (for scripts and tests), a title, what was found and,
 * when it did not pass, what to do about it.
 */
public record HealthCheck(String id, String title, HealthStatus status, String detail, Optional<String> fix) {
    public HealthCheck {
        requireNonNull(id, "id is null");
        requireNonNull(title, "title is null");
        requireNonNull(status, "status is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(fix, "fix is null");
    }

    public static HealthCheck pass(String id, String title, String detail) {
        return new HealthCheck(id, title, HealthStatus.PASS, detail, Optional.empty());
    }

    public static HealthCheck warn(String id, String title, String detail, String fix) {
        return new HealthCheck(id, title, HealthStatus.WARN, detail, Optional.of(fix));
    }

    public static HealthCheck fail(String id, String title, String detail, String fix) {
        return new HealthCheck(id, title, HealthStatus.FAIL, detail, Optional.of(fix));
    }

    public boolean failed() {
        return status == HealthStatus.FAIL;
    }
}
