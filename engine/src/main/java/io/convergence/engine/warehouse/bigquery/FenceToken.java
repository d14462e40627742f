package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.lock.LockKey;
import io.convergence.engine.warehouse.TableId;

/**
 * The warehouse side of fencing (ADR 0006): the {@code fences} table in the tenant's metadata dataset and the
 * epoch of the run that publishes. Every publish script asserts that the fence row still shows this epoch.
 */
public record FenceToken(TableId fences, LockKey key, long epoch) {
    public FenceToken {
        requireNonNull(fences, "fences is null");
        requireNonNull(key, "key is null");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1");
        }
    }
}
