package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.model.Step;
import io.convergence.engine.run.RunEventListener;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a {@link StepRunner} may use for one attempt of one step (and one partition).
 * Runners publish logs and check results through {@code events}.
 */
public record StepContext(
        String runId,
        LoadedTenant tenant,
        LoadedPipeline pipeline,
        Step step,
        Optional<PartitionWindow> partition,
        Map<String, ParameterValue> parameters,
        int attempt,
        CancellationToken cancellation,
        RunEventListener events,
        Clock clock) {
    public StepContext {
        requireNonNull(runId, "runId is null");
        requireNonNull(tenant, "tenant is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(step, "step is null");
        requireNonNull(partition, "partition is null");
        parameters = Map.copyOf(parameters);
        requireNonNull(cancellation, "cancellation is null");
        requireNonNull(events, "events is null");
        requireNonNull(clock, "clock is null");
    }
}
