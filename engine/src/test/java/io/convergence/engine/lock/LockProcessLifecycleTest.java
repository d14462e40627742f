package io.convergence.engine.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A holder in a real child JVM: stopped with SIGSTOP and fenced out; released by its shutdown hook. */
@Tag("multiprocess")
class LockProcessLifecycleTest {
    private static final LockKey KEY = LockChildProcess.KEY;
    private static final LockHolder B = new LockHolder("localhost", "bob", 2, "run-b");

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        for (Process p : children) {
            if (p.isAlive()) {
                signal(p, "-CONT");
                p.destroyForcibly();
            }
        }
    }

    /** A child JVM holding the lock, with its {@code CHILD} stdout lines in a queue. */
    private final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = new ArrayList<>();

        Child(String mode, Duration lease, Duration heartbeat) throws IOException {
            process = new ProcessBuilder(LockChildProcess.command(false, "hold", db().toString(),
                    String.valueOf(lease.toMillis()), String.valueOf(heartbeat.toMillis()), mode))
                    .redirectErrorStream(true).start();
            children.add(process);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        synchronized (all) {
                            all.add(line);
                        }
                        if (line.startsWith("CHILD ")) {
                            lines.add(line.substring(6));
                        }
                    }
                } catch (IOException e) {
                    // the child is gone; the test notices through its exit
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** The first CHILD line starting with {@code prefix}, in whatever order the child printed its lines. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                synchronized (all) {
                    for (String line : all) {
                        if (line.startsWith("CHILD " + prefix)) {
                            return line.substring(6);
                        }
                    }
                }
                lines.poll(100, TimeUnit.MILLISECONDS);
            }
            synchronized (all) {
                return fail("child never said '%s'; its output:%n%s", prefix, String.join("\n", all));
            }
        }

        long acquiredEpoch() throws InterruptedException {
            return Long.parseLong(await("ACQUIRED ").split(" ")[1]);
        }
    }

    private Path db() {
        return dir.resolve("state.db");
    }

    private static boolean signal(Process p, String signal) {
        try {
            return new ProcessBuilder("kill", signal, String.valueOf(p.pid())).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True if some process holds SQLite's write lock on the state file right now. */
    private boolean writeLockHeld() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
            try {
                s.execute("BEGIN IMMEDIATE");
            } catch (SQLException busy) {
                return true;
            }
            s.execute("ROLLBACK");
            return false;
        }
    }

    @Test
    void aStoppedHolderIsFencedOutAfterItsLockIsTakenOver() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")),
                "needs kill(1) to send SIGSTOP and SIGCONT");
        Child child = new Child("fence", Duration.ofMillis(1500), Duration.ofMillis(300));
        long childEpoch = child.acquiredEpoch();

        try (SqliteLockStore store = SqliteLockStore.open(db())) {
            // stop it, but not in the middle of a write: that would keep the write lock while stopped
            assertThat(signal(child.process, "-STOP")).isTrue();
            for (int i = 0; i < 20 && writeLockHeld(); i++) {
                signal(child.process, "-CONT");
                Thread.sleep(5);
                signal(child.process, "-STOP");
            }
            Lease stale = store.lease(KEY).orElseThrow();
            assertThat(stale.epoch()).isEqualTo(childEpoch);
            while (!stale.isExpired(Instant.now())) {
                Thread.sleep(50);
            }

            LockGrant grant = store.tryAcquire(KEY, B, Duration.ofSeconds(60), Instant.now());

            assertThat(grant).isInstanceOf(LockGrant.Granted.class);
            assertThat(grant.lease().epoch()).isEqualTo(childEpoch + 1);
            assertThat(((LockGrant.Granted) grant).expiredPredecessor().map(Lease::epoch)).contains(childEpoch);
            assertThat(store.validateEpoch(KEY, childEpoch, Instant.now())).isFalse();

            assertThat(signal(child.process, "-CONT")).isTrue();
            assertThat(child.await("LOST ")).matches("LOST (EXPIRED|TAKEN_OVER) .*");
            assertThat(child.await("REJECTED ")).contains("may not publish to stress/orders");
            assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.process.exitValue()).isEqualTo(4);
            // the stale child closed its handle on the way out without touching the new holder
            assertThat(store.lease(KEY)).contains(grant.lease());
        }
    }

    @Test
    void theShutdownHookReleasesALockLeftOpenOnExit() throws Exception {
        Child child = new Child("exit", Duration.ofMinutes(10), Duration.ofMinutes(1));
        long epoch = child.acquiredEpoch();

        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        try (SqliteLockStore store = SqliteLockStore.open(db())) {
            assertThat(store.lease(KEY)).isEmpty();
            assertThat(store.tryAcquire(KEY, B, Duration.ofSeconds(10), Instant.now()).lease().epoch())
                    .isEqualTo(epoch + 1);
        }
    }

    @Test
    void theShutdownHookReleasesOnSigterm() throws Exception {
        Child child = new Child("wait", Duration.ofMinutes(10), Duration.ofMinutes(1));
        child.acquiredEpoch();

        child.process.destroy();

        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (SqliteLockStore store = SqliteLockStore.open(db())) {
            assertThat(store.lease(KEY)).isEmpty();
        }
    }
}
