package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Four JVMs fight over one lock in one SQLite file; one of them is SIGKILLed while it holds the lock
 * and restarted. The append-only log of critical sections proves that no two processes were ever
 * inside at once and that epochs strictly increase. Runs in {@code mvn test} (tagged so it can be
 * left out with {@code -DexcludedGroups=multiprocess}).
 */
@Tag("multiprocess")
class LockStoreMultiProcessTest {
    private static final Logger LOG = LoggerFactory.getLogger(LockStoreMultiProcessTest.class);
    private static final int WORKERS = 4;
    private static final int CYCLES = 200;
    private static final long LEASE_MS = 1000;

    @TempDir
    Path dir;

    private record Enter(int worker, long pid, long epoch, long acquiredMs, long expiresMs, long enterMicros,
                         long stolenFrom) {
    }

    private record Exit(int worker, long pid, long epoch, long exitMicros, boolean valid) {
    }

    private Process start(Path db, Path log, int worker, int cycles, int parkAt, int incarnation) throws IOException {
        return new ProcessBuilder(LockChildProcess.command(true, "stress", db.toString(), log.toString(),
                String.valueOf(worker), String.valueOf(cycles), String.valueOf(LEASE_MS), String.valueOf(parkAt)))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker-" + worker + "-" + incarnation + ".out").toFile())
                .start();
    }

    @Test
    void processesNeverShareTheLockEvenWhenOneIsKilledHoldingIt() throws Exception {
        Path db = dir.resolve("state.db");
        Path log = dir.resolve("critical-sections.log");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int victim = random.nextInt(WORKERS);
        int parkAt = 50 + random.nextInt(100);
        LOG.info("seed {}: worker {} is killed inside its critical section at cycle {}", seed, victim, parkAt);

        List<Process> processes = new ArrayList<>();
        try {
            for (int w = 0; w < WORKERS; w++) {
                processes.add(start(db, log, w, CYCLES, w == victim ? parkAt : -1, 0));
            }
            awaitLine(log, "PARK " + victim + " ", processes.get(victim));
            processes.get(victim).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            long exited = lines(log).stream().filter(l -> l.startsWith("EXIT " + victim + " ")).count();
            processes.add(start(db, log, victim, CYCLES - (int) exited, -1, 1));

            for (int i = 0; i < processes.size(); i++) {
                if (i == victim) {
                    continue;
                }
                Process p = processes.get(i);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    fail("worker process %s did not finish; see %s", p.pid(), dir);
                }
                assertThat(p.exitValue()).as("exit code of worker process %s (output in %s)", p.pid(), dir).isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }

        verify(lines(log), victim);
        try (SqliteLockStore store = SqliteLockStore.open(db)) {
            Optional<Lease> left = store.lease(LockChildProcess.KEY);
            assertThat(left.filter(l -> !l.isExpired(Instant.now()))).as("lock left held").isEmpty();
        }
    }

    private static void verify(List<String> lines, int victim) {
        Map<Long, Enter> enters = new HashMap<>();
        Map<Long, Exit> exits = new HashMap<>();
        Map<Long, Long> lastEpochOfPid = new HashMap<>();
        long parked = -1;
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "ENTER" -> {
                    Enter e = new Enter(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]));
                    assertThat(enters.put(e.epoch(), e)).as("epoch %s granted twice", e.epoch()).isNull();
                    Long previous = lastEpochOfPid.put(e.pid(), e.epoch());
                    if (previous != null) {
                        assertThat(e.epoch()).as("epochs of process %s", e.pid()).isGreaterThan(previous);
                    }
                }
                case "EXIT" -> {
                    Exit x = new Exit(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Long.parseLong(f[4]), Boolean.parseBoolean(f[5]));
                    assertThat(enters.get(x.epoch())).as("enter of %s", line).isNotNull()
                            .extracting(Enter::pid).isEqualTo(x.pid());
                    assertThat(exits.put(x.epoch(), x)).isNull();
                }
                case "PARK" -> parked = Long.parseLong(f[3]);
                default -> fail("unexpected log line: " + line);
            }
        }
        assertThat(exits).hasSize(WORKERS * CYCLES);
        assertThat(enters).hasSize(WORKERS * CYCLES + 1);
        assertThat(parked).isPositive();
        assertThat(enters.get(parked).worker()).isEqualTo(victim);
        assertThat(exits).doesNotContainKey(parked);

        List<Long> epochs = enters.keySet().stream().sorted().toList();
        // every grant was logged (the victim died after logging), so epochs are exactly 1..n
        assertThat(epochs.get(0)).isEqualTo(1);
        assertThat(epochs.get(epochs.size() - 1)).isEqualTo(epochs.size());

        int invalidExits = 0;
        int takeovers = 0;
        for (int k = 0; k + 1 < epochs.size(); k++) {
            Enter earlier = enters.get(epochs.get(k));
            Enter later = enters.get(epochs.get(k + 1));
            Exit earlierExit = exits.get(earlier.epoch());
            if (earlierExit != null && earlierExit.valid()) {
                // the earlier holder still held its lease when it left, so the next grant came after it left
                assertThat(later.enterMicros()).as("epoch %s entered before epoch %s left", later.epoch(), earlier.epoch())
                        .isGreaterThanOrEqualTo(earlierExit.exitMicros());
                assertThat(later.stolenFrom()).as("epoch %s released normally", earlier.epoch()).isZero();
            } else {
                // killed, or lost its lease while inside: the next grant must be a takeover after expiry
                invalidExits += earlierExit == null ? 0 : 1;
                takeovers++;
                assertThat(later.stolenFrom()).isEqualTo(earlier.epoch());
                assertThat(later.acquiredMs()).as("epoch %s taken before epoch %s expired", later.epoch(),
                        earlier.epoch()).isGreaterThanOrEqualTo(earlier.expiresMs());
            }
        }
        assertThat(enters.get(parked + 1).stolenFrom()).isEqualTo(parked);

        // no two critical sections that ended with a valid lease overlap in wall-clock time
        List<long[]> intervals = new ArrayList<>();
        exits.values().stream().filter(Exit::valid)
                .forEach(x -> intervals.add(new long[] {enters.get(x.epoch()).enterMicros(), x.exitMicros()}));
        intervals.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int k = 0; k + 1 < intervals.size(); k++) {
            assertThat(intervals.get(k + 1)[0]).isGreaterThanOrEqualTo(intervals.get(k)[1]);
        }
        LOG.info("{} grants, {} takeovers after expiry, {} critical sections outlived their lease",
                epochs.size(), takeovers, invalidExits);
    }

    private static List<String> lines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        lines.removeIf(String::isEmpty);
        return lines;
    }

    private void awaitLine(Path log, String prefix, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (lines(log).stream().anyMatch(l -> l.startsWith(prefix))) {
                return;
            }
            if (!process.isAlive()) {
                fail("worker exited (%s) before '%s'; output in %s", process.exitValue(), prefix, dir);
            }
            Thread.sleep(20);
        }
        fail("no '%s' in %s", prefix, log);
    }
}
