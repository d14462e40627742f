package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.LockHandle;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.LockManager;
import io.convergence.engine.lock.MutableClock;
import io.convergence.engine.lock.SqliteLockStore;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, "done when": a stale holder (its lease stolen while it was paused) cannot publish.
 *
 * <p>Through the CLI: a run is stopped with SIGSTOP in the middle of its partitions until its lease expires, a
 * second {@code run} takes the lock over, and the first is let go. On the local target the second run cannot
 * open the DuckDB file (the stopped process holds it; DuckDB allows one writing process per file), so the
 * successor fails cleanly and the proof is that the resumed stale run publishes nothing more. The publish
 * transaction's own fence check is then proven on the engine, with two lock managers over one state file.
 */
class StaleHolderIT {
    @TempDir
    Path temp;

    @Nested
    class ThroughTheCli {
        private DemoWorkspace workspace;

        @BeforeEach
        void copyWorkspace() throws IOException {
            workspace = DemoWorkspace.copyOfDemo(temp)
                    .env("CONVERGENCE_LOCK_LEASE", "3s")
                    .env("CONVERGENCE_LOCK_HEARTBEAT", "1s")
                    .env("CONVERGENCE_LOCK_ACQUIRE_RETRIES", "0");
            workspace.makeDailySalesHeavy();
        }

        @AfterEach
        void stopLeftovers() {
            workspace.killAll();
        }

        @Test
        void aRunPausedPastItsLeaseAndTakenOverPublishesNothingAfterItResumes() throws Exception {
            CliProcess.Result old = workspace.run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                    "--progress", "plain", "--param", "version=1", "--param", "fanout=1000");
            assertThat(old.exitCode()).as(old.transcript()).isZero();

            CliProcess stale = workspace.start("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                    "--progress", "plain", "--param", "version=2", "--param", "fanout=60000");
            stale.awaitOutput(Pattern.compile("sales_by_day\\[\\S+] SUCCEEDED"), DemoWorkspace.RUN_TIMEOUT);
            workspace.pauseOutsideStateWrites(stale);
            Instant paused = Instant.now();
            String staleRun = DemoWorkspace.runId(stale.out());
            Lease staleLease;
            try (SqliteLockStore locks = SqliteLockStore.open(workspace.stateFile())) {
                staleLease = locks.lease(new LockKey("acme", "daily_sales")).orElseThrow();
                assertThat(staleLease.runId()).isEqualTo(staleRun);
                while (!staleLease.isExpired(Instant.now())) {
                    Thread.sleep(100);
                }
            }

            // the successor takes the lock over, but the stopped process still has the warehouse file open
            CliProcess.Result successor = workspace.run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                    "--progress", "plain", "--param", "version=3", "--param", "fanout=1000");
            assertThat(successor.exitCode()).as(successor.transcript()).isEqualTo(5);
            assertThat(successor.err()).contains("the DuckDB file is open in another process").doesNotContain("Exception");
            try (SqliteLockStore locks = SqliteLockStore.open(workspace.stateFile())) {
                // the successor held the next epoch and released it when it gave up
                assertThat(locks.lease(new LockKey("acme", "daily_sales"))).isEmpty();
                assertThat(locks.validateEpoch(new LockKey("acme", "daily_sales"), staleLease.epoch(), Instant.now())).isFalse();
            }

            Instant resumed = Instant.now();
            stale.signal("-CONT");
            assertThat(stale.await(DemoWorkspace.RUN_TIMEOUT)).as(stale.transcript()).isEqualTo(4);

