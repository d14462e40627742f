package io.convergence.engine.bench;

import static io.convergence.engine.testing.Fixtures.loaded;
import static io.convergence.engine.testing.Fixtures.pipeline;
import static io.convergence.engine.testing.Fixtures.tenant;
import static io.convergence.engine.testing.Fixtures.transform;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.exec.Executor;
import io.convergence.engine.exec.ExecutorOptions;
import io.convergence.engine.exec.RunHandle;
import io.convergence.engine.exec.RunIdGenerator;
import io.convergence.engine.exec.RunResult;
import io.convergence.engine.exec.RunSpec;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.HistoryRecorder;
import io.convergence.engine.history.SqliteHistoryStore;
import io.convergence.engine.model.Step;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanRequest;
import io.convergence.engine.plan.Planner;
import io.convergence.engine.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Executor overhead benchmark (a harness, not a test): schedules PIPELINES runs of STEPS trivial
 * steps (a binary-tree DAG, max_parallel 4) through the executor with the SQLite history recorder
 * attached, at most IN_FLIGHT runs at a time, and prints steps per second (until history is
 * flushed) and the median time from {@code start()} to the run's first step. In the same JVM it then
 * times a baseline: the same DAGs as chains of {@code CompletableFuture}s on a plain thread pool with
 * the same in-flight bound (no planner state, events, retries, timeouts or history), and prints the
 * executor's throughput as a ratio of the baseline's.
 *
 * <pre>
 * mvn -B -o -q -pl engine test-compile org.apache.maven.plugins:maven-dependency-plugin:2.8:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=$PWD/engine/target/bench.cp
 * java -cp engine/target/test-classes:engine/target/classes:$(cat engine/target/bench.cp) \
 *     io.convergence.engine.bench.ExecutorBench [PIPELINES STEPS IN_FLIGHT, default 1000 20 8]
 * </pre>
 */
public final class ExecutorBench {
    private ExecutorBench() {
    }

