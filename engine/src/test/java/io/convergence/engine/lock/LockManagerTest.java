package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.LockSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockManagerTest {
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final LockKey KEY = new LockKey("acme", "orders");
    private static final LockHolder A = new LockHolder("host-a", "alice", 101, "run-a");
    private static final LockHolder B = new LockHolder("host-b", "bob", 202, "run-b");
    /** The scheduled heartbeat never fires on its own within a test (1 h); tests beat by hand. */
    private static final LockSettings SETTINGS = new LockSettings(Duration.ofHours(2), Duration.ofHours(1), 3,
            Duration.ofSeconds(5), Duration.ZERO);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<String> interrupted = new CopyOnWriteArrayList<>();
    private Consumer<Integer> onSleep = n -> { };
    private SqliteLockStore store;
    private final List<LockManager> managers = new ArrayList<>();

    @BeforeEach
    void open() {
        store = SqliteLockStore.open(dir.resolve("state.db"));
    }

    @AfterEach
    void close() {
        managers.forEach(LockManager::close);
        store.close();
    }

    private LockManager manager(LockSettings settings) {
        LockManager manager = LockManager.builder(store, settings)
                .clock(clock)
                .sleeper(d -> {
                    sleeps.add(d);
                    clock.advance(d);
                    onSleep.accept(sleeps.size());
                })
                .repair((runId, reason) -> interrupted.add(runId + ": " + reason))
                .shutdownHook(false)
                .build();
        managers.add(manager);
        return manager;
    }

    private LockManager manager() {
        return manager(SETTINGS);
    }

    @Test
    void acquiresAndReleasesOnClose() {
        LockManager manager = manager();
        LockHandle handle;
        try (LockHandle h = manager.acquire(KEY, A)) {
            handle = h;
            assertThat(h.epoch()).isEqualTo(1);
            assertThat(h.isValid()).isTrue();
            assertThat(h.lease().expiresAt()).isEqualTo(T0.plus(SETTINGS.lease()));
            assertThat(store.lease(KEY)).contains(h.lease());
            assertThat(manager.openHandles()).containsExactly(h);
            h.checkFence();
        }

        assertThat(store.lease(KEY)).isEmpty();
        assertThat(handle.isValid()).isFalse();
        assertThat(handle.loss()).isEmpty();
        assertThat(manager.openHandles()).isEmpty();
        assertThatThrownBy(handle::checkFence).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED)).hasMessageContaining("released");
    }

    @Test
    void closeIsIdempotentAndNeverReleasesAnotherRunsLock() {
        LockManager manager = manager();
        LockHandle first = manager.acquire(KEY, A);
        first.close();
        LockHandle second = manager.acquire(KEY, B);

        first.close();

        assertThat(store.lease(KEY)).contains(second.lease());
        assertThat(second.epoch()).isEqualTo(2);
    }

    @Test
    void retriesThenReportsTheHolder() {
        LockManager manager = manager();
        Lease held = store.tryAcquire(KEY, B, Duration.ofHours(2), T0.minusSeconds(30)).lease();

        assertThatThrownBy(() -> manager.acquire(KEY, A))
                .isInstanceOfSatisfying(LockHeldException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_HELD);
                    assertThat(e.holder()).isEqualTo(held);
                    assertThat(e.attempts()).isEqualTo(4);
                })
                .hasMessageContaining("acme/orders")
                .hasMessageContaining("run run-b")
                .hasMessageContaining("host host-b")
                .hasMessageContaining("user bob")
                .hasMessageContaining("pid 202")
                .hasMessageContaining("since 2024-03-01T09:59:30Z")
                .hasMessageContaining("gave up after 4 attempts")
                .hasMessageContaining("convergence locks release acme orders");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        LockMetrics.Snapshot metrics = manager.metrics().snapshot();
        assertThat(metrics.contention()).isEqualTo(4);
        assertThat(metrics.acquireFailures()).isEqualTo(1);
        assertThat(metrics.waitSecondsSum()).isEqualTo(15.0);
        assertThat(metrics.activeLocks()).isEmpty();
    }

    @Test
    void zeroRetriesMeansOneAttempt() {
        LockManager manager = manager(new LockSettings(Duration.ofHours(2), Duration.ofHours(1), 0,
                Duration.ofSeconds(5), Duration.ZERO));
        store.tryAcquire(KEY, B, Duration.ofHours(2), T0);

        assertThatThrownBy(() -> manager.acquire(KEY, A)).isInstanceOf(LockHeldException.class)
                .hasMessageContaining("gave up after 1 attempt.");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void getsTheLockWhenTheHolderReleasesWhileWaiting() {
        LockManager manager = manager();
        Lease held = store.tryAcquire(KEY, B, Duration.ofHours(2), T0).lease();
        onSleep = n -> {
            if (n == 2) {
                store.release(KEY, B.runId(), held.epoch());
            }
        };

        try (LockHandle handle = manager.acquire(KEY, A)) {
            assertThat(handle.epoch()).isEqualTo(2);
            assertThat(sleeps).hasSize(2);
            assertThat(manager.metrics().snapshot().waitSecondsSum()).isEqualTo(10.0);
            assertThat(interrupted).isEmpty();
        }
    }

    @Test
    void takesOverAnExpiredLeaseAndMarksThatRunInterrupted() {
        LockManager manager = manager();
        store.tryAcquire(KEY, B, Duration.ofMinutes(1), T0.minusSeconds(120));

        try (LockHandle handle = manager.acquire(KEY, A)) {
            assertThat(handle.epoch()).isEqualTo(2);
        }

        assertThat(interrupted).singleElement().asString()
                .startsWith("run-b: ")
                .contains("expired at 2024-03-01T09:59:00Z")
                .contains("taken over by run run-a");
        assertThat(manager.metrics().snapshot().expirations()).isEqualTo(1);
    }

    @Test
    void interruptedWhileWaitingCancels() {
        LockManager manager = LockManager.builder(store, SETTINGS).clock(clock).shutdownHook(false)
                .sleeper(d -> {
                    throw new InterruptedException();
                }).build();
        managers.add(manager);
        store.tryAcquire(KEY, B, Duration.ofHours(2), T0);

        try {
            assertThatThrownBy(() -> manager.acquire(KEY, A)).isInstanceOfSatisfying(ConvergenceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.RUN_CANCELLED));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void heartbeatRenewsTheLease() {
        LockManager manager = manager();
        try (LockHandle handle = manager.acquire(KEY, A)) {
            clock.advance(Duration.ofMinutes(90));
            handle.heartbeat();
            clock.advance(Duration.ofMinutes(90));
            handle.heartbeat();

            // 3 h after acquiring with a 2 h lease: still valid because it was renewed
            assertThat(handle.isValid()).isTrue();
            assertThat(handle.lease().heartbeatAt()).isEqualTo(T0.plus(Duration.ofMinutes(180)));
            assertThat(handle.lease().expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(300)));
            assertThat(store.validateEpoch(KEY, handle.epoch(), clock.instant())).isTrue();
            handle.checkFence();
            assertThat(manager.metrics().snapshot().renewals()).isEqualTo(2);
        }
    }

    @Test
    void aLeaseThatRanOutBeforeItsHeartbeatIsLost() {
        LockManager manager = manager();
        List<LockLoss> losses = new CopyOnWriteArrayList<>();
        try (LockHandle handle = manager.acquire(KEY, A, (h, loss) -> losses.add(loss))) {
            clock.advance(Duration.ofHours(2));
            assertThat(handle.isValid()).isFalse();

            handle.heartbeat();
            handle.heartbeat();

            assertThat(losses).singleElement().satisfies(loss -> {
                assertThat(loss.reason()).isEqualTo(LossReason.EXPIRED);
                assertThat(loss.epoch()).isEqualTo(1);
                assertThat(loss.detail()).contains("expired at 2024-03-01T12:00:00Z");
            });
            assertThat(handle.loss()).contains(losses.get(0));
            assertThatThrownBy(handle::checkFence).isInstanceOfSatisfying(ConvergenceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
            assertThat(manager.metrics().snapshot().expirations()).isEqualTo(1);
            assertThat(manager.metrics().snapshot().activeLocks()).isEmpty();
        }
        // closing a lost handle still frees the row it left behind
        assertThat(store.lease(KEY)).isEmpty();
    }

    @Test
    void aForceReleaseIsNoticedAtTheNextHeartbeat() {
        LockManager manager = manager();
        List<LockLoss> losses = new CopyOnWriteArrayList<>();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LockManager.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try (LockHandle handle = manager.acquire(KEY, A, (h, loss) -> losses.add(loss))) {
            ForceRelease entry = manager.forceRelease(KEY, "admin@ops", "  stuck since Friday ");

            // logged for the record at INFO, not as a warning on the terminal of whoever released it (the CLI says so itself)
            assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().contains("force-released by admin@ops: stuck since Friday"))
                    .singleElement().extracting(ch.qos.logback.classic.spi.ILoggingEvent::getLevel)
                    .isEqualTo(ch.qos.logback.classic.Level.INFO);
            logger.detachAppender(logged);
            logger.setLevel(level);

            assertThat(entry.previousHolder()).isEqualTo(A);
            assertThat(entry.reason()).isEqualTo("stuck since Friday");
            assertThat(interrupted).containsExactly(
                    "run-a: its lock on acme/orders was force-released by admin@ops: stuck since Friday");
            assertThat(handle.isValid()).isTrue(); // it does not know yet

            handle.heartbeat();

            assertThat(handle.isValid()).isFalse();
            assertThat(losses).singleElement().extracting(LockLoss::reason).isEqualTo(LossReason.RELEASED);
            assertThat(manager.forceReleaseHistory(Optional.of(KEY), 10)).containsExactly(entry);
            assertThat(manager.metrics().snapshot().forceReleases()).isEqualTo(1);
        }
    }

    @Test
    void forceReleaseNeedsAReasonAndAHolder() {
        LockManager manager = manager();

        assertThatThrownBy(() -> manager.forceRelease(KEY, "admin", " "))
                .isInstanceOfSatisfying(ConvergenceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PARAMETER_INVALID));
        assertThatThrownBy(() -> manager.forceRelease(KEY, "admin", "why not"))
                .isInstanceOfSatisfying(ConvergenceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_NOT_HELD))
                .hasMessageContaining("acme/orders is not locked");
    }

    @Test
    void checkFenceRejectsAHolderWhoseLockWasTakenOver() {
        LockManager manager = manager();
        List<LockLoss> losses = new CopyOnWriteArrayList<>();
        try (LockHandle handle = manager.acquire(KEY, A, (h, loss) -> losses.add(loss))) {
            clock.advance(Duration.ofHours(3)); // paused: no heartbeat
            Lease b = store.tryAcquire(KEY, B, Duration.ofHours(2), clock.instant()).lease();

            assertThatThrownBy(handle::checkFence).isInstanceOfSatisfying(ConvergenceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED))
                    .hasMessageContaining("run run-a may not publish to acme/orders")
                    .hasMessageContaining("taken over by run run-b on host host-b")
                    .hasMessageContaining("epoch " + b.epoch());
            assertThat(losses).singleElement().extracting(LockLoss::reason).isEqualTo(LossReason.TAKEN_OVER);
            assertThat(store.lease(KEY)).contains(b);
        }
        // closing the stale handle leaves the new holder alone
        assertThat(store.lease(KEY).map(Lease::holder)).contains(B);
    }

    @Test
    void aListenerAddedAfterTheLossHearsAtOnce() {
        LockManager manager = manager();
        try (LockHandle handle = manager.acquire(KEY, A)) {
            clock.advance(Duration.ofHours(2));
            handle.heartbeat();
            List<LockLoss> late = new ArrayList<>();

            handle.onLost((h, loss) -> late.add(loss));

            assertThat(late).hasSize(1);
        }
    }

    @Test
    void aFailingListenerDoesNotSilenceTheOthers() {
        LockManager manager = manager();
        List<LockLoss> heard = new ArrayList<>();
        try (LockHandle handle = manager.acquire(KEY, A, (h, loss) -> {
            throw new IllegalStateException("boom");
        })) {
            handle.onLost((h, loss) -> heard.add(loss));
            clock.advance(Duration.ofHours(2));

            handle.heartbeat();

            assertThat(heard).hasSize(1);
        }
    }

    @Test
    void closingTheManagerReleasesEverything() {
        LockManager manager = manager();
        LockHandle orders = manager.acquire(KEY, A);
        LockHandle customers = manager.acquire(new LockKey("acme", "customers"), A);

        manager.close();
        manager.close();

        assertThat(store.currentLeases()).isEmpty();
        assertThat(orders.isValid()).isFalse();
        assertThat(customers.isValid()).isFalse();
        assertThatThrownBy(() -> manager.acquire(KEY, A)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theShutdownPathReleasesWhatOwnersLeftOpen() {
        LockManager manager = manager();
        manager.acquire(KEY, A);

        manager.releaseAllOnShutdown(); // shutdown_grace is zero here

        assertThat(store.currentLeases()).isEmpty();
        assertThat(manager.openHandles()).isEmpty();
    }

    @Test
    void refusesSettingsUnderWhichLeasesExpireBeforeRenewal() {
        LockSettings bad = new LockSettings(Duration.ofSeconds(20), Duration.ofSeconds(20), 3, Duration.ofSeconds(5),
                Duration.ZERO);

        assertThatThrownBy(() -> LockManager.builder(store, bad).build())
                .isInstanceOfSatisfying(ConvergenceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SETTING_INVALID))
                .hasMessageContaining("locks.heartbeat (20s) must be shorter than locks.lease (20s)");
        assertThatThrownBy(() -> LockManager.builder(store, new LockSettings(Duration.ZERO, Duration.ofSeconds(1), 0,
                Duration.ZERO, Duration.ZERO)).build()).isInstanceOf(ConvergenceException.class);
    }

    /** The real scheduler and clock: a 2 s lease, renewed every 200 ms, outlives its first expiry. */
    @Test
    void theBackgroundHeartbeatKeepsAShortLeaseAlive() throws InterruptedException {
        LockManager manager = LockManager.builder(store, new LockSettings(Duration.ofSeconds(2),
                Duration.ofMillis(200), 0, Duration.ZERO, Duration.ZERO))
                .clock(Clock.systemUTC()).shutdownHook(false).build();
        managers.add(manager);
        List<LockLoss> losses = new CopyOnWriteArrayList<>();
        try (LockHandle handle = manager.acquire(KEY, A, (h, loss) -> losses.add(loss))) {
            Instant acquired = handle.lease().acquiredAt();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (handle.lease().heartbeatAt().isBefore(acquired.plusMillis(2200)) && losses.isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertThat(losses).isEmpty();
            assertThat(handle.lease().heartbeatAt()).isAfterOrEqualTo(acquired.plusMillis(2200));
            assertThat(manager.metrics().snapshot().renewals()).isGreaterThanOrEqualTo(3);
        }
    }
}
