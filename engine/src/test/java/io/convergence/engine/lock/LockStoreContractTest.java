package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LockStore} must have. An implementation's test extends this class and
 * says how to make an empty store and (if it has the notion) a second client of the same store.
 */
public abstract class LockStoreContractTest {
    protected static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    protected static final Duration LEASE = Duration.ofSeconds(60);
    protected static final LockKey KEY = new LockKey("acme", "orders");
    protected static final LockKey OTHER_KEY = new LockKey("acme", "customers");
    protected static final LockHolder A = new LockHolder("host-a", "alice", 101, "run-a");
    protected static final LockHolder B = new LockHolder("host-b", "bob", 202, "run-b");
    protected static final LockHolder C = new LockHolder("host-c", "carol", 303, "run-c");

    protected LockStore store;
    private final List<LockStore> extraClients = new ArrayList<>();

    /** A new, empty store. */
    protected abstract LockStore createStore();

    /**
     * Another client of the same store, as a second process would have; stores without separate
     * clients return {@code store} itself.
     */
    protected LockStore openSecondClient(LockStore store) {
        return store;
    }

    @BeforeEach
    protected void setUpStore() {
        store = createStore();
        store.prepare(List.of(KEY, OTHER_KEY));
    }

    @AfterEach
    protected void closeStore() {
        for (LockStore client : extraClients) {
            client.close();
        }
        store.close();
    }

    private LockStore secondClient() {
        LockStore second = openSecondClient(store);
        if (second != store) {
            extraClients.add(second);
        }
        return second;
    }

    private Lease granted(LockGrant grant) {
        assertThat(grant).isInstanceOf(LockGrant.Granted.class);
        return grant.lease();
    }

    @Test
    void grantsAFreeLockWithEpochOne() {
        LockGrant grant = store.tryAcquire(KEY, A, LEASE, T0);

        assertThat(grant.isGranted()).isTrue();
        assertThat(((LockGrant.Granted) grant).expiredPredecessor()).isEmpty();
        Lease lease = grant.lease();
        assertThat(lease.key()).isEqualTo(KEY);
        assertThat(lease.holder()).isEqualTo(A);
        assertThat(lease.epoch()).isEqualTo(1);
        assertThat(lease.acquiredAt()).isEqualTo(T0);
        assertThat(lease.heartbeatAt()).isEqualTo(T0);
        assertThat(lease.expiresAt()).isEqualTo(T0.plus(LEASE));
        assertThat(store.lease(KEY)).contains(lease);
        assertThat(store.currentLeases()).containsExactly(lease);
    }

    @Test
    void answersBusyWithTheHoldersLease() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        LockGrant second = store.tryAcquire(KEY, B, LEASE, T0.plusSeconds(59));

