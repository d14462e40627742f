package io.convergence.engine.bench;

import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.history.SqliteHistoryStore;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * History query benchmark (a harness, not a test): stores RUNS finished runs (5 tenants x 20
 * pipelines, one step each, about 8% failed) in a fresh SQLite file, then times filtered, paged
 * queries (median of 50 after 5 warm-ups).
 *
 * <pre>
 * mvn -B -o -q -pl engine test-compile org.apache.maven.plugins:maven-dependency-plugin:2.8:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=$PWD/engine/target/bench.cp
 * java -cp engine/target/test-classes:engine/target/classes:$(cat engine/target/bench.cp) \
 *     io.convergence.engine.bench.HistoryBench [RUNS, default 100000]
 * </pre>
 */
public final class HistoryBench {
    private HistoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("convergence-history-bench");
        Instant t0 = Instant.parse("2023-01-01T00:00:00Z");
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db"))) {
            long start = System.nanoTime();
            List<RunEvent> batch = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                String tenant = "tenant" + (i % 5);
                String pipeline = "pipeline" + (i / 5 % 20);
                RunState state = i % 13 == 0 ? RunState.FAILED : RunState.SUCCEEDED;
                batch.addAll(run(String.format("run%07d", i), tenant, pipeline, t0.plusSeconds(300L * i), state));
                if (batch.size() >= 5_000) {
                    store.append(batch);
                    batch.clear();
                }
            }
            store.append(batch);
            long inserted = System.nanoTime() - start;
            System.out.printf("stored %d runs (%d events) in %.2f s: %.0f runs/s%n", runs, runs * 5L, inserted / 1e9,
                    runs / (inserted / 1e9));

            HistoryQuery byPipeline = HistoryQuery.all().withTenant("tenant3").withPipeline("pipeline7").withLimit(50);
            List<RunSummary> first = store.runs(byPipeline);
            HistoryQuery thirdPageKeyset = byPipeline.withAfter(store.runs(byPipeline.withOffset(50)).get(49).cursor());
            HistoryQuery failedInRange = HistoryQuery.all().withTenant("tenant1").withStates(Set.of(RunState.FAILED))
                    .withSince(t0.plus(Duration.ofDays(30))).withUntil(t0.plus(Duration.ofDays(200))).withLimit(50).withOffset(50);
            time("tenant+pipeline, newest 50", () -> store.runs(byPipeline).size());
            time("tenant+pipeline, page 3 by keyset cursor", () -> store.runs(thirdPageKeyset).size());
            time("tenant+pipeline, page 3 by offset", () -> store.runs(byPipeline.withOffset(100)).size());
            time("tenant+failed+time range, page 2", () -> store.runs(failedInRange).size());
            time("all runs, newest 50", () -> store.runs(HistoryQuery.all()).size());
            time("count tenant+pipeline", () -> (int) store.countRuns(byPipeline));
            time("run detail", () -> store.run(first.get(0).runId()).orElseThrow().steps().size());
        }
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    private static void time(String what, Supplier<Integer> query) {
        for (int i = 0; i < 5; i++) {
            query.get();
        }
        long[] nanos = new long[50];
        int rows = 0;
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            rows = query.get();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("%-45s %5d rows  median %8.3f ms  max %8.3f ms%n", what, rows, nanos[nanos.length / 2] / 1e6,
                nanos[nanos.length - 1] / 1e6);
    }

    private static List<RunEvent> run(String runId, String tenant, String pipeline, Instant start, RunState end) {
        Instant done = start.plusSeconds(42);
        boolean ok = end == RunState.SUCCEEDED;
        return List.of(
                new RunEvent.RunStarted(runId, start, tenant, pipeline, "local", "v1", Map.of("run_date", "2024-03-01"),
                        List.of(), List.of("a"), "host", "user", null),
                new RunEvent.StepStateChanged(runId, start, "a", RunState.QUEUED, 0, 0, 0, null, null, null),
                new RunEvent.StepStateChanged(runId, start, "a", RunState.RUNNING, 1, 0, 0, null, null, null),
                new RunEvent.StepStateChanged(runId, done, "a", ok ? RunState.SUCCEEDED : RunState.FAILED, 1, 1000, 64_000,
                        Duration.ofSeconds(42), ok ? null : "CVG-2004", ok ? null : "bad sql"),
                new RunEvent.RunFinished(runId, done, end, Duration.ofSeconds(42), ok ? null : "CVG-2004", ok ? null : "bad sql"));
    }
}