            JsonNode detail = workspace.runDetail(staleRun);
            assertThat(detail.path("run").path("state").asText()).isEqualTo("interrupted");
            assertThat(detail.path("run").path("message").asText()).contains("lock lost");
            // history tells that the stale run lost its lock; it did not release it
            assertThat(detail.path("locks")).extracting(lock -> lock.path("change").asText()).containsExactly("ACQUIRED", "LOST");
            assertThat(detail.path("locks").get(1).path("detail").asText()).contains("epoch " + staleLease.epoch());
            List<String> publishedByStale = new ArrayList<>();
            for (JsonNode partition : detail.path("partitions")) {
                if (partition.path("state").asText().equals("succeeded")) {
                    // everything it published, it published before it was paused. A stop between a commit and
                    // its finished event dates the event at the resume, so allow a moment past it; a publish
                    // after the resume would have to pass the fence first and take far longer than that
                    Instant finished = Instant.parse(partition.path("finished_at").asText());
                    assertThat(finished).as("partition %s; paused %s", partition.path("partition").asText(), paused)
                            .isBefore(resumed.plusMillis(500));
                    publishedByStale.add(partition.path("partition").asText());
                } else {
                    assertThat(partition.path("state").asText()).isIn("interrupted", "failed", "cancelled");
                }
            }
            assertThat(publishedByStale).isNotEmpty().hasSizeLessThan(10);
            Map<String, Long> versions = workspace.assertDailySalesPartitionsWhole(version -> version == 1 ? 1000 : 60000);
            assertThat(versions).hasSize(10);
            versions.forEach((day, version) -> assertThat(version).as("version of %s", day)
                    .isEqualTo(publishedByStale.contains(day) ? 2L : 1L));
        }
    }

    /** The fence check runs inside the warehouse's publishing transaction, on the real DuckDB warehouse. */
    @Nested
    class OnTheEngine {
        private static final LockKey KEY = new LockKey("acme", "daily_sales");
        private static final LockSettings SETTINGS = new LockSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 0,
                Duration.ZERO, Duration.ZERO);
        private static final TableId TARGET = new TableId("acme_mart", "daily_sales");
        private static final PartitionRange JUNE_1 = new PartitionRange("order_date",
                new ParameterValue(ParameterType.DATE, LocalDate.parse("2024-06-01")),
                new ParameterValue(ParameterType.DATE, LocalDate.parse("2024-06-02")));

        private final MutableClock clock = new MutableClock(Instant.parse("2024-06-02T06:00:00Z"));
        private SqliteLockStore storeA;
        private SqliteLockStore storeB;
        private LockManager processA;
        private LockManager processB;
        private DuckDbWarehouse warehouse;

        @BeforeEach
        void open() {
            // two stores on one state file stand for two processes
            storeA = SqliteLockStore.open(temp.resolve("state.db"));
            storeB = SqliteLockStore.open(temp.resolve("state.db"));
            processA = LockManager.builder(storeA, SETTINGS).clock(clock).shutdownHook(false).build();
            processB = LockManager.builder(storeB, SETTINGS).clock(clock).shutdownHook(false).build();
            warehouse = DuckDbWarehouse.open(temp.resolve("warehouse.duckdb"), 1, null);
            warehouse.ensureDataset("acme_mart");
            warehouse.execute(BoundSql.of("CREATE TABLE acme_mart.daily_sales AS SELECT DATE '2024-06-01' AS order_date,"
                    + " 'old' AS written_by FROM range(3)"), new CancellationToken());
        }

        @AfterEach
        void close() {
            warehouse.close();
            processA.close();
            processB.close();
            storeA.close();
            storeB.close();
        }

        private TableId stage(String writtenBy, int rows) {
            TableId staging = warehouse.newStagingTable(TARGET);
            warehouse.createOrReplaceTable(staging, BoundSql.of("SELECT DATE '2024-06-01' AS order_date, '" + writtenBy
                    + "' AS written_by FROM range(" + rows + ")"), new CancellationToken());
            return staging;
        }

        private List<List<Object>> partition() {
            QueryResult result = warehouse.query(BoundSql.of("SELECT written_by, count(*) FROM acme_mart.daily_sales"
                    + " GROUP BY written_by ORDER BY written_by"), 100, new CancellationToken());
            return result.rows();
        }

        /** What the paused run sees when it wakes up: its lease ran out and run B holds the pipeline. */
        private LockHandle takeOver() {
            clock.advance(SETTINGS.lease().plusSeconds(1));
            return processB.acquire(KEY, LockHolder.current("run-b"));
        }

        @Test
        void aStaleHolderThatWakesUpAfterTheTakeOverIsRefusedAndThePartitionKeepsItsContent() {
            LockHandle a = processA.acquire(KEY, LockHolder.current("run-a"));
            TableId staged = stage("a", 5);
            LockHandle b = takeOver();
            assertThat(b.epoch()).isEqualTo(a.epoch() + 1);

            assertThatThrownBy(() -> warehouse.replacePartition(TARGET, JUNE_1, staged, a::check, new CancellationToken()))
                    .isInstanceOfSatisfying(ConvergenceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED))
                    .hasMessageContaining("run-a may not publish to acme/daily_sales");
            assertThat(partition()).containsExactly(List.of("old", 3L));

            assertThat(warehouse.replacePartition(TARGET, JUNE_1, stage("b", 4), b::check, new CancellationToken())).isEqualTo(4);
            assertThat(partition()).containsExactly(List.of("b", 4L));
        }

        @Test
        void aTakeOverDuringThePublishRollsTheWholeSwapBack() {
            LockHandle a = processA.acquire(KEY, LockHolder.current("run-a"));
            a.check();
            // A pauses inside its publishing transaction, after the delete and insert and before the commit: B takes
            // the pipeline over meanwhile; the fence check that runs just before the commit refuses, and the delete
            // and insert already done in the transaction are rolled back with it
            FenceCheck pausedInsideThePublish = () -> {
                assertThat(warehouse.rowCount(TARGET)).as("outside the transaction nothing changed yet").isEqualTo(3);
                takeOver();
                a.check();
            };

            assertThatThrownBy(() -> warehouse.replacePartition(TARGET, JUNE_1, stage("a", 5), pausedInsideThePublish,
                    new CancellationToken()))
                    .isInstanceOfSatisfying(ConvergenceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
            assertThat(partition()).containsExactly(List.of("old", 3L));
        }

        @Test
        void aStaleTableSwapIsRefusedToo() {
            LockHandle a = processA.acquire(KEY, LockHolder.current("run-a"));
            takeOver();

            assertThatThrownBy(() -> warehouse.replaceTable(TARGET, BoundSql.of("SELECT DATE '2024-06-01' AS order_date,"
                    + " 'a' AS written_by"), a::check, new CancellationToken()))
                    .isInstanceOfSatisfying(ConvergenceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
            assertThat(partition()).containsExactly(List.of("old", 3L));
            assertThat(warehouse.listTables("acme_mart")).containsExactly("daily_sales");
        }
    }
}
