package io.convergence.engine.lock;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.LockSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM that takes part in the multi-process lock tests. Talks to the test through stdout
 * lines starting with {@code CHILD } (logging may print other lines) and through an append-only log.
 */
public final class LockChildProcess {
    static final LockKey KEY = new LockKey("stress", "orders");

    private LockChildProcess() {
    }

    /** The command line that starts this class in a new JVM with the test classpath; quiet drops all logging. */
    static List<String> command(boolean quiet, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small, quick-starting JVMs: several of them share two cores with the build
        command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (quiet) {
            command.add("-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LockChildProcess.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "stress" -> stress(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Duration.ofMillis(Long.parseLong(args[5])), Integer.parseInt(args[6]));
            case "hold" -> hold(Path.of(args[1]), Duration.ofMillis(Long.parseLong(args[2])),
                    Duration.ofMillis(Long.parseLong(args[3])), args[4]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void say(String line) {
        System.out.println("CHILD " + line);
        System.out.flush();
    }

    /**
     * {@code cycles} acquire / critical section / release cycles against the store, each critical
     * section logged with its epoch and wall-clock times. At cycle {@code parkAt} (or never, if -1) it
     * logs PARK and stays inside the critical section until killed.
     */
    private static void stress(Path db, Path log, int worker, int cycles, Duration lease, int parkAt)
            throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        Clock clock = Clock.systemUTC();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (SqliteLockStore store = SqliteLockStore.open(db);
                FileChannel out = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
            for (int cycle = 0; cycle < cycles; cycle++) {
                LockHolder holder = new LockHolder("localhost", "stress", pid, "w" + worker + "-p" + pid + "-c" + cycle);
                LockGrant grant;
                while (!(grant = store.tryAcquire(KEY, holder, lease, clock.instant())).isGranted()) {
                    TimeUnit.MICROSECONDS.sleep(500 + random.nextInt(2000));
                }
                Lease mine = grant.lease();
                long stolenFrom = ((LockGrant.Granted) grant).expiredPredecessor().map(Lease::epoch).orElse(0L);
                append(out, "ENTER " + worker + " " + pid + " " + mine.epoch() + " " + mine.acquiredAt().toEpochMilli()
                        + " " + mine.expiresAt().toEpochMilli() + " " + micros(clock.instant()) + " " + stolenFrom);
                if (cycle == parkAt) {
                    append(out, "PARK " + worker + " " + pid + " " + mine.epoch());
                    Thread.sleep(Long.MAX_VALUE);
                }
                // the critical section: a short, variable piece of work
                if (random.nextBoolean()) {
                    TimeUnit.MICROSECONDS.sleep(200 + random.nextInt(1500));
                }
                long exit = micros(clock.instant());
                boolean valid = store.validateEpoch(KEY, mine.epoch(), clock.instant());
                append(out, "EXIT " + worker + " " + pid + " " + mine.epoch() + " " + exit + " " + valid);
                if (valid) {
                    store.release(KEY, holder.runId(), mine.epoch());
                }
            }
        }
    }

    /**
     * Holds the lock through a {@link LockManager} (real heartbeat) and checks the fence every 50 ms.
     * {@code mode}: {@code fence} reports a rejected fence and exits 4; {@code exit} calls
     * {@code System.exit(0)} without closing; {@code wait} waits to be terminated.
     */
    private static void hold(Path db, Duration lease, Duration heartbeat, String mode) throws InterruptedException {
        SqliteLockStore store = SqliteLockStore.open(db);
        LockManager manager = LockManager.builder(store, new LockSettings(lease, heartbeat, 0, Duration.ZERO,
                Duration.ofMillis(200))).build();
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        LockHandle handle = manager.acquire(KEY, LockHolder.current("child-" + ProcessHandle.current().pid()),
                (h, loss) -> {
                    say("LOST " + loss.reason() + " " + loss.detail());
                    reported.countDown();
                });
        say("ACQUIRED " + handle.epoch() + " " + ProcessHandle.current().pid());
        if (mode.equals("exit")) {
            System.exit(0);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (mode.equals("fence")) {
                try {
                    handle.checkFence();
                } catch (ConvergenceException e) {
                    if (e.code() == ErrorCode.FENCING_REJECTED) {
                        say("REJECTED " + e.getMessage());
                        // loss listeners run on their own thread; let ours speak before exiting
                        reported.await(5, TimeUnit.SECONDS);
                        handle.close();
                        System.exit(4);
                    }
                    throw e;
                }
            }
            Thread.sleep(50);
        }
        say("TIMEOUT " + Instant.now());
        System.exit(5);
    }

    private static long micros(Instant t) {
        return TimeUnit.SECONDS.toMicros(t.getEpochSecond()) + t.getNano() / 1000;
    }

    private static void append(FileChannel out, String line) throws IOException {
        // one write per line on an O_APPEND file: lines of different processes never interleave
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
