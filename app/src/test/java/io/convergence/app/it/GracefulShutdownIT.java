package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: SIGTERM to a running {@code run} stops it within the shutdown grace period; history shows it
 * INTERRUPTED, the lock is released (the next {@code locks} shows none), and no partition is left half written.
 */
class GracefulShutdownIT {
    private static final Duration GRACE = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    private DemoWorkspace workspace;

    @BeforeEach
    void copyWorkspace() throws IOException {
        workspace = DemoWorkspace.copyOfDemo(temp).env("CONVERGENCE_SHUTDOWN_GRACE", "10s");
        workspace.makeDailySalesHeavy();
    }

    @AfterEach
    void stopLeftovers() {
        workspace.killAll();
    }

    @Test
    void sigtermInterruptsTheRunRecordsItAndReleasesTheLockWithinTheGracePeriod() throws Exception {
        CliProcess.Result old = workspace.run("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                "--progress", "plain", "--param", "version=1", "--param", "fanout=1000");
        assertThat(old.exitCode()).as(old.transcript()).isZero();

        // version 2 has partitions of hundreds of thousands of rows: still busy when the signal comes
        CliProcess run = workspace.start("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10",
                "--progress", "plain", "--param", "version=2", "--param", "fanout=100000");
        run.awaitOutput(Pattern.compile("sales_by_day RUNNING"), DemoWorkspace.RUN_TIMEOUT);
        String runId = DemoWorkspace.runId(run.out());
        run.signal("-TERM");

        int exitCode = run.await(GRACE);

        // the JVM's own status for a SIGTERM that its shutdown hooks handled
        assertThat(exitCode).as(run.transcript()).isEqualTo(128 + 15);
        assertThat(run.out()).contains("run " + runId + " INTERRUPTED");
        assertThat(workspace.json("locks", "--format", "json").path("locks")).isEmpty();
        JsonNode detail = workspace.runDetail(runId);
        assertThat(detail.path("run").path("state").asText()).isEqualTo("interrupted");
        assertThat(detail.path("run").path("message").asText()).contains("shutdown");
        assertThat(detail.path("locks")).extracting(lock -> lock.path("change").asText()).containsExactly("ACQUIRED", "RELEASED");
        Map<String, Long> versions = workspace.assertDailySalesPartitionsWhole(version -> version == 1 ? 1000 : 100000);
        assertThat(versions).hasSize(10);
    }
}
