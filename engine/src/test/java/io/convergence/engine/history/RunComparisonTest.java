package io.convergence.engine.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunComparisonTest {
    private static RunDetail run(String id, RunState state, long millis, List<StepRecord> steps, List<StepRecord> partitions) {
        RunSummary summary = new RunSummary(id, "acme", "daily_sales", "local", state, Instant.parse("2024-03-01T12:00:00Z"),
                Optional.empty(), Optional.of(Duration.ofMillis(millis)), 10, 100, Optional.empty(), Optional.empty(), Optional.of("v1"),
                Map.of("run_date", "2024-03-01"), Optional.empty(), Optional.empty(), Optional.empty(), Instant.parse("2024-03-01T12:00:00Z"));
        return new RunDetail(summary, List.of("load", "sales"), List.of(), steps, partitions, List.of(), List.of(), List.of());
    }

    private static StepRecord unit(String step, String partition, RunState state, long rows, long millis) {
        return new StepRecord(step, Optional.ofNullable(partition), state, 1, rows, 0, Optional.empty(), Optional.empty(),
                Optional.of(Duration.ofMillis(millis)), Optional.empty(), Optional.empty());
    }

    @Test
    void marksWhatDiffersAndToleratesDurationNoise() {
        RunDetail left = run("a", RunState.SUCCEEDED, 1000, List.of(unit("load", null, RunState.SUCCEEDED, 10, 400)),
                List.of(unit("sales", "2024-03-01", RunState.SUCCEEDED, 3, 50)));
        RunDetail right = run("b", RunState.FAILED, 1150, List.of(unit("load", null, RunState.SUCCEEDED, 10, 900)),
                List.of(unit("sales", "2024-03-01", RunState.SUCCEEDED, 3, 120), unit("sales", "2024-03-02", RunState.FAILED, 0, 10)));

        RunComparison c = RunComparison.of(left, right, d -> d.toMillis() + "ms");

        assertThat(c.rows()).filteredOn(RunComparison.Row::differs).extracting(RunComparison.Row::item).containsExactly(
                "state",
                "load  duration",                   // 400 ms against 900 ms: more than 20% and 100 ms apart
                "sales[2024-03-02]  state", "sales[2024-03-02]  rows", "sales[2024-03-02]  duration");
        // 1000 ms against 1150 ms (15%) and 50 ms against 120 ms (70 ms) are noise, not news
        assertThat(c.rows()).filteredOn(r -> r.item().equals("duration")).singleElement()
                .satisfies(r -> assertThat(r.differs()).isFalse()).satisfies(r -> assertThat(r.right()).isEqualTo("1150ms"));
        assertThat(c.rows()).filteredOn(r -> r.item().equals("sales[2024-03-02]  state")).singleElement()
                .satisfies(r -> assertThat(r.left()).isEqualTo("-"));
        assertThat(c.differences()).isEqualTo(5);
    }
}
