package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.SqliteLockStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL in the middle of a partitioned transform, then everything that follows:
 * <ul>
 *   <li>issue 3: no partition is ever partially written: each holds the complete old or the complete new content;
 *   <li>issue 4: the dead run's lock survives it until its lease expires, then the next CLI start (here
 *       {@code runs}, which does not run anything) marks the run INTERRUPTED and frees the lock (zombie detection);
 *   <li>issue 4: {@code run --resume} redoes only what did not succeed (the rest is recorded SKIPPED) and the
 *       tables end equal to those of an uninterrupted run.
 * </ul>
 * And an append killed in the middle of its insert straight into the target leaves the target as it was.
 */
class CrashRecoveryIT {
    private static final String[] RANGE = {"--from", "2024-06-01", "--to", "2024-06-10"};
    private static final LockKey KEY = new LockKey("acme", "daily_sales");
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Pattern PARTITION_DONE = Pattern.compile("sales_by_day\\[(\\S+)] SUCCEEDED");

    @TempDir
    Path temp;

    private DemoWorkspace workspace;

    @BeforeEach
    void copyWorkspace() throws IOException {
        workspace = DemoWorkspace.copyOfDemo(temp)
                .env("CONVERGENCE_LOCK_LEASE", "3s")
                .env("CONVERGENCE_LOCK_HEARTBEAT", "1s");
        workspace.makeDailySalesHeavy();
    }

    @AfterEach
    void stopLeftovers() {
        workspace.killAll();
    }

