package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.plan.UnitKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Two runs side by side: run-level facts and every step and partition, with what differs marked. Pure data,
 * for the app's history screen and {@code convergence runs compare}; durations are written by the caller's
 * {@code format}. Durations "differ" when they are more than 20% (and 100 ms) apart: noise is not news.
 */
public record RunComparison(String leftRunId, String rightRunId, List<Row> rows) {
    /** One compared line: a run fact, a step, or a step's partition. */
    public record Row(String item, String left, String right, boolean differs) {
        public Row {
            requireNonNull(item, "item is null");
            left = left == null ? "" : left;
            right = right == null ? "" : right;
        }
    }

    public RunComparison {
        requireNonNull(leftRunId, "leftRunId is null");
        requireNonNull(rightRunId, "rightRunId is null");
        rows = List.copyOf(rows);
    }

    public static RunComparison of(RunDetail left, RunDetail right, Function<Duration, String> format) {
        List<Row> rows = new ArrayList<>();
        RunSummary a = left.summary();
        RunSummary b = right.summary();
        rows.add(exact("pipeline", a.tenant() + "/" + a.pipeline(), b.tenant() + "/" + b.pipeline()));
        rows.add(exact("state", a.state().name(), b.state().name()));
        rows.add(duration("duration", a.duration(), b.duration(), format));
        rows.add(exact("rows", Long.toString(a.rows()), Long.toString(b.rows())));
        rows.add(exact("bytes", Long.toString(a.bytes()), Long.toString(b.bytes())));
        rows.add(exact("pipeline version", a.pipelineVersion().orElse(""), b.pipelineVersion().orElse("")));
        rows.add(exact("target", a.target(), b.target()));
        rows.add(exact("parameters", new java.util.TreeMap<>(a.parameters()).toString(), new java.util.TreeMap<>(b.parameters()).toString()));
        rows.add(exact("partitions", Integer.toString(left.plannedPartitions().size()), Integer.toString(right.plannedPartitions().size())));
        Map<String, StepRecord[]> units = new LinkedHashMap<>();
        collect(units, left.steps(), 0);
        collect(units, right.steps(), 1);
        collect(units, left.partitions(), 0);
        collect(units, right.partitions(), 1);
        units.forEach((key, pair) -> {
            StepRecord l = pair[0];
            StepRecord r = pair[1];
            rows.add(exact(key + "  state", l == null ? "-" : l.state().name(), r == null ? "-" : r.state().name()));
            rows.add(exact(key + "  rows", l == null ? "-" : Long.toString(l.rows()), r == null ? "-" : Long.toString(r.rows())));
            rows.add(duration(key + "  duration", l == null ? Optional.empty() : l.duration(), r == null ? Optional.empty() : r.duration(), format));
        });
        return new RunComparison(a.runId(), b.runId(), rows);
    }

    private static void collect(Map<String, StepRecord[]> units, List<StepRecord> records, int side) {
        for (StepRecord record : records) {
            String key = new UnitKey(record.stepId(), record.partition()).toString();
            units.computeIfAbsent(key, k -> new StepRecord[2])[side] = record;
        }
    }

    private static Row exact(String item, String left, String right) {
        return new Row(item, left, right, !Objects.equals(left, right));
    }

    private static Row duration(String item, Optional<Duration> left, Optional<Duration> right, Function<Duration, String> format) {
        boolean differs;
        if (left.isPresent() && right.isPresent()) {
            long l = left.get().toMillis();
            long r = right.get().toMillis();
            long diff = Math.abs(l - r);
            differs = diff > 100 && diff > 0.2 * Math.max(l, r);
        } else {
            differs = left.isPresent() != right.isPresent();
        }
        return new Row(item, left.map(format).orElse("-"), right.map(format).orElse("-"), differs);
    }

    /** How many rows differ. */
    public long differences() {
        return rows.stream().filter(Row::differs).count();
    }
}
