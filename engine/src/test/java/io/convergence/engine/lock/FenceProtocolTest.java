package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.LockSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stale holder (paused past its lease) cannot publish over the run that took its lock, both by the
 * lock store's check and by the warehouse fence row (ADR 0006). The "warehouse" here is a SQLite file
 * that plays the fence protocol the real warehouses implement.
 */
class FenceProtocolTest {
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final LockKey KEY = new LockKey("acme", "orders");
    private static final LockSettings SETTINGS = new LockSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 0,
            Duration.ZERO, Duration.ZERO);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private SqliteLockStore storeA;
    private SqliteLockStore storeB;
    private LockManager processA;
    private LockManager processB;
    private Connection warehouse;

    @BeforeEach
    void open() throws SQLException {
        // two stores on one file stand for two processes on one workstation
        storeA = SqliteLockStore.open(dir.resolve("state.db"));
        storeB = SqliteLockStore.open(dir.resolve("state.db"));
        processA = LockManager.builder(storeA, SETTINGS).clock(clock).shutdownHook(false).build();
        processB = LockManager.builder(storeB, SETTINGS).clock(clock).shutdownHook(false).build();
        warehouse = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("warehouse.db"));
        try (Statement s = warehouse.createStatement()) {
            s.execute("CREATE TABLE fence (tenant TEXT, pipeline TEXT, epoch INTEGER, PRIMARY KEY (tenant, pipeline))");
            s.execute("CREATE TABLE orders (partition_key TEXT PRIMARY KEY, amount INTEGER, published_by TEXT)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        processA.close();
        processB.close();
        storeA.close();
        storeB.close();
        warehouse.close();
    }

    /** Run start: move the fence up to my epoch; refuse if a newer run already moved it further. */
    private void advanceFence(FenceGuard guard) throws SQLException {
        try (PreparedStatement s = warehouse.prepareStatement("INSERT INTO fence VALUES (?, ?, ?)"
                + " ON CONFLICT (tenant, pipeline) DO UPDATE SET epoch = excluded.epoch WHERE fence.epoch <= excluded.epoch")) {
            s.setString(1, guard.key().tenant());
            s.setString(2, guard.key().pipeline());
            s.setLong(3, guard.epoch());
            s.executeUpdate();
        }
        guard.checkWarehouseFence(fenceEpoch());
    }

    private long fenceEpoch() throws SQLException {
        try (PreparedStatement s = warehouse.prepareStatement("SELECT epoch FROM fence WHERE tenant = ? AND pipeline = ?")) {
            s.setString(1, KEY.tenant());
            s.setString(2, KEY.pipeline());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Publish: check the guard, then swap in the partition in the same transaction that re-reads the fence. */
    private void publish(FenceGuard guard, boolean checkLockStore, String partition, int amount) throws SQLException {
        if (checkLockStore) {
            guard.check();
        }
        try (Statement tx = warehouse.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            try {
                guard.checkWarehouseFence(fenceEpoch());
                try (PreparedStatement s = warehouse.prepareStatement("INSERT OR REPLACE INTO orders VALUES (?, ?, ?)")) {
                    s.setString(1, partition);
                    s.setInt(2, amount);
                    s.setString(3, "epoch " + guard.epoch());
                    s.executeUpdate();
                }
                tx.execute("COMMIT");
            } catch (RuntimeException | SQLException e) {
                tx.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private String publishedBy(String partition) throws SQLException {
        try (PreparedStatement s = warehouse.prepareStatement("SELECT published_by FROM orders WHERE partition_key = ?")) {
            s.setString(1, partition);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void aPausedHolderCannotPublishAfterItsLockWasTakenOver() throws SQLException {
        List<LockLoss> lossesA = new CopyOnWriteArrayList<>();
        LockHandle a = processA.acquire(KEY, new LockHolder("ws1", "alice", 1, "run-a"), (h, loss) -> lossesA.add(loss));
        advanceFence(a);
        publish(a, true, "2024-03-01", 10);

        // A pauses (GC, laptop lid, SIGSTOP): no heartbeat for longer than the lease
        clock.advance(Duration.ofSeconds(45));
        LockHandle b = processB.acquire(KEY, new LockHolder("ws1", "bob", 2, "run-b"));
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        advanceFence(b);

        // A wakes up and goes on publishing: the lock store refuses
        assertThatThrownBy(() -> publish(a, true, "2024-03-02", 20))
                .isInstanceOfSatisfying(ConvergenceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED))
                .hasMessageContaining("taken over by run run-b");
        assertThat(lossesA).singleElement().extracting(LockLoss::reason).isEqualTo(LossReason.TAKEN_OVER);
        assertThat(storeA.validateEpoch(KEY, a.epoch(), clock.instant())).isFalse();

        // even a publish that passed the lock check just before the pause is stopped by the fence row
        assertThatThrownBy(() -> publish(a, false, "2024-03-01", 999))
                .isInstanceOfSatisfying(ConvergenceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED))
                .hasMessageContaining("fence is at epoch 2 but this run holds epoch 1");
        assertThat(publishedBy("2024-03-01")).isEqualTo("epoch 1");
        assertThat(publishedBy("2024-03-02")).isNull();

        // the new holder publishes normally
        publish(b, true, "2024-03-01", 11);
        assertThat(publishedBy("2024-03-01")).isEqualTo("epoch 2");

        // A's heartbeat finds out too, and closing A leaves B's lock alone
        a.heartbeat();
        a.close();
        assertThat(storeA.lease(KEY).map(Lease::runId)).contains("run-b");
        b.close();
    }

    @Test
    void aStaleRunStartingLateCannotMoveTheFenceBack() throws SQLException {
        LockHandle a = processA.acquire(KEY, new LockHolder("ws1", "alice", 1, "run-a"));
        clock.advance(Duration.ofSeconds(45));
        LockHandle b = processB.acquire(KEY, new LockHolder("ws1", "bob", 2, "run-b"));
        advanceFence(b);

        assertThatThrownBy(() -> advanceFence(a)).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED))
                .hasMessageContaining("a newer run has taken the pipeline over");
        assertThat(fenceEpoch()).isEqualTo(b.epoch());
        a.close();
        b.close();
    }

    @Test
    void aFixedGuardIsAlwaysValid() {
        FenceGuard guard = FenceGuard.fixed(KEY, 3);

        guard.check();
        guard.checkWarehouseFence(3);
        assertThatThrownBy(() -> guard.checkWarehouseFence(4)).isInstanceOf(ConvergenceException.class);
    }
}
