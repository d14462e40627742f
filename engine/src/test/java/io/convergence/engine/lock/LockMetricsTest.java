package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LockMetricsTest {
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final LockKey ORDERS = new LockKey("acme", "orders");
    private static final LockKey CUSTOMERS = new LockKey("beta", "customers");
    private static final LockHolder HOLDER = new LockHolder("h", "u", 1, "run-1");
    /** A sample line: name, optional labels, value (Prometheus text format 0.0.4). */
    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*})? (\\S+)$");

    private final MutableClock clock = new MutableClock(T0);
    private final LockMetrics metrics = new LockMetrics(clock);

    private static Lease lease(LockKey key, long epoch, Instant at, Duration duration) {
        return new Lease(key, HOLDER, epoch, at, at, at.plus(duration));
    }

    private void scenario() {
        metrics.recordContention();
        metrics.recordContention();
        // 2^-8 s: exact in binary, so sums compare exactly
        metrics.recordAcquired(lease(ORDERS, 7, T0, Duration.ofMinutes(2)), Duration.ofNanos(3_906_250));
        metrics.recordAcquired(lease(CUSTOMERS, 2, T0.plusSeconds(30), Duration.ofMinutes(2)), Duration.ofSeconds(12));
        metrics.recordAcquireFailed(Duration.ofSeconds(400));
        metrics.recordExpirationSeen();
        metrics.recordForceRelease();
        clock.advance(Duration.ofSeconds(90));
    }

    @Test
    void snapshotCountsEverything() {
        scenario();

        LockMetrics.Snapshot s = metrics.snapshot();

        assertThat(s.at()).isEqualTo(T0.plusSeconds(90));
        assertThat(s.activeLocks()).containsExactly(
                new LockMetrics.ActiveLock(ORDERS, 7, Duration.ofSeconds(90), 75.0),
                new LockMetrics.ActiveLock(CUSTOMERS, 2, Duration.ofSeconds(60), 50.0));
        assertThat(s.acquisitions()).isEqualTo(2);
        assertThat(s.acquireFailures()).isEqualTo(1);
        assertThat(s.contention()).isEqualTo(2);
        assertThat(s.expirations()).isEqualTo(1);
        assertThat(s.forceReleases()).isEqualTo(1);
        assertThat(s.waitCount()).isEqualTo(3);
        assertThat(s.waitSecondsSum()).isEqualTo(412.00390625);
        // cumulative: 3.9 ms falls in le=0.005, 12 s in le=30, 400 s only in +Inf
        assertThat(s.waitBuckets()).containsExactly(0L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L, 3L);
    }

    @Test
    void renewalsReleasesAndLossesMoveTheGauges() {
        scenario();
        Instant beat = T0.plusSeconds(90);
        metrics.recordRenewed(new Lease(ORDERS, HOLDER, 7, T0, beat, beat.plus(Duration.ofMinutes(2))));
        metrics.recordRenewed(lease(CUSTOMERS, 1, T0.plusSeconds(90), Duration.ofMinutes(2))); // stale epoch: ignored
        metrics.recordReleased(ORDERS, 6); // not the epoch held: ignored
        metrics.recordLost(CUSTOMERS, 2, LossReason.EXPIRED);

        LockMetrics.Snapshot s = metrics.snapshot();

        assertThat(s.activeLocks()).containsExactly(new LockMetrics.ActiveLock(ORDERS, 7, Duration.ofSeconds(90), 0.0));
        assertThat(s.renewals()).isEqualTo(2);
        assertThat(s.lost()).isEqualTo(1);
        assertThat(s.expirations()).isEqualTo(2);

        metrics.recordReleased(ORDERS, 7);
        assertThat(metrics.snapshot().activeLocks()).isEmpty();
    }

    @Test
    void rendersValidPrometheusText() {
        scenario();

        String text = metrics.toPrometheus();

        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> samples = new LinkedHashMap<>();
        List<String> helped = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                helped.add(line.split(" ")[2]);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts).hasSize(4);
                assertThat(parts[3]).isIn("counter", "gauge", "histogram");
                types.put(parts[2], parts[3]);
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("sample line %s", line).isTrue();
                String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
                assertThat(types).as("TYPE before sample %s", line).containsKey(
                        types.containsKey(m.group(1)) ? m.group(1) : family);
                Double.parseDouble(m.group(3).replace("+Inf", "Infinity"));
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), m.group(3));
            }
        }
        assertThat(text).endsWith("\n");
        assertThat(helped).containsExactlyElementsOf(types.keySet());
        assertThat(types).containsEntry("convergence_lock_contention_total", "counter")
                .containsEntry("convergence_locks_active", "gauge")
                .containsEntry("convergence_lock_acquire_wait_seconds", "histogram");
        assertThat(samples)
                .containsEntry("convergence_locks_active", "2")
                .containsEntry("convergence_lock_age_seconds{tenant=\"acme\",pipeline=\"orders\"}", "90")
                .containsEntry("convergence_lock_age_seconds{tenant=\"beta\",pipeline=\"customers\"}", "60")
                .containsEntry("convergence_lock_lease_used_ratio{tenant=\"acme\",pipeline=\"orders\"}", "0.75")
                .containsEntry("convergence_lock_epoch{tenant=\"acme\",pipeline=\"orders\"}", "7")
                .containsEntry("convergence_lock_acquisitions_total", "2")
                .containsEntry("convergence_lock_acquire_failures_total", "1")
                .containsEntry("convergence_lock_contention_total", "2")
                .containsEntry("convergence_lock_expirations_total", "1")
                .containsEntry("convergence_lock_force_releases_total", "1")
                .containsEntry("convergence_lock_acquire_wait_seconds_bucket{le=\"0.001\"}", "0")
                .containsEntry("convergence_lock_acquire_wait_seconds_bucket{le=\"0.005\"}", "1")
                .containsEntry("convergence_lock_acquire_wait_seconds_bucket{le=\"30\"}", "2")
                .containsEntry("convergence_lock_acquire_wait_seconds_bucket{le=\"+Inf\"}", "3")
                .containsEntry("convergence_lock_acquire_wait_seconds_count", "3")
                .containsEntry("convergence_lock_acquire_wait_seconds_sum", "412.00390625");
        // buckets are cumulative and the last equals the count
        List<Double> buckets = new ArrayList<>();
        samples.forEach((k, v) -> {
            if (k.startsWith("convergence_lock_acquire_wait_seconds_bucket")) {
                buckets.add(Double.parseDouble(v));
            }
        });
        assertThat(buckets).hasSize(LockMetrics.WAIT_BUCKETS.size() + 1).isSorted();
    }

    @Test
    void anIdleProcessStillExposesEveryFamily() {
        String text = metrics.toPrometheus();

        assertThat(text).contains("convergence_locks_active 0\n")
                .contains("# TYPE convergence_lock_age_seconds gauge\n")
                .contains("convergence_lock_acquire_wait_seconds_bucket{le=\"+Inf\"} 0\n")
                .contains("convergence_lock_acquire_wait_seconds_sum 0\n")
                .doesNotContain("tenant=");
    }

    @Test
    void escapesLabelValuesAndFormatsNumbers() {
        assertThat(LockMetrics.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
        assertThat(LockMetrics.number(3.0)).isEqualTo("3");
        assertThat(LockMetrics.number(0.25)).isEqualTo("0.25");
        assertThat(LockMetrics.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(LockMetrics.number(Double.NaN)).isEqualTo("NaN");
    }
}
