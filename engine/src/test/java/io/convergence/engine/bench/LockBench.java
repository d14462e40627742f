package io.convergence.engine.bench;

import io.convergence.engine.lock.LockHandle;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.LockManager;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.SqliteLockStore;
import io.convergence.engine.model.LockSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Benchmark harness, not a test: latency of uncontended acquire + release cycles on a fresh SQLite
 * lock store in a temp folder. Prints median and p99 per operation.
 *
 * <pre>
 * mvn -B -q -o -pl engine test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * cd engine &amp;&amp; java -Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider \
 *     -cp target/test-classes:target/classes:$(cat target/test.classpath) \
 *     io.convergence.engine.bench.LockBench 2000
 * </pre>
 * Arguments: cycles (default 2000), then {@code --no-fsync} to measure {@code synchronous=NORMAL}.
 */
public final class LockBench {
    private LockBench() {
    }

    public static void main(String[] args) throws IOException {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        boolean durable = !Arrays.asList(args).contains("--no-fsync");
        int warmup = Math.min(500, cycles / 4);
        Path dir = Files.createTempDirectory("lockbench");
        Path db = dir.resolve("state.db");
        LockKey key = new LockKey("bench", "orders");
        Clock clock = Clock.systemUTC();
        SqliteLockStore.Options options = new SqliteLockStore.Options(Duration.ofSeconds(5), Duration.ofSeconds(30),
                durable);
        System.out.printf(Locale.ROOT, "LockBench: %d cycles (+%d warm-up), SQLite %s, synchronous=%s, %s%n",
                cycles, warmup, db, durable ? "FULL" : "NORMAL", Runtime.version());
        try (SqliteLockStore store = SqliteLockStore.open(db, options)) {
            long[] acquire = new long[cycles];
            long[] release = new long[cycles];
            long[] cycle = new long[cycles];
            long[] validate = new long[cycles];
            for (int i = -warmup; i < cycles; i++) {
                LockHolder holder = new LockHolder("bench", "bench", 1, "run-" + i);
                long t0 = System.nanoTime();
                Lease lease = store.tryAcquire(key, holder, Duration.ofMinutes(2), clock.instant()).lease();
                long t1 = System.nanoTime();
                store.validateEpoch(key, lease.epoch(), clock.instant());
                long t2 = System.nanoTime();
                store.release(key, holder.runId(), lease.epoch());
                long t3 = System.nanoTime();
                if (i >= 0) {
                    acquire[i] = t1 - t0;
                    validate[i] = t2 - t1;
                    release[i] = t3 - t2;
                    cycle[i] = (t1 - t0) + (t3 - t2);
                }
            }
            report("store tryAcquire", acquire);
            report("store validateEpoch", validate);
            report("store release", release);
            report("store acquire+release", cycle);

            LockSettings settings = new LockSettings(Duration.ofMinutes(2), Duration.ofSeconds(20), 0, Duration.ZERO,
                    Duration.ZERO);
            long[] managed = new long[cycles];
            try (LockManager manager = LockManager.builder(store, settings).clock(clock).shutdownHook(false).build()) {
                for (int i = -warmup; i < cycles; i++) {
                    long t0 = System.nanoTime();
                    try (LockHandle handle = manager.acquire(key, new LockHolder("bench", "bench", 1, "m-" + i))) {
                        handle.epoch();
                    }
                    if (i >= 0) {
                        managed[i] = System.nanoTime() - t0;
                    }
                }
            }
            report("LockManager acquire+close", managed);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-28s median %8.3f ms   p99 %8.3f ms   max %8.3f ms%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }
}
