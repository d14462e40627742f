package io.convergence.engine.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.LockGrant;
import io.convergence.engine.lock.LockStore;
import io.convergence.engine.lock.LockStoreContractTest;
import io.convergence.engine.model.TenantConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock store contract on the BigQuery lock table (against the local test server), plus conflicts reading as busy. */
class BigQueryLockStoreTest extends LockStoreContractTest {
    @TempDir
    Path dir;
    private BigQueryTestServer server;

    private static List<TenantConfig> tenants() {
        return List.of(new TenantConfig("acme", null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null));
    }

    @Override
    protected LockStore createStore() {
        server = BigQueryTestServer.start(0, null);
        return BigQueryLockStore.open(BigQueryTestTargets.target(server), dir, tenants());
    }

    @Override
    protected LockStore openSecondClient(LockStore store) {
        return BigQueryLockStore.open(BigQueryTestTargets.target(server), dir, tenants());
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSerializationConflictOnTheLockTableReadsAsBusy() {
        Lease a = ((LockGrant.Granted) store.tryAcquire(KEY, A, LEASE, T0)).lease();
        server.faults().conflictOnDml("acme_convergence", "locks", 1);

        // A's lease has expired, so B would take it over, but its UPDATE collides with a concurrent change
        LockGrant grant = store.tryAcquire(KEY, B, LEASE, a.expiresAt());

        assertThat(grant).isEqualTo(new LockGrant.Busy(a));
        assertThat(store.lease(KEY)).contains(a);
        // with the conflict gone, the next attempt takes it over
        assertThat(store.tryAcquire(KEY, B, LEASE, a.expiresAt()).isGranted()).isTrue();
    }

    @Test
    void rowsArePreCreatedOncePerPipeline() {
        store.prepare(List.of(KEY, OTHER_KEY));
        LockStore other = openSecondClient(store);
        try {
            other.prepare(List.of(KEY));
            long rows = (Long) server.bigQuery(BigQueryTestTargets.PROJECT)
                    .query(com.google.cloud.bigquery.QueryJobConfiguration.of("SELECT COUNT(*) FROM acme_convergence.locks"))
                    .iterateAll().iterator().next().get(0).getLongValue();
            assertThat(rows).isEqualTo(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            other.close();
        }
    }
}
