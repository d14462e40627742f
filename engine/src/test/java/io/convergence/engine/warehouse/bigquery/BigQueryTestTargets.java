package io.convergence.engine.warehouse.bigquery;

import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DataSize;
import java.nio.file.Path;
import java.time.Duration;

/** Targets and warehouses pointed at a local {@link BigQueryTestServer}, with short backoffs for tests. */
public final class BigQueryTestTargets {
    public static final String PROJECT = "test-project";
    /** Fast enough for tests, still exponential. */
    public static final Backoff FAST = new Backoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(200), 6);

    private BigQueryTestTargets() {
    }

    public static BigQueryTarget target(BigQueryTestServer server) {
        return new BigQueryTarget(PROJECT, "none", "US", server.endpoint(), null, server.storageEndpoint());
    }

    public static BigQueryTarget target(BigQueryTestServer server, DataSize maximumBytesBilled) {
        return new BigQueryTarget(PROJECT, "none", "US", server.endpoint(), maximumBytesBilled, server.storageEndpoint());
    }

    public static BigQueryWarehouse warehouse(BigQueryTarget target, Path workspaceRoot) {
        return BigQueryWarehouse.open(BigQueryConnection.open(target, workspaceRoot, target.location()), FAST);
    }
}