    private String[] run(String... more) {
        List<String> args = new ArrayList<>(List.of("run", "acme/daily_sales", "--progress", "plain"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void killedRunLeavesWholePartitionsIsReapedAndResumesToTheTablesOfAnUninterruptedRun() throws Exception {
        // the old content: version 1
        CliProcess.Result old = workspace.run(run(RANGE[0], RANGE[1], RANGE[2], RANGE[3], "--param", "version=1", "--param", "fanout=8000"));
        assertThat(old.exitCode()).as(old.transcript()).isZero();
        Map<String, List<String>> oldContent = workspace.dailySalesFingerprints();
        assertThat(oldContent).hasSize(10).allSatisfy((day, fp) -> assertThat(fp.get(1)).isEqualTo("1"));

        // the new content (version 2, more rows per order) is being written when the run is killed
        CliProcess victim = workspace.start(run(RANGE[0], RANGE[1], RANGE[2], RANGE[3], "--param", "version=2", "--param", "fanout=15000"));
        String firstDone = victim.awaitOutput(PARTITION_DONE, DemoWorkspace.RUN_TIMEOUT).group(1);
        String victimRun = DemoWorkspace.runId(victim.out());
        // history is written in batches a few ms behind the terminal: kill once the partition is on disk, so the
        // test can tell what a resume must skip (a partition not yet recorded would simply be redone)
        awaitRecorded(workspace.stateFile(), victimRun, firstDone);
        victim.kill();

        Map<String, List<String>> afterKill = workspace.dailySalesFingerprints();
        Lease orphaned;
        try (SqliteLockStore locks = SqliteLockStore.open(workspace.stateFile())) {
            // another process still sees the dead run's lock: nothing released it
            orphaned = locks.lease(KEY).orElseThrow(() -> new AssertionError("the killed run's lock is gone"));
            assertThat(orphaned.runId()).isEqualTo(victimRun);
            assertThat(orphaned.leaseDuration()).isEqualTo(LEASE);
            // ...until its lease runs out, at most one lease after the last heartbeat
            while (!orphaned.isExpired(Instant.now())) {
                Thread.sleep(100);
            }
            assertThat(locks.lease(KEY)).as("an expired lease stays until someone reaps it").isPresent();
        }

        // any CLI start reaps the zombie: `runs` shows it INTERRUPTED and the lock is free
        assertThat(workspace.runState(victimRun)).isEqualTo("interrupted");
        try (SqliteLockStore locks = SqliteLockStore.open(workspace.stateFile())) {
            assertThat(locks.lease(KEY)).isEmpty();
        }
        JsonNode killed = workspace.runDetail(victimRun);
        assertThat(killed.path("run").path("message").asText()).contains("expired");
        TreeSet<String> succeededBeforeKill = unitsIn(killed, "succeeded");
        assertThat(succeededBeforeKill).contains("load_orders");
        assertThat(succeededBeforeKill).as("the kill came mid-run").anyMatch(unit -> unit.startsWith("sales_by_day["))
                .hasSizeLessThan(11);

        // resume: only what did not succeed runs again
        CliProcess.Result resumed = workspace.run("run", "acme/daily_sales", "--progress", "plain", "--resume", victimRun);
        assertThat(resumed.exitCode()).as(resumed.transcript()).isZero();
        JsonNode resumeDetail = workspace.runDetail(DemoWorkspace.runId(resumed.out()));
        assertThat(resumeDetail.path("run").path("resumed_from").asText()).isEqualTo(victimRun);
        assertThat(resumeDetail.path("run").path("parameters").path("version").asText()).isEqualTo("2");
        assertThat(unitsIn(resumeDetail, "skipped")).isEqualTo(succeededBeforeKill);
        TreeSet<String> all = new TreeSet<>(unitsIn(resumeDetail, "skipped"));
        all.addAll(unitsIn(resumeDetail, "succeeded"));
        assertThat(all).hasSize(11);
        // staging tables the killed run left behind were dropped when the warehouse was next opened
        assertThat(workspace.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_cvg\\_stage\\_%' ESCAPE '\\'"))
                .isEmpty();
        Map<String, List<String>> resumedContent = workspace.dailySalesFingerprints();
        List<List<String>> resumedRaw = workspace.query("SELECT * FROM acme_raw.orders ORDER BY order_id");

        // the same run, uninterrupted
        CliProcess.Result clean = workspace.run(run(RANGE[0], RANGE[1], RANGE[2], RANGE[3], "--param", "version=2", "--param", "fanout=15000"));
        assertThat(clean.exitCode()).as(clean.transcript()).isZero();
        Map<String, List<String>> newContent = workspace.dailySalesFingerprints();
        assertThat(resumedContent).isEqualTo(newContent);
        assertThat(resumedRaw).isEqualTo(workspace.query("SELECT * FROM acme_raw.orders ORDER BY order_id"));
        assertThat(newContent).hasSize(10).allSatisfy((day, fp) -> assertThat(fp.get(1)).isEqualTo("2"));

        // and at the moment of the kill, every partition was either all old or all new
        Map<String, String> verdicts = new HashMap<>();
        assertThat(afterKill.keySet()).isEqualTo(oldContent.keySet());
        afterKill.forEach((day, fp) -> {
            if (fp.equals(oldContent.get(day))) {
                verdicts.put(day, "old");
            } else if (fp.equals(newContent.get(day))) {
                verdicts.put(day, "new");
            } else {
                verdicts.put(day, "PARTIAL " + fp + " (old " + oldContent.get(day) + ", new " + newContent.get(day) + ")");
            }
        });
        assertThat(verdicts.values()).as("partitions after the kill: %s", verdicts).allMatch(v -> v.equals("old") || v.equals("new"));
        assertThat(verdicts.get(firstDone)).isEqualTo("new");
        assertThat(verdicts.values()).as("the kill came before the last partition").contains("old");
    }

    /**
     * An append of a clean CSV to an existing table goes straight into the target inside a transaction
     * (no staging table): killed mid-insert, the target keeps exactly its rows from before, and the next run
     * appends the file whole.
     */
    @Test
    void anAppendKilledMidInsertLeavesTheTargetAsItWas() throws Exception {
        long rows = 6_000_000;
        Path dir = workspace.root().resolve("tenants/acme/pipelines/append_big");
        workspace.write("tenants/acme/pipelines/append_big/pipeline.yml", """
                id: append_big
                steps:
                  - id: load
                    type: ingest
                    source: { uri: data/events.csv, format: csv }
                    schema: schema.json
                    target: raw.big_events
                    write: append
                """);
        workspace.write("tenants/acme/pipelines/append_big/schema.json", """
                [{"name": "id", "type": "INT64", "mode": "REQUIRED"}, {"name": "kind", "type": "STRING"},
                 {"name": "amount", "type": "NUMERIC"}, {"name": "at", "type": "TIMESTAMP"}]
                """);
        java.nio.file.Files.createDirectories(dir.resolve("data"));
        try (java.io.BufferedWriter w = java.nio.file.Files.newBufferedWriter(dir.resolve("data/events.csv"))) {
            w.write("id,kind,amount,at\n");
            for (long i = 1; i <= rows; i++) {
                w.write(i + ",kind" + i % 7 + "," + i % 1000 + ".25,2024-06-0" + (i % 9 + 1) + " 10:00:00\n");
            }
        }
        String[] append = {"run", "acme/append_big", "--progress", "plain"};
        CliProcess.Result first = workspace.run(append);
        assertThat(first.exitCode()).as(first.transcript()).isZero();
        assertThat(workspace.query("SELECT count(*) FROM acme_raw.big_events")).containsExactly(List.of(Long.toString(rows)));

        CliProcess victim = workspace.start(append);
        victim.awaitOutput(Pattern.compile("load RUNNING"), DemoWorkspace.RUN_TIMEOUT);
        String victimRun = DemoWorkspace.runId(victim.out());
        Thread.sleep(700); // the insert of six million rows takes seconds (about 4 s on two cores)
        victim.kill();
        assertThat(workspace.runState(victimRun)).as("the kill came before the append committed").isNotEqualTo("succeeded");
        assertThat(workspace.query("SELECT count(*) FROM acme_raw.big_events")).containsExactly(List.of(Long.toString(rows)));

        CliProcess.Result again = workspace.run(append);
        assertThat(again.exitCode()).as(again.transcript()).isZero();
        assertThat(workspace.query("SELECT count(*), count(DISTINCT id) FROM acme_raw.big_events"))
                .containsExactly(List.of(Long.toString(2 * rows), Long.toString(rows)));
    }

    /** Units ({@code step} or {@code step[partition]}) of a run detail in the given state. */
    private static TreeSet<String> unitsIn(JsonNode detail, String state) {
        TreeSet<String> units = new TreeSet<>();
        for (JsonNode step : detail.path("steps")) {
            if (step.path("partition").isNull() && step.path("state").asText().equals(state)
                    && !partitioned(detail, step.path("step_id").asText())) {
                units.add(step.path("step_id").asText());
            }
        }
        for (JsonNode partition : detail.path("partitions")) {
            if (partition.path("state").asText().equals(state)) {
                units.add(partition.path("step_id").asText() + "[" + partition.path("partition").asText() + "]");
            }
        }
        return units;
    }

    private static boolean partitioned(JsonNode detail, String stepId) {
        for (JsonNode partition : detail.path("partitions")) {
            if (partition.path("step_id").asText().equals(stepId)) {
                return true;
            }
        }
        return false;
    }

    private static void awaitRecorded(Path stateFile, String runId, String partition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (io.convergence.engine.history.SqliteHistoryStore history = io.convergence.engine.history.SqliteHistoryStore.open(stateFile)) {
                boolean recorded = history.run(runId).map(d -> d.partitions().stream().anyMatch(p -> p.stepId().equals("sales_by_day")
                        && p.partition().filter(partition::equals).isPresent()
                        && p.state() == io.convergence.engine.run.RunState.SUCCEEDED)).orElse(false);
                if (recorded) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("partition " + partition + " of run " + runId + " never reached history");
    }
}
