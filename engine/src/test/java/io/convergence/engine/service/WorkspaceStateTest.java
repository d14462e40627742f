package io.convergence.engine.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.history.LockRecord;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.lock.ForceRelease;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.StateSettings;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Force release through the workspace state: the lock goes, and the holder's history says who and why. */
class WorkspaceStateTest {
    @TempDir
    Path root;

    @Test
    void forceReleaseFreesTheLockAndRecordsItInTheHoldersHistory() throws InterruptedException {
        WorkspaceConfig config = new WorkspaceConfig("local", Map.of(), new StateSettings(".convergence/state.db"),
                new LockSettings(Duration.ofMinutes(2), Duration.ofSeconds(20), 0, Duration.ZERO, Duration.ofSeconds(1)));
        Clock clock = Clock.systemUTC();
        LockKey key = new LockKey("acme", "sales");
        try (WorkspaceState state = WorkspaceState.open(root, config, clock)) {
            Instant start = clock.instant();
            state.recorder().onEvent(new RunEvent.RunStarted("r-1", start, "acme", "sales", "local", null, Map.of(),
                    List.of(), List.of("a"), "h", "u", null));
            state.recorder().flush();
            state.locks().store().tryAcquire(key, new LockHolder("other-host", "someone", 4242, "r-1"), Duration.ofMinutes(2), start);

            ForceRelease released = state.forceRelease(key, "admin@desk", "  stuck since Friday ");

            assertThat(released.previousHolder().runId()).isEqualTo("r-1");
            assertThat(state.locks().lease(key)).isEmpty();
            RunDetail detail = state.history().run("r-1").orElseThrow();
            assertThat(detail.summary().state()).isEqualTo(RunState.INTERRUPTED);
            assertThat(detail.locks()).extracting(LockRecord::change).containsExactly("FORCE_RELEASED");
            assertThat(detail.locks().get(0).detail()).hasValue("by admin@desk: stuck since Friday");
            assertThatThrownBy(() -> state.forceRelease(key, "admin@desk", "again"))
                    .isInstanceOf(ConvergenceException.class).hasMessageContaining("not locked");
        }
    }
}
