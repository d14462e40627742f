package io.convergence.engine.history;

import static io.convergence.engine.testing.Fixtures.dailyPipeline;
import static io.convergence.engine.testing.Fixtures.loaded;
import static io.convergence.engine.testing.Fixtures.quality;
import static io.convergence.engine.testing.Fixtures.tenant;
import static io.convergence.engine.testing.Fixtures.transform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.Executor;
import io.convergence.engine.exec.RunResult;
import io.convergence.engine.exec.RunSpec;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.plan.PartitionRanges;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanRequest;
import io.convergence.engine.plan.Planner;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import io.convergence.engine.testing.ScriptedRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteHistoryStoreTest {
    private static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void createsFoldersUsesWalAndRecordsTheSchemaVersion() throws Exception {
        Path file = dir.resolve("a/b/state.db");
        try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
            assertThat(store.schemaVersion()).isEqualTo(SqliteHistoryStore.SCHEMA_VERSION);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
        try (SqliteHistoryStore reopened = SqliteHistoryStore.open(file)) {
            assertThat(reopened.schemaVersion()).isEqualTo(SqliteHistoryStore.SCHEMA_VERSION);
        }
    }

    @Test
    void refusesAFileFromANewerVersion() throws Exception {
        Path file = dir.resolve("state.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SqliteHistoryStore.open(file))
                .isInstanceOf(ConvergenceException.class)
                .hasMessageContaining("schema version 99, newer than this Convergence understands")
                .extracting(e -> ((ConvergenceException) e).code()).isEqualTo(ErrorCode.STATE_STORE_UNAVAILABLE);
    }

    @Test
    void recordsARealRunWithStepsPartitionsChecksAndLogs() throws Exception {
        ScriptedRunners runners = new ScriptedRunners()
                .script("sales", context -> {
                    if (context.partition().orElseThrow().key().equals("2024-03-02")) {
                        throw new ConvergenceException(ErrorCode.SQL_ERROR, "division by zero");
                    }
                    context.events().onEvent(new RunEvent.LogLine(context.runId(), context.clock().instant(), "sales",
                            context.partition().get().key(), "INFO", "wrote partition"));
                    return StepResult.of(100, 1000);
                })
                .script("check", context -> {
                    context.events().onEvent(new RunEvent.CheckEvaluated(context.runId(), context.clock().instant(), "check",
                            context.partition().get().key(), "amount_not_null", "not_null", "error", false, 2,
                            List.of("{\"id\":1,\"amount\":null}", "{\"id\":7,\"amount\":null}"), "2 rows have no amount"));
                    return StepResult.of(100, 0);
                });
        Pipeline pipeline = dailyPipeline("daily_sales", 2,
                transform("sales", "mart.sales", WriteMode.REPLACE_PARTITIONS),
                quality("check", "mart.sales", "sales"));
        Path file = dir.resolve("state.db");
        try (SqliteHistoryStore store = SqliteHistoryStore.open(file); Executor executor = new Executor(runners, CLOCK)) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            executor.addListener(recorder);
            RunResult result = executor.start(spec(pipeline, PlanRequest.forPartitions(twoDays())).withOrigin("ws1", "ana")
                    .withPipelineVersion("abc123")).await();
            recorder.close();

            RunDetail detail = store.run(result.runId()).orElseThrow();
            RunSummary summary = detail.summary();
            assertThat(summary.state()).isEqualTo(RunState.FAILED);
            assertThat(summary.errorCode()).contains("CVG-2004");
            assertThat(summary.rows()).as("sales 100 + check 100").isEqualTo(200);
            assertThat(summary.bytes()).isEqualTo(1000);
            assertThat(summary.host()).contains("ws1");
            assertThat(summary.user()).contains("ana");
            assertThat(summary.pipelineVersion()).contains("abc123");
            assertThat(summary.finishedAt()).contains(T0);
            assertThat(detail.plannedSteps()).containsExactly("sales", "check");
            assertThat(detail.plannedPartitions()).containsExactly("2024-03-01", "2024-03-02");
            assertThat(detail.steps()).extracting(StepRecord::stepId, StepRecord::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("sales", RunState.FAILED),
                            org.assertj.core.groups.Tuple.tuple("check", RunState.SKIPPED));
            assertThat(detail.partitions()).extracting(r -> r.stepId() + "[" + r.partition().orElseThrow() + "] " + r.state())
                    .containsExactly("sales[2024-03-01] SUCCEEDED", "sales[2024-03-02] FAILED",
                            "check[2024-03-01] SUCCEEDED", "check[2024-03-02] SKIPPED");
            StepRecord failed = detail.partitions().get(1);
            assertThat(failed.errorMessage()).contains("division by zero");
            assertThat(failed.startedAt()).contains(T0);
            assertThat(failed.finishedAt()).contains(T0);
            assertThat(detail.checks()).singleElement().satisfies(check -> {
                assertThat(check.passed()).isFalse();
                assertThat(check.failingRows()).isEqualTo(2);
                assertThat(check.exampleRows()).containsExactly("{\"id\":1,\"amount\":null}", "{\"id\":7,\"amount\":null}");
                assertThat(check.partition()).contains("2024-03-01");
            });
            assertThat(detail.logs()).extracting(LogRecord::message).contains("wrote partition");

            String json = HistoryJson.show(detail);
            assertThat(json).contains("\"state\" : \"failed\"", "\"failing_rows\" : 2", "\"planned_partitions\" : [ \"2024-03-01\", \"2024-03-02\" ]");
        }
    }

    @Test
    void resumeChainKnowsWhatSucceeded() throws Exception {
        AtomicBoolean failB2 = new AtomicBoolean(true);
        AtomicBoolean failC = new AtomicBoolean(false);
        ScriptedRunners runners = new ScriptedRunners()
                .script("b", context -> {
                    if (failB2.get() && context.partition().orElseThrow().key().equals("2024-03-02")) {
                        throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "connection lost");
                    }
                    return StepResult.of(1, 1);
                })
                .script("c", context -> {
                    if (failC.get()) {
                        throw new ConvergenceException(ErrorCode.SQL_ERROR, "oops");
                    }
                    return StepResult.of(1, 1);
                });
        Pipeline pipeline = dailyPipeline("p", 1,
                transform("a", "raw.a", WriteMode.APPEND),
                transform("b", "mart.b", WriteMode.REPLACE_PARTITIONS, "a"),
                transform("c", "mart.c", WriteMode.REPLACE, "b"));
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db")); Executor executor = new Executor(runners, CLOCK)) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            executor.addListener(recorder);

            String run1 = executor.start(spec(pipeline, PlanRequest.forPartitions(twoDays()))).await().runId();
            recorder.flush();
            assertThat(store.succeededUnits(run1)).containsExactlyInAnyOrder(UnitKey.of("a"), UnitKey.of("b", "2024-03-01"));

            failB2.set(false);
            failC.set(true);
            Set<UnitKey> done1 = store.succeededUnits(run1);
            String run2 = executor.start(spec(pipeline, PlanRequest.forPartitions(twoDays()).withAlreadySucceeded(done1))
                    .withResumedFrom(run1)).await().runId();
            recorder.flush();
            assertThat(store.succeededUnits(run2)).containsExactlyInAnyOrder(
                    UnitKey.of("a"), UnitKey.of("b", "2024-03-01"), UnitKey.of("b", "2024-03-02"));

            failC.set(false);
            int callsBefore = runners.calls().size();
            RunResult run3 = executor.start(spec(pipeline, PlanRequest.forPartitions(twoDays())
                    .withAlreadySucceeded(store.succeededUnits(run2))).withResumedFrom(run2)).await();
            recorder.close();
            assertThat(run3.state()).isEqualTo(RunState.SUCCEEDED);
            assertThat(runners.callNames().subList(callsBefore, runners.calls().size())).containsExactly("c#1");
            assertThat(store.run(run3.runId()).orElseThrow().summary().resumedFrom()).contains(run2);
        }
    }

    @Test
    void unknownRunIsReported() {
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db"))) {
            assertThat(store.run("nope")).isEmpty();
            assertThatThrownBy(() -> store.succeededUnits("nope"))
                    .isInstanceOf(ConvergenceException.class)
                    .extracting(e -> ((ConvergenceException) e).code()).isEqualTo(ErrorCode.RUN_NOT_FOUND);
        }
    }

    @Test
    void filtersPagesAndCounts() {
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db"))) {
            List<RunEvent> events = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String tenant = i % 3 == 0 ? "globex" : "acme";
                String pipeline = i % 2 == 0 ? "daily_sales" : "inventory";
                RunState state = i % 5 == 0 ? RunState.FAILED : RunState.SUCCEEDED;
                events.addAll(HistoryEvents.finishedRun(String.format("r%02d", i), tenant, pipeline, T0.plusSeconds(60L * i), state));
            }
            store.append(events);

            List<RunSummary> newest = store.runs(HistoryQuery.all().withLimit(3));
            assertThat(newest).extracting(RunSummary::runId).containsExactly("r29", "r28", "r27");

            HistoryQuery acmeSales = HistoryQuery.all().withTenant("acme").withPipeline("daily_sales");
            List<String> all = store.runs(acmeSales.withLimit(100)).stream().map(RunSummary::runId).toList();
            assertThat(all).containsExactly("r28", "r26", "r22", "r20", "r16", "r14", "r10", "r08", "r04", "r02");
            assertThat(store.countRuns(acmeSales)).isEqualTo(10);

            List<String> paged = new ArrayList<>();
            HistoryQuery page = acmeSales.withLimit(4);
            while (true) {
                List<RunSummary> runs = store.runs(page);
                runs.forEach(r -> paged.add(r.runId()));
                if (runs.size() < 4) {
                    break;
                }
                page = page.withAfter(runs.get(runs.size() - 1).cursor());
            }
            assertThat(paged).isEqualTo(all);
            assertThat(store.runs(acmeSales.withLimit(3).withOffset(3))).extracting(RunSummary::runId).containsExactly("r20", "r16", "r14");

            assertThat(store.runs(HistoryQuery.all().withStates(Set.of(RunState.FAILED)).withLimit(100)))
                    .extracting(RunSummary::runId).containsExactly("r25", "r20", "r15", "r10", "r05", "r00");
            assertThat(store.runs(HistoryQuery.all().withSince(T0.plusSeconds(60L * 27)).withLimit(100)))
                    .extracting(RunSummary::runId).containsExactly("r29", "r28", "r27");
            assertThat(store.runs(HistoryQuery.all().withUntil(T0.plusSeconds(60L * 2)).withLimit(100)))
                    .extracting(RunSummary::runId).containsExactly("r01", "r00");
            assertThat(store.latestRun("globex", "inventory")).map(RunSummary::runId).contains("r27");

            RunSummary failed = store.runs(HistoryQuery.all().withLimit(1).withStates(Set.of(RunState.FAILED))).get(0);
            assertThat(failed.errorMessage()).contains("bad sql");
            assertThat(failed.duration()).contains(Duration.ofSeconds(3));
            assertThat(failed.rows()).isEqualTo(7);
            assertThat(failed.parameters()).containsEntry("run_date", "2024-03-01");
        }
    }

    @Test
    void marksAZombieRunInterrupted() {
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db"))) {
            store.append(HistoryEvents.finishedRun("done", "acme", "p", T0, RunState.SUCCEEDED));
            store.append(HistoryEvents.finishedRun("stuck", "acme", "p", T0, RunState.SUCCEEDED).subList(0, 3));

            assertThat(store.markInterrupted("stuck", T0.plusSeconds(600), "no heartbeat for 10m")).isTrue();
            assertThat(store.markInterrupted("done", T0.plusSeconds(600), "no heartbeat")).isFalse();
            RunSummary stuck = store.run("stuck").orElseThrow().summary();
            assertThat(stuck.state()).isEqualTo(RunState.INTERRUPTED);
            assertThat(stuck.duration()).contains(Duration.ofMinutes(10));
            assertThat(stuck.errorMessage()).contains("no heartbeat for 10m");
        }
    }

    @Test
    void closingTheRecorderStoresEverythingItAccepted() {
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db"))) {
            HistoryRecorder recorder = new HistoryRecorder(store, 128, 32, java.time.Duration.ofMillis(20));
            for (int i = 0; i < 200; i++) {
                HistoryEvents.finishedRun("run" + i, "acme", "p", T0.plusSeconds(i), RunState.SUCCEEDED).forEach(recorder::onEvent);
            }
            recorder.close();
            assertThat(recorder.writtenEvents()).isEqualTo(1000);
            assertThat(recorder.lostEvents()).isZero();
            assertThat(store.countRuns(HistoryQuery.all())).isEqualTo(200);
            recorder.onEvent(HistoryEvents.finishedRun("late", "acme", "p", T0, RunState.SUCCEEDED).get(0));
            assertThat(recorder.lostEvents()).isEqualTo(1);
        }
    }

    @Test
    void twoWritersWithTheirOwnConnectionsDoNotLoseRuns() throws Exception {
        Path file = dir.resolve("state.db");
        SqliteHistoryStore.open(file).close();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (String prefix : List.of("x", "y")) {
            writers.add(threads.submit(() -> {
                try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
                    go.await();
                    for (int i = 0; i < 200; i++) {
                        // one transaction per run: many small transactions make the writers interleave
                        store.append(HistoryEvents.finishedRun(prefix + i, "acme", "p", T0.plusSeconds(i), RunState.SUCCEEDED));
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> writer : writers) {
            writer.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
            assertThat(store.countRuns(HistoryQuery.all())).isEqualTo(400);
        }
    }

    @Test
    void anotherProcessCanWriteAtTheSameTime() throws Exception {
        Path file = dir.resolve("state.db");
        SqliteHistoryStore.open(file).close();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(javaBin, "-cp", classpath, HistoryWriterMain.class.getName(), file.toString(), "child", "300")
                .redirectError(dir.resolve("child.log").toFile())
                .start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))) {
            // the child says "writing" once its first run is stored, so both processes write at the same time
            assertThat(out.readLine()).isEqualTo("writing");
            try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
                for (int i = 0; i < 300; i++) {
                    store.append(HistoryEvents.finishedRun("parent" + i, "acme", "p", T0.plusSeconds(i), RunState.SUCCEEDED));
                }
            }
            out.transferTo(java.io.Writer.nullWriter());
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();
        try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
            assertThat(store.countRuns(HistoryQuery.all().withTenant("acme"))).isEqualTo(300);
            assertThat(store.countRuns(HistoryQuery.all().withTenant("other"))).isEqualTo(300);
            Set<String> ids = new HashSet<>();
            store.runs(HistoryQuery.all().withLimit(1000)).forEach(r -> ids.add(r.runId()));
            assertThat(ids).hasSize(600);
        }
    }

    private static List<io.convergence.engine.exec.PartitionWindow> twoDays() {
        return PartitionRanges.between(PartitionGrain.DAY, "2024-03-01", "2024-03-02");
    }

    private static RunSpec spec(Pipeline pipeline, PlanRequest request) {
        LoadedPipeline loaded = loaded(pipeline);
        Plan plan = new Planner().plan(loaded, request);
        return RunSpec.of(tenant(loaded), plan, "local");
    }
}
