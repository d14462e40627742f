package io.convergence.app.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code convergence} CLI started as a real child JVM ({@code java -cp <test classpath> io.convergence.app.Main}),
 * its stdout and stderr going to files so a chatty child never blocks on a full pipe. Signals go through kill(1).
 */
final class CliProcess {
    private final List<String> args;
    private final Process process;
    private final Path out;
    private final Path err;
    private final long startedNanos = System.nanoTime();

    CliProcess(List<String> args, Process process, Path out, Path err) {
        this.args = List.copyOf(args);
        this.process = process;
        this.out = out;
        this.err = err;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String out() {
        return read(out);
    }

    String err() {
        return read(err);
    }

    /** Waits for the process to exit and returns its exit code; fails the test if it takes longer than {@code timeout}. */
    int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            signal("-CONT");
            process.destroyForcibly();
            fail("'convergence %s' did not exit within %s%n%s", String.join(" ", args), timeout, transcript());
        }
        // goes to the test's output file: where the time of these tests goes
        System.err.printf("[it] convergence %s: exit %d after %d ms%n", String.join(" ", args), process.exitValue(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        return process.exitValue();
    }

    /**
     * Waits until stdout has a line matching {@code pattern} and returns the match; fails if the process exits
     * first or the line does not come within {@code timeout}.
     */
    Matcher awaitOutput(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(out());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                // it may have printed the line just before exiting
                m = pattern.matcher(out());
                if (m.find()) {
                    return m;
                }
                fail("'convergence %s' exited (%d) before printing /%s/%n%s", String.join(" ", args),
                        process.exitValue(), pattern, transcript());
            }
            if (System.nanoTime() > deadline) {
                fail("'convergence %s' did not print /%s/ within %s%n%s", String.join(" ", args), pattern, timeout, transcript());
            }
            Thread.sleep(20);
        }
    }

    /** Sends a signal such as {@code -KILL}, {@code -STOP}, {@code -CONT} or {@code -TERM}. */
    void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill() throws InterruptedException {
        signal("-KILL");
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** For failure messages: the command with its output. */
    String transcript() {
        return "$ convergence " + String.join(" ", args) + "\n--- stdout ---\n" + out() + "--- stderr ---\n" + err();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a finished process left. */
    record Result(int exitCode, String out, String err, String transcript) {
    }
}
