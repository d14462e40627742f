package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Everything history knows about one run: its summary, the planned steps and partitions, each
 * step's and partition's latest state (in plan order), check results (by step in plan order, then
 * partition, then check name), logs and lock changes (in event order).
 */
public record RunDetail(
        RunSummary summary,
        List<String> plannedSteps,
        List<String> plannedPartitions,
        List<StepRecord> steps,
        List<StepRecord> partitions,
        List<CheckRecord> checks,
        List<LogRecord> logs,
        List<LockRecord> locks) {
    public RunDetail {
        requireNonNull(summary, "summary is null");
        plannedSteps = List.copyOf(plannedSteps);
        plannedPartitions = List.copyOf(plannedPartitions);
        steps = List.copyOf(steps);
        partitions = List.copyOf(partitions);
        checks = List.copyOf(checks);
        logs = List.copyOf(logs);
        locks = List.copyOf(locks);
    }
}
