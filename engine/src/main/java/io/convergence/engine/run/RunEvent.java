package io.convergence.engine.run;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The one stream the executor publishes. History, CLI progress and UI view models are listeners;
 * none of them talks to the executor any other way. Every event names its run and its time.
 */
public sealed interface RunEvent {
    String runId();

    Instant at();

    /** A run was accepted and its lock is held. */
    record RunStarted(String runId, Instant at, String tenant, String pipeline, String target,
                      String pipelineVersion, Map<String, String> parameters, List<String> partitions,
                      List<String> steps, String host, String user, String resumedFrom) implements RunEvent {
        public RunStarted {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(tenant, "tenant is null");
            requireNonNull(pipeline, "pipeline is null");
            requireNonNull(target, "target is null");
            parameters = Map.copyOf(parameters);
            partitions = List.copyOf(partitions);
            steps = List.copyOf(steps);
        }
    }

    /** A run reached a terminal state. */
    record RunFinished(String runId, Instant at, RunState state, Duration duration,
                       String errorCode, String errorMessage) implements RunEvent {
        public RunFinished {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(state, "state is null");
            if (!state.isTerminal()) {
                throw new IllegalArgumentException("RunFinished needs a terminal state, got " + state);
            }
        }
    }

    /** A step changed state; rows and bytes are totals so far (final when terminal). */
    record StepStateChanged(String runId, Instant at, String stepId, RunState state, int attempt,
                            long rows, long bytes, Duration duration,
                            String errorCode, String errorMessage) implements RunEvent {
        public StepStateChanged {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(stepId, "stepId is null");
            requireNonNull(state, "state is null");
        }
    }

    /** A partition of a step changed state; {@code partition} is its key such as {@code 2024-03-01}. */
    record PartitionStateChanged(String runId, Instant at, String stepId, String partition, RunState state,
                                 int attempt, long rows, long bytes, Duration duration,
                                 String errorCode, String errorMessage) implements RunEvent {
        public PartitionStateChanged {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(stepId, "stepId is null");
            requireNonNull(partition, "partition is null");
            requireNonNull(state, "state is null");
        }
    }

    /** The outcome of one data-quality check, per partition when the run is partitioned. */
    record CheckEvaluated(String runId, Instant at, String stepId, String partition, String checkName,
                          String checkType, String severity, boolean passed, long failingRows,
                          List<String> exampleRows, String detail) implements RunEvent {
        public CheckEvaluated {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(stepId, "stepId is null");
            requireNonNull(checkName, "checkName is null");
            exampleRows = List.copyOf(exampleRows);
        }
    }

    /** A log line, with the step and partition it belongs to (either may be null). */
    record LogLine(String runId, Instant at, String stepId, String partition, String level, String message)
            implements RunEvent {
        public LogLine {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(level, "level is null");
            requireNonNull(message, "message is null");
        }
    }

    /** A lock was acquired, renewed, lost, released or force-released for this run. */
    record LockChanged(String runId, Instant at, String tenant, String pipeline, String change, long epoch,
                       String detail) implements RunEvent {
        public LockChanged {
            requireNonNull(runId, "runId is null");
            requireNonNull(at, "at is null");
            requireNonNull(change, "change is null");
        }
    }
}
