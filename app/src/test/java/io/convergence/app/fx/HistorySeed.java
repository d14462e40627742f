package io.convergence.app.fx;

import io.convergence.engine.history.HistoryRecorder;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Writes finished runs straight into history (no warehouse): fast fixtures for the history screen. */
final class HistorySeed {
    private HistorySeed() {
    }

    /** {@code count} runs a minute apart: every third FAILED, pipelines alternating daily_sales and web_events. */
    static void runs(HistoryRecorder recorder, Instant base, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            String runId = String.format("r-seed-%04d", i);
            String pipeline = i % 2 == 0 ? "daily_sales" : "web_events";
            Instant start = base.plus(Duration.ofMinutes(i));
            RunState state = i % 3 == 0 ? RunState.FAILED : RunState.SUCCEEDED;
            Duration took = Duration.ofMillis(800 + 150L * (i % 7));
            recorder.onEvent(new RunEvent.RunStarted(runId, start, "acme", pipeline, "local", "sha256:seed" + (i % 2), Map.of(),
                    List.of(), List.of("load", "transform"), "host", "user", null));
            recorder.onEvent(new RunEvent.StepStateChanged(runId, start.plusMillis(300), "load", RunState.SUCCEEDED, 1,
                    1000 + i, 8000 + i, Duration.ofMillis(300), null, null));
            recorder.onEvent(new RunEvent.StepStateChanged(runId, start.plus(took), "transform", state, 1, state == RunState.FAILED ? 0 : 40 + i % 5,
                    400, took.minusMillis(300), state == RunState.FAILED ? "CVG-2004" : null,
                    state == RunState.FAILED ? "Conversion Error: could not convert string 'n/a' to INT64" : null));
            recorder.onEvent(new RunEvent.RunFinished(runId, start.plus(took), state, took,
                    state == RunState.FAILED ? "CVG-2004" : null, state == RunState.FAILED ? "step transform failed" : null));
        }
        recorder.flush();
    }
}
