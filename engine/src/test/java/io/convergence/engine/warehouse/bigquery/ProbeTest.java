package io.convergence.engine.warehouse.bigquery;

import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.lock.*;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.warehouse.BoundSql;
import java.nio.file.Path;
import java.time.*;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTest {
    @Test
    void probe() throws Exception {
        try (BigQueryTestServer server = BigQueryTestServer.start(0, null);
             BigQueryWarehouse w = BigQueryTestTargets.warehouse(BigQueryTestTargets.target(server), Path.of("."))) {
            w.ensureDataset("ds");
            for (int i = 0; i < 10; i++) {
                long t = System.nanoTime();
                w.connection().bigquery().getDataset("ds");
                System.out.println("getDataset ms " + (System.nanoTime() - t) / 1e6);
            }
            for (int i = 0; i < 10; i++) {
                long t = System.nanoTime();
                w.connection().bigquery().query(com.google.cloud.bigquery.QueryJobConfiguration.of("SELECT 1"));
                System.out.println("fast query ms " + (System.nanoTime() - t) / 1e6);
            }
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                w.query(BoundSql.of("SELECT 1"), 1, new CancellationToken());
                System.out.println("query ms " + (System.nanoTime() - t) / 1e6);
            }
            List<TenantConfig> tenants = List.of(new TenantConfig("acme", null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null));
            BigQueryLockStore store = BigQueryLockStore.open(BigQueryTestTargets.target(server), Path.of("."), tenants);
            LockKey key = new LockKey("acme", "orders");
            store.prepare(List.of(key));
            int before = server.faults().requests().size();
            Instant t0 = Instant.parse("2024-03-01T10:00:00Z");
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                Lease l = store.tryAcquire(key, new LockHolder("h", "u", 1, "r" + i), Duration.ofSeconds(60), t0.plusSeconds(100 * i)).lease();
                long a = System.nanoTime();
                store.release(key, l.runId(), l.epoch());
                System.out.println("acquire ms " + (a - t) / 1e6 + " release ms " + (System.nanoTime() - a) / 1e6);
            }
            server.faults().requests().subList(before, server.faults().requests().size()).forEach(r -> System.out.println(r));
        }
    }
}
