package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, "done when": four simultaneous {@code run} commands of one pipeline; exactly one runs, three exit 3
 * naming the winner's run id. The winner is paused (SIGSTOP) as soon as it announces its run, which it does only
 * once it holds the lock, so the others are sure to find the lock held however the four JVMs start up; then it is
 * let go and finishes.
 */
class LockContentionIT {
    private static final Pattern STARTED = Pattern.compile("run (\\S+) of acme/daily_sales");

    @TempDir
    Path temp;

    private DemoWorkspace workspace;

    @BeforeEach
    void copyWorkspace() throws IOException {
        workspace = DemoWorkspace.copyOfDemo(temp)
                // two quick retries: the losers also go through the retry path
                .env("CONVERGENCE_LOCK_ACQUIRE_RETRIES", "2")
                .env("CONVERGENCE_LOCK_RETRY_DELAY", "100ms");
    }

    @AfterEach
    void stopLeftovers() {
        workspace.killAll();
    }

    @Test
    void fourSimultaneousRunsOneRunsThreeExit3NamingTheWinner() throws Exception {
        List<CliProcess> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(workspace.start("run", "acme/daily_sales", "--from", "2024-06-01", "--to", "2024-06-10", "--progress", "plain"));
        }

        CliProcess winner = null;
        String winnerRun = null;
        long deadline = System.nanoTime() + DemoWorkspace.RUN_TIMEOUT.toNanos();
        while (winner == null) {
            for (CliProcess run : runs) {
                Matcher m = STARTED.matcher(run.out());
                if (m.find()) {
                    winner = run;
                    winnerRun = m.group(1);
                    break;
                }
            }
            if (winner == null && System.nanoTime() > deadline) {
                fail("no run started:%n%s", runs.stream().map(CliProcess::transcript).toList());
            }
            Thread.sleep(10);
        }
        workspace.pauseOutsideStateWrites(winner);

        List<CliProcess> losers = new ArrayList<>(runs);
        losers.remove(winner);
        for (CliProcess loser : losers) {
            assertThat(loser.await(DemoWorkspace.RUN_TIMEOUT)).as(loser.transcript()).isEqualTo(3);
            assertThat(loser.err()).as(loser.transcript())
                    .contains("pipeline acme/daily_sales is locked by")
                    .contains(winnerRun)
                    .contains("since ")
                    .contains("gave up after 3 attempts")
                    .doesNotContain("Exception");
            assertThat(loser.out()).doesNotContainPattern("run \\S+ of acme/daily_sales");
        }

        winner.signal("-CONT");
        assertThat(winner.await(DemoWorkspace.RUN_TIMEOUT)).as(winner.transcript()).isZero();

        JsonNode history = workspace.json("runs", "--format", "json", "--pipeline", "daily_sales");
        assertThat(history.path("runs")).hasSize(1);
        assertThat(history.path("runs").get(0).path("run_id").asText()).isEqualTo(winnerRun);
        assertThat(history.path("runs").get(0).path("state").asText()).isEqualTo("succeeded");
        assertThat(workspace.json("locks", "--format", "json").path("locks")).isEmpty();
    }
}
