package io.convergence.engine.history;

import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Event sequences of small finished runs, for history tests that do not need an executor. */
final class HistoryEvents {
    private HistoryEvents() {
    }

    static List<RunEvent> finishedRun(String runId, String tenant, String pipeline, Instant start, RunState end) {
        Instant done = start.plusSeconds(3);
        return List.of(
                new RunEvent.RunStarted(runId, start, tenant, pipeline, "local", "v1", Map.of("run_date", "2024-03-01"),
                        List.of(), List.of("a"), "host1", "ana", null),
                new RunEvent.StepStateChanged(runId, start, "a", RunState.QUEUED, 0, 0, 0, null, null, null),
                new RunEvent.StepStateChanged(runId, start, "a", RunState.RUNNING, 1, 0, 0, null, null, null),
                new RunEvent.StepStateChanged(runId, done, "a", end == RunState.SUCCEEDED ? RunState.SUCCEEDED : RunState.FAILED, 1, 7, 70,
                        Duration.ofSeconds(3), end == RunState.SUCCEEDED ? null : "CVG-2004", end == RunState.SUCCEEDED ? null : "bad sql"),
                new RunEvent.RunFinished(runId, done, end, Duration.ofSeconds(3), end == RunState.SUCCEEDED ? null : "CVG-2004",
                        end == RunState.SUCCEEDED ? null : "bad sql"));
    }
}
