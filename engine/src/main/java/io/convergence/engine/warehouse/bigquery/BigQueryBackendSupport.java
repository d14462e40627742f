package io.convergence.engine.warehouse.bigquery;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.exec.StepRunner;
import io.convergence.engine.exec.StepRunnerFactory;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.TableNames;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a run on BigQuery adds around the step runners: job scopes for deterministic job ids, table layouts. */
public final class BigQueryBackendSupport {
    private BigQueryBackendSupport() {
    }

    /** Layouts of every transform target of {@code pipeline}, by physical table. */
    public static Map<TableId, TableLayout> layouts(LoadedPipeline pipeline, TableNames names) {
        Map<TableId, TableLayout> out = new LinkedHashMap<>();
        for (Step step : pipeline.pipeline().steps()) {
            if (step instanceof TransformStep) {
                TransformStep t = (TransformStep) step;
                out.put(names.resolve(t.target()), TableLayout.of(t));
            }
        }
        return out;
    }

    /** Runs every step attempt inside a {@link JobScope}, so the jobs it starts get deterministic ids. */
    public static StepRunnerFactory scoped(StepRunnerFactory runners) {
        return step -> {
            StepRunner runner = runners.runnerFor(step);
            return context -> {
                JobScope scope = new JobScope(context.tenant().id(), context.pipeline().pipeline().id(), context.runId(),
                        context.step().id(), context.partition().map(p -> p.key()), context.attempt());
                try (JobScope.Binding bound = scope.bind()) {
                    return runner.run(context);
                }
            };
        };
    }
}