        assertThat(second).isInstanceOf(LockGrant.Busy.class);
        assertThat(second.isGranted()).isFalse();
        assertThat(second.lease()).isEqualTo(a);
        assertThat(store.lease(KEY)).contains(a);
    }

    @Test
    void isNotReentrant() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        LockGrant again = store.tryAcquire(KEY, A, LEASE, T0.plusSeconds(1));

        assertThat(again).isInstanceOf(LockGrant.Busy.class);
        assertThat(again.lease()).isEqualTo(a);
    }

    @Test
    void secondClientSeesTheSameLocks() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));
        LockStore other = secondClient();

        assertThat(other.lease(KEY)).contains(a);
        assertThat(other.tryAcquire(KEY, B, LEASE, T0.plusSeconds(1))).isInstanceOf(LockGrant.Busy.class);
        assertThat(other.release(KEY, A.runId(), a.epoch())).isTrue();
        assertThat(granted(other.tryAcquire(KEY, B, LEASE, T0.plusSeconds(2))).epoch()).isEqualTo(2);
        assertThat(store.lease(KEY).map(Lease::holder)).contains(B);
    }

    @Test
    void keysAreIndependent() {
        Lease orders = granted(store.tryAcquire(KEY, A, LEASE, T0));
        Lease customers = granted(store.tryAcquire(OTHER_KEY, B, LEASE, T0));

        assertThat(orders.epoch()).isEqualTo(1);
        assertThat(customers.epoch()).isEqualTo(1);
        assertThat(store.currentLeases()).containsExactly(customers, orders);
    }

    @Test
    void renewMovesHeartbeatAndExpiry() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        RenewResult result = store.renew(KEY, A.runId(), a.epoch(), T0.plusSeconds(20));

        assertThat(result).isInstanceOf(RenewResult.Renewed.class);
        Lease renewed = ((RenewResult.Renewed) result).lease();
        assertThat(renewed.epoch()).isEqualTo(a.epoch());
        assertThat(renewed.acquiredAt()).isEqualTo(T0);
        assertThat(renewed.heartbeatAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(80));
        assertThat(store.lease(KEY)).contains(renewed);
        // renewal keeps it from being taken when the original lease would have run out
        assertThat(store.tryAcquire(KEY, B, LEASE, T0.plusSeconds(70))).isInstanceOf(LockGrant.Busy.class);
    }

    @Test
    void releaseFreesTheLockAndKeepsTheEpoch() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        assertThat(store.release(KEY, A.runId(), a.epoch())).isTrue();

        assertThat(store.lease(KEY)).isEmpty();
        assertThat(store.currentLeases()).isEmpty();
        Lease b = granted(store.tryAcquire(KEY, B, LEASE, T0.plusSeconds(1)));
        assertThat(b.epoch()).isEqualTo(2);
        assertThat(((LockGrant.Granted) store.tryAcquire(OTHER_KEY, C, LEASE, T0)).expiredPredecessor()).isEmpty();
    }

    @Test
    void releaseIsIdempotent() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        assertThat(store.release(KEY, A.runId(), a.epoch())).isTrue();
        assertThat(store.release(KEY, A.runId(), a.epoch())).isFalse();
        assertThat(store.release(OTHER_KEY, A.runId(), 1)).isFalse();
        assertThat(store.lease(KEY)).isEmpty();
    }

    @Test
    void releaseByANonHolderHasNoEffect() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        assertThat(store.release(KEY, B.runId(), a.epoch())).isFalse();
        assertThat(store.release(KEY, A.runId(), a.epoch() + 1)).isFalse();
        assertThat(store.release(KEY, A.runId(), a.epoch() - 1)).isFalse();

        assertThat(store.lease(KEY)).contains(a);
        assertThat(store.validateEpoch(KEY, a.epoch(), T0.plusSeconds(1))).isTrue();
    }

    @Test
    void staleHolderCannotReleaseTheNewHoldersLock() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));
        Lease b = granted(store.tryAcquire(KEY, B, LEASE, a.expiresAt()));

        assertThat(store.release(KEY, A.runId(), a.epoch())).isFalse();

        assertThat(store.lease(KEY)).contains(b);
    }

    @Test
    void anExpiredLeaseIsTakenOverWithTheNextEpoch() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));
        assertThat(store.tryAcquire(KEY, B, LEASE, a.expiresAt().minusMillis(1))).isInstanceOf(LockGrant.Busy.class);

        LockGrant grant = store.tryAcquire(KEY, B, LEASE, a.expiresAt());

        Lease b = granted(grant);
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        assertThat(b.holder()).isEqualTo(B);
        assertThat(((LockGrant.Granted) grant).expiredPredecessor()).contains(a);
        assertThat(store.lease(KEY)).contains(b);
    }

    @Test
    void renewFailsOnceTheLeaseWasTakenOver() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));
        Lease b = granted(store.tryAcquire(KEY, B, LEASE, T0.plus(LEASE).plusSeconds(5)));

        RenewResult result = store.renew(KEY, A.runId(), a.epoch(), T0.plus(LEASE).plusSeconds(6));

        assertThat(result).isEqualTo(new RenewResult.Lost(LossReason.TAKEN_OVER, Optional.of(b)));
        assertThat(store.lease(KEY)).contains(b);
    }

    @Test
    void anExpiredLeaseCannotBeRenewedEvenIfNobodyTookIt() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        RenewResult result = store.renew(KEY, A.runId(), a.epoch(), a.expiresAt());

        assertThat(result).isInstanceOf(RenewResult.Lost.class);
        assertThat(((RenewResult.Lost) result).reason()).isEqualTo(LossReason.EXPIRED);
        assertThat(store.lease(KEY)).contains(a);
        // once lost, always lost, even for a caller whose clock lags behind
        assertThat(store.renew(KEY, A.runId(), a.epoch(), a.expiresAt().plusSeconds(1)).isRenewed()).isFalse();
    }

    @Test
    void renewFailsAfterReleaseOrForceRelease() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));
        store.release(KEY, A.runId(), a.epoch());
        assertThat(store.renew(KEY, A.runId(), a.epoch(), T0.plusSeconds(1)))
                .isEqualTo(new RenewResult.Lost(LossReason.RELEASED, Optional.empty()));

        Lease b = granted(store.tryAcquire(KEY, B, LEASE, T0.plusSeconds(2)));
        store.forceRelease(KEY, "admin", "stuck", T0.plusSeconds(3));
        assertThat(store.renew(KEY, B.runId(), b.epoch(), T0.plusSeconds(4)))
                .isEqualTo(new RenewResult.Lost(LossReason.RELEASED, Optional.empty()));
    }

    @Test
    void renewByTheWrongRunOrEpochFails() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        assertThat(store.renew(KEY, B.runId(), a.epoch(), T0.plusSeconds(1)).isRenewed()).isFalse();
        assertThat(store.renew(KEY, A.runId(), a.epoch() + 1, T0.plusSeconds(1)).isRenewed()).isFalse();
        assertThat(store.renew(OTHER_KEY, A.runId(), a.epoch(), T0.plusSeconds(1)).isRenewed()).isFalse();
        assertThat(store.lease(KEY)).contains(a);
    }

    @Test
    void forceReleaseIsAudited() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        Optional<ForceRelease> released = store.forceRelease(KEY, "admin@ops", "host-a crashed", T0.plusSeconds(10));

        ForceRelease expected = new ForceRelease(KEY, A, a.epoch(), "admin@ops", "host-a crashed", T0.plusSeconds(10));
        assertThat(released).contains(expected);
        assertThat(store.lease(KEY)).isEmpty();
        assertThat(store.validateEpoch(KEY, a.epoch(), T0.plusSeconds(11))).isFalse();
        assertThat(store.forceReleaseHistory(Optional.of(KEY), 10)).containsExactly(expected);
        assertThat(granted(store.tryAcquire(KEY, B, LEASE, T0.plusSeconds(12))).epoch()).isEqualTo(a.epoch() + 1);
    }

    @Test
    void forceReleaseOfAFreeLockRecordsNothing() {
        assertThat(store.forceRelease(KEY, "admin", "just in case", T0)).isEmpty();
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));
        store.release(KEY, A.runId(), a.epoch());

        assertThat(store.forceRelease(KEY, "admin", "again", T0.plusSeconds(1))).isEmpty();

        assertThat(store.forceReleaseHistory(Optional.empty(), 10)).isEmpty();
    }

    @Test
    void forceReleaseHistoryIsNewestFirstFilteredAndLimited() {
        for (int i = 0; i < 3; i++) {
            Instant at = T0.plusSeconds(100L * i);
            store.tryAcquire(KEY, A, LEASE, at);
            store.forceRelease(KEY, "admin", "orders " + i, at.plusSeconds(1));
            store.tryAcquire(OTHER_KEY, B, LEASE, at);
            store.forceRelease(OTHER_KEY, "ops", "customers " + i, at.plusSeconds(2));
        }

        assertThat(store.forceReleaseHistory(Optional.empty(), 10)).extracting(ForceRelease::reason)
                .containsExactly("customers 2", "orders 2", "customers 1", "orders 1", "customers 0", "orders 0");
        assertThat(store.forceReleaseHistory(Optional.of(KEY), 2)).extracting(ForceRelease::reason)
                .containsExactly("orders 2", "orders 1");
        assertThat(store.forceReleaseHistory(Optional.of(KEY), 10)).extracting(ForceRelease::previousEpoch)
                .containsExactly(3L, 2L, 1L);
        assertThat(store.forceReleaseHistory(Optional.of(OTHER_KEY), 0)).isEmpty();
    }

    @Test
    void validateEpochHoldsOnlyForTheCurrentUnexpiredLease() {
        assertThat(store.validateEpoch(KEY, 1, T0)).isFalse();
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        assertThat(store.validateEpoch(KEY, a.epoch(), T0.plusSeconds(59))).isTrue();
        assertThat(store.validateEpoch(KEY, a.epoch() + 1, T0.plusSeconds(59))).isFalse();
        assertThat(store.validateEpoch(OTHER_KEY, a.epoch(), T0.plusSeconds(59))).isFalse();
        assertThat(store.validateEpoch(KEY, a.epoch(), a.expiresAt())).isFalse();

        Lease b = granted(store.tryAcquire(KEY, B, LEASE, a.expiresAt().plusSeconds(1)));
        assertThat(store.validateEpoch(KEY, a.epoch(), a.expiresAt().plusSeconds(2))).isFalse();
        assertThat(store.validateEpoch(KEY, b.epoch(), a.expiresAt().plusSeconds(2))).isTrue();

        store.release(KEY, B.runId(), b.epoch());
        assertThat(store.validateEpoch(KEY, b.epoch(), a.expiresAt().plusSeconds(3))).isFalse();
    }

    @Test
    void listsExpiredLeases() {
        Lease orders = granted(store.tryAcquire(KEY, A, Duration.ofSeconds(10), T0));
        Lease customers = granted(store.tryAcquire(OTHER_KEY, B, Duration.ofSeconds(30), T0));

        assertThat(store.expiredLeases(T0.plusSeconds(9))).isEmpty();
        assertThat(store.expiredLeases(T0.plusSeconds(10))).containsExactly(orders);
        assertThat(store.expiredLeases(T0.plusSeconds(31))).containsExactly(customers, orders);
        // expired leases stay visible as held until someone deals with them
        assertThat(store.currentLeases()).containsExactly(customers, orders);

        store.release(KEY, A.runId(), orders.epoch());
        assertThat(store.expiredLeases(T0.plusSeconds(31))).containsExactly(customers);
    }

    @Test
    void theHolderMayReleaseItsOwnExpiredLease() {
        Lease a = granted(store.tryAcquire(KEY, A, LEASE, T0));

        assertThat(store.release(KEY, A.runId(), a.epoch())).isTrue();

        assertThat(store.expiredLeases(a.expiresAt())).isEmpty();
    }

    @Test
    void epochsStrictlyIncreaseThroughReleasesTakeoversAndForceReleases() {
        Instant now = T0;
        long last = 0;
        LockHolder[] holders = {A, B, C};
        for (int i = 0; i < 30; i++) {
            LockHolder holder = holders[i % 3];
            Lease lease = granted(store.tryAcquire(KEY, holder, LEASE, now));
            assertThat(lease.epoch()).isEqualTo(last + 1);
            last = lease.epoch();
            switch (i % 3) {
                case 0 -> store.release(KEY, holder.runId(), lease.epoch());
                case 1 -> store.forceRelease(KEY, "admin", "test " + i, now.plusSeconds(1));
                default -> now = lease.expiresAt(); // let it lapse; the next one takes it over
            }
            now = now.plusSeconds(2);
        }
    }

    /**
     * Random operations from three holders, checked against a small model of the contract: at most one
     * holder, epochs never repeat or go back, and renew/release/validate agree with the model.
     */
    @Test
    void randomOperationsFollowTheModel() {
        Random random = new Random(42);
        LockHolder[] holders = {A, B, C};
        Map<String, Long> lastEpochOf = new HashMap<>();
        Lease modelLease = null;
        long modelEpoch = 0;
        Instant now = T0;
        for (int step = 0; step < 400; step++) {
            now = now.plusMillis(random.nextInt(25_000));
            LockHolder who = holders[random.nextInt(3)];
            Long epoch = lastEpochOf.get(who.runId());
            boolean modelHeld = modelLease != null && !modelLease.isExpired(now);
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    LockGrant grant = store.tryAcquire(KEY, who, LEASE, now);
                    if (modelHeld) {
                        assertThat(grant).isEqualTo(new LockGrant.Busy(modelLease));
                    } else {
                        Lease lease = granted(grant);
                        assertThat(lease.epoch()).isEqualTo(modelEpoch + 1);
                        assertThat(((LockGrant.Granted) grant).expiredPredecessor())
                                .isEqualTo(Optional.ofNullable(modelLease));
                        modelEpoch = lease.epoch();
                        modelLease = lease;
                        lastEpochOf.put(who.runId(), lease.epoch());
                    }
                }
                case 2 -> {
                    if (epoch != null) {
                        RenewResult result = store.renew(KEY, who.runId(), epoch, now);
                        boolean mine = modelHeld && modelLease.epoch() == epoch;
                        assertThat(result.isRenewed()).isEqualTo(mine);
                        if (mine) {
                            modelLease = ((RenewResult.Renewed) result).lease();
                            assertThat(modelLease.expiresAt()).isEqualTo(now.plus(LEASE));
                        }
                    }
                }
                case 3 -> {
                    if (epoch != null) {
                        boolean mine = modelLease != null && modelLease.epoch() == epoch;
                        assertThat(store.release(KEY, who.runId(), epoch)).isEqualTo(mine);
                        if (mine) {
                            modelLease = null;
                        }
                    }
                }
                default -> {
                    if (epoch != null) {
                        boolean valid = modelHeld && modelLease.epoch() == epoch;
                        assertThat(store.validateEpoch(KEY, epoch, now)).isEqualTo(valid);
                    }
                }
            }
            assertThat(store.lease(KEY)).isEqualTo(Optional.ofNullable(modelLease));
        }
        assertThat(modelEpoch).isGreaterThan(20);
    }
}
