package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLockStoreTest extends LockStoreContractTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(".convergence").resolve("state.db");
    }

    @Override
    protected LockStore createStore() {
        return SqliteLockStore.open(file());
    }

    @Override
    protected LockStore openSecondClient(LockStore store) {
        return SqliteLockStore.open(file());
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private Connection raw() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file());
    }

    @Test
    void usesWalAndItsOwnSchemaVersionRow() throws SQLException {
        try (Connection c = raw()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
            assertThat(scalar(c, "SELECT version FROM schema_versions WHERE component = 'locks'"))
                    .isEqualTo(SqliteLockStore.SCHEMA_VERSION);
            assertThat(scalar(c, "PRAGMA user_version")).isZero();
        }
    }

    @Test
    void leavesOtherComponentsVersionsAlone() throws SQLException {
        store.close();
        Path other = dir.resolve("shared.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
            // what another component (run history) may already have put in the shared state.db
            s.execute("PRAGMA user_version = 7");
            s.execute("CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_versions VALUES ('history', 3)");
            s.execute("CREATE TABLE runs (id TEXT)");
        }

        try (SqliteLockStore locks = SqliteLockStore.open(other)) {
            assertThat(locks.schemaVersion()).isEqualTo(SqliteLockStore.SCHEMA_VERSION);
            assertThat(locks.tryAcquire(KEY, A, LEASE, T0).isGranted()).isTrue();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other)) {
            assertThat(scalar(c, "PRAGMA user_version")).isEqualTo(7);
            assertThat(scalar(c, "SELECT version FROM schema_versions WHERE component = 'history'")).isEqualTo(3);
            assertThat(scalar(c, "SELECT count(*) FROM runs")).isZero();
        }
    }

    @Test
    void reopeningKeepsLeasesAndEpochs() {
        Lease a = store.tryAcquire(KEY, A, LEASE, T0).lease();
        store.release(KEY, A.runId(), a.epoch());
        Lease b = store.tryAcquire(KEY, B, LEASE, T0.plusSeconds(1)).lease();
        store.close();

        store = SqliteLockStore.open(file());

        assertThat(store.lease(KEY)).contains(b);
        assertThat(store.tryAcquire(KEY, C, LEASE, b.expiresAt()).lease().epoch()).isEqualTo(3);
    }

    @Test
    void refusesASchemaFromANewerVersion() throws SQLException {
        store.close();
        try (Connection c = raw(); Statement s = c.createStatement()) {
            s.execute("UPDATE schema_versions SET version = 99 WHERE component = 'locks'");
        }

        assertThatThrownBy(() -> SqliteLockStore.open(file()))
                .isInstanceOfSatisfying(ConvergenceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STATE_STORE_UNAVAILABLE))
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("newer Convergence");
        store = SqliteLockStore.open(dir.resolve("fresh.db"));
    }

    @Test
    void keepsMillisecondPrecision() {
        Instant precise = Instant.parse("2024-03-01T10:00:00.123456789Z");

        Lease lease = store.tryAcquire(KEY, A, LEASE, precise).lease();

        assertThat(lease.acquiredAt()).isEqualTo(Instant.parse("2024-03-01T10:00:00.123Z"));
        assertThat(store.lease(KEY)).contains(lease);
    }

    @Test
    void waitsForAnotherProcessHoldingTheWriteLock() throws Exception {
        CountDownLatch locked = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Connection c = raw()) {
            Future<?> holder = other.submit(() -> {
                try (Statement s = c.createStatement()) {
                    s.execute("BEGIN IMMEDIATE");
                    locked.countDown();
                    Thread.sleep(300);
                    s.execute("COMMIT");
                }
                return null;
            });
            locked.await();

            // blocks on SQLite's write lock until the other connection commits, then succeeds
            assertThat(store.tryAcquire(KEY, A, LEASE, T0).isGranted()).isTrue();
            holder.get(10, TimeUnit.SECONDS);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void givesUpWithAClearErrorWhenTheFileStaysLocked() throws Exception {
        SqliteLockStore impatient = SqliteLockStore.open(file(),
                new SqliteLockStore.Options(Duration.ofMillis(20), Duration.ofMillis(100), true));
        try (Connection c = raw(); Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                assertThatThrownBy(() -> impatient.tryAcquire(KEY, A, LEASE, T0))
                        .isInstanceOfSatisfying(ConvergenceException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.STATE_STORE_UNAVAILABLE))
                        .hasMessageContaining("stayed locked by another process");
            } finally {
                s.execute("ROLLBACK");
            }
            // the failed attempt left no transaction open: the store works again
            assertThat(impatient.tryAcquire(KEY, A, LEASE, T0).isGranted()).isTrue();
        } finally {
            impatient.close();
        }
    }

    @Test
    void refusesWorkAfterClose() {
        store.close();
        store.close();

        assertThatThrownBy(() -> store.lease(KEY)).isInstanceOf(IllegalStateException.class);
        store = SqliteLockStore.open(file());
    }

    /** Threads with their own connections stand in for processes: only one holds the lock at a time. */
    @Test
    void connectionsRacingForOneKeyNeverShareIt() throws Exception {
        int workers = 4;
        int cycles = 50;
        List<long[]> grants = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        int[] inside = new int[1];
        for (int w = 0; w < workers; w++) {
            LockHolder holder = new LockHolder("h", "u", w, "run-" + w);
            futures.add(pool.submit(() -> {
                try (SqliteLockStore mine = SqliteLockStore.open(file())) {
                    start.await();
                    int done = 0;
                    while (done < cycles) {
                        // a fixed "now" far before expiry: the only way in is a release
                        LockGrant grant = mine.tryAcquire(KEY, holder, Duration.ofDays(1), T0);
                        if (!grant.isGranted()) {
                            Thread.yield();
                            continue;
                        }
                        synchronized (inside) {
                            inside[0]++;
                            assertThat(inside[0]).isEqualTo(1);
                        }
                        grants.add(new long[] {grant.lease().epoch(), holder.pid()});
                        synchronized (inside) {
                            inside[0]--;
                        }
                        assertThat(mine.release(KEY, holder.runId(), grant.lease().epoch())).isTrue();
                        done++;
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(grants).hasSize(workers * cycles);
        assertThat(grants.stream().mapToLong(g -> g[0]).sorted().toArray())
                .containsExactly(java.util.stream.LongStream.rangeClosed(1, workers * cycles).toArray());
    }
}
