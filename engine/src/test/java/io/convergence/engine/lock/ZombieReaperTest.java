package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZombieReaperTest {
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final LockKey ORDERS = new LockKey("acme", "orders");
    private static final LockKey CUSTOMERS = new LockKey("acme", "customers");
    private static final LockKey INVOICES = new LockKey("beta", "invoices");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private SqliteLockStore store;

    /** What the history store will do: remember interrupted runs; runs listed in {@code failFor} fail once. */
    private static final class RecordingRepair implements RunStateRepair {
        final List<String> interrupted = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
        final Set<String> failFor = new HashSet<>();
        Runnable during = () -> { };

        @Override
        public void markInterrupted(String runId, String reason) {
            during.run();
            if (failFor.remove(runId)) {
                throw new IllegalStateException("history store unavailable");
            }
            interrupted.add(runId);
            reasons.add(reason);
        }
    }

    @BeforeEach
    void open() {
        store = SqliteLockStore.open(dir.resolve("state.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Lease hold(LockKey key, String runId, Duration lease) {
        return store.tryAcquire(key, new LockHolder("host-1", "alice", 4242, runId), lease, clock.instant()).lease();
    }

    @Test
    void marksExpiredRunsInterruptedAndReleasesTheirLocks() {
        Lease dead = hold(ORDERS, "run-dead", Duration.ofMinutes(1));
        Lease alive = hold(CUSTOMERS, "run-alive", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(2));
        RecordingRepair repair = new RecordingRepair();
        LockMetrics metrics = new LockMetrics(clock);

        List<Lease> reaped = new ZombieReaper(store, repair, clock, metrics).reap();

        assertThat(reaped).containsExactly(dead);
        assertThat(repair.interrupted).containsExactly("run-dead");
        assertThat(repair.reasons.get(0)).contains("acme/orders").contains("expired at 2024-03-01T10:01:00Z")
                .contains("host-1").contains("4242");
        assertThat(store.lease(ORDERS)).isEmpty();
        assertThat(store.lease(CUSTOMERS)).contains(alive);
        assertThat(metrics.snapshot().reaped()).isEqualTo(1);
        assertThat(metrics.snapshot().expirations()).isEqualTo(1);
        // the next run continues the epoch sequence
        assertThat(hold(ORDERS, "run-next", Duration.ofMinutes(1)).epoch()).isEqualTo(dead.epoch() + 1);
    }

    @Test
    void aNothingToDoPassChangesNothing() {
        Lease alive = hold(ORDERS, "run-alive", Duration.ofMinutes(1));
        RecordingRepair repair = new RecordingRepair();

        assertThat(new ZombieReaper(store, repair, clock).reap()).isEmpty();

        assertThat(repair.interrupted).isEmpty();
        assertThat(store.lease(ORDERS)).contains(alive);
    }

    @Test
    void keepsTheLockWhenTheRunCouldNotBeMarkedAndRetriesNextPass() {
        hold(ORDERS, "run-1", Duration.ofMinutes(1));
        Lease second = hold(INVOICES, "run-2", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(5));
        RecordingRepair repair = new RecordingRepair();
        repair.failFor.add("run-2");
        ZombieReaper reaper = new ZombieReaper(store, repair, clock);

        assertThat(reaper.reap()).extracting(Lease::runId).containsExactly("run-1");
        assertThat(store.lease(INVOICES)).contains(second);

        assertThat(reaper.reap()).containsExactly(second);
        assertThat(repair.interrupted).containsExactly("run-1", "run-2");
        assertThat(store.currentLeases()).isEmpty();
    }

    @Test
    void neverReleasesARunThatTookTheLockOverMeanwhile() {
        Lease dead = hold(ORDERS, "run-dead", Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        RecordingRepair repair = new RecordingRepair();
        List<Lease> newcomer = new ArrayList<>();
        // another process takes the expired lock between the reaper's listing and its release
        repair.during = () -> newcomer.add(hold(ORDERS, "run-new", Duration.ofMinutes(1)));

        List<Lease> reaped = new ZombieReaper(store, repair, clock).reap();

        assertThat(reaped).isEmpty();
        assertThat(repair.interrupted).containsExactly("run-dead");
        assertThat(newcomer.get(0).epoch()).isEqualTo(dead.epoch() + 1);
        assertThat(store.lease(ORDERS)).contains(newcomer.get(0));
    }
}
