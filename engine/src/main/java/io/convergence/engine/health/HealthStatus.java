package io.convergence.engine.health;

/** Outcome of one health check: only FAIL makes the setup unhealthy; WARN is worth a look. */
public enum HealthStatus {
    PASS,
    WARN,
    FAIL
}