    public static void main(String[] args) throws Exception {
        int pipelines = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 8;

        Step[] dag = new Step[steps];
        dag[0] = transform("s0");
        for (int i = 1; i < steps; i++) {
            dag[i] = transform("s" + i, "s" + ((i - 1) / 2));
        }
        LoadedPipeline loaded = loaded(pipeline("bench", 4, dag));
        Plan plan = new Planner().plan(loaded, PlanRequest.allSteps());
        RunSpec spec = RunSpec.of(tenant(loaded), plan, "local");

        Path dir = Files.createTempDirectory("convergence-bench");
        Map<String, Long> firstStep = new ConcurrentHashMap<>();
        Clock clock = Clock.systemUTC();
        try (SqliteHistoryStore store = SqliteHistoryStore.open(dir.resolve("state.db"));
                Executor executor = new Executor(step -> context -> {
                    firstStep.putIfAbsent(context.runId(), System.nanoTime());
                    return StepResult.of(1, 1);
                }, clock, RunIdGenerator.timeBased(clock), ExecutorOptions.defaults())) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            executor.addListener(recorder);

            // warm-up: same work, not measured
            runAll(executor, spec, Math.max(1, pipelines / 5), inFlight, firstStep);
            recorder.flush();
            firstStep.clear();

            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            Result result = runAll(executor, spec, pipelines, inFlight, firstStep);
            recorder.flush();
            long elapsed = System.nanoTime() - start;
            long cpu = processCpuNanos() - cpuStart;
            recorder.close();

            long totalSteps = (long) pipelines * steps;
            System.out.printf("pipelines=%d steps/pipeline=%d in-flight=%d cores=%d%n", pipelines, steps, inFlight,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("succeeded runs: %d of %d%n", result.succeeded, pipelines);
            System.out.printf("elapsed: %.3f s (history flushed)%n", elapsed / 1e9);
            System.out.printf("throughput: %.0f steps/s, %.0f runs/s%n", totalSteps / (elapsed / 1e9), pipelines / (elapsed / 1e9));
            // CPU per step does not depend on what else the machine runs; 2 cores give 2e6 us of CPU per second
            System.out.printf("process CPU: %.3f s, %.1f us per step (=> %.0f steps/s if it had 2 idle cores)%n", cpu / 1e9,
                    cpu / 1e3 / totalSteps, 2e9 / ((double) cpu / totalSteps));
            long[] latencies = result.launches.stream()
                    .mapToLong(l -> firstStep.get(l.runId) - l.launchedAt)
                    .sorted().toArray();
            System.out.printf("launch to first step: median %.1f us, p90 %.1f us, max %.1f us%n",
                    latencies[latencies.length / 2] / 1e3, latencies[(int) (latencies.length * 0.9)] / 1e3,
                    latencies[latencies.length - 1] / 1e3);
            System.out.printf("history: %d events written, %d lost, %d runs stored%n", recorder.writtenEvents(), recorder.lostEvents(),
                    store.countRuns(HistoryQuery.all()));

            double executorStepsPerSecond = totalSteps / (elapsed / 1e9);
            double baselineStepsPerSecond = baseline(steps, pipelines, inFlight);
            System.out.printf("baseline (CompletableFuture DAG on a %d-thread pool, no events or history): %.0f steps/s%n",
                    inFlight * 4, baselineStepsPerSecond);
            System.out.printf("executor / baseline: %.3f%n", executorStepsPerSecond / baselineStepsPerSecond);
        }
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    /** Steps per second of the same DAG shape run as plain future chains; warmed up like the executor. */
    private static double baseline(int steps, int pipelines, int inFlight) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(inFlight * 4, runnable -> {
            Thread thread = new Thread(runnable, "baseline");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, Long> firstStep = new ConcurrentHashMap<>();
        try {
            baselineRuns(pool, steps, Math.max(1, pipelines / 5), inFlight, firstStep);
            firstStep.clear();
            long start = System.nanoTime();
            baselineRuns(pool, steps, pipelines, inFlight, firstStep);
            return (double) pipelines * steps / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void baselineRuns(ExecutorService pool, int steps, int pipelines, int inFlight,
                                     Map<String, Long> firstStep) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(pipelines);
        for (int p = 0; p < pipelines; p++) {
            slots.acquire();
            String runId = "baseline-" + p;
            @SuppressWarnings("unchecked")
            CompletableFuture<StepResult>[] futures = new CompletableFuture[steps];
            // the same work as the executor's runner: note the first step, return a result
            Supplier<StepResult> step = () -> {
                firstStep.putIfAbsent(runId, System.nanoTime());
                return StepResult.of(1, 1);
            };
            futures[0] = CompletableFuture.supplyAsync(step, pool);
            for (int i = 1; i < steps; i++) {
                futures[i] = futures[(i - 1) / 2].thenApplyAsync(previous -> step.get(), pool);
            }
            CompletableFuture.allOf(futures).whenComplete((v, t) -> {
                slots.release();
                done.countDown();
            });
        }
        done.await();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private record Launch(String runId, long launchedAt) {
    }

    private record Result(int succeeded, List<Launch> launches) {
    }

    private static Result runAll(Executor executor, RunSpec spec, int pipelines, int inFlight, Map<String, Long> firstStep)
            throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        AtomicInteger succeeded = new AtomicInteger();
        List<Launch> launches = new ArrayList<>(pipelines);
        List<RunHandle> handles = new ArrayList<>(pipelines);
        for (int i = 0; i < pipelines; i++) {
            slots.acquire();
            long launchedAt = System.nanoTime();
            RunHandle handle = executor.start(spec);
            launches.add(new Launch(handle.runId(), launchedAt));
            handles.add(handle);
            handle.completion().whenComplete((RunResult r, Throwable t) -> {
                if (r != null && r.state() == RunState.SUCCEEDED) {
                    succeeded.incrementAndGet();
                }
                slots.release();
            });
        }
        for (RunHandle handle : handles) {
            handle.await();
        }
        return new Result(succeeded.get(), launches);
    }
}
