package io.convergence.engine.steps;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepRunner;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.Warehouse;
import java.util.function.Function;

/**
 * Builds the step runners of one warehouse. Pipeline resources (SQL, schema and checks files, data) are
 * read relative to the {@code pipeline.yml} of each {@link StepContext}. {@link #runner()} dispatches on
 * the step type, which is what the executor needs.
 */
public final class StepRunners {
    private final IngestRunner ingest;
    private final TransformRunner transform;
    private final QualityRunner quality;

    private StepRunners(Warehouse warehouse, ChecksReader checksReader, Function<StepContext, FenceCheck> fences) {
        requireNonNull(warehouse, "warehouse is null");
        this.ingest = new IngestRunner(warehouse, fences);
        this.transform = new TransformRunner(warehouse, fences);
        this.quality = new QualityRunner(warehouse, checksReader);
    }

    /** Runners with the built-in checks-file reader and no fencing. */
    public static StepRunners create(Warehouse warehouse) {
        return create(warehouse, new YamlChecksReader(), context -> FenceCheck.NONE);
    }

    /**
     * Runners with a checks-file reader (the workspace loader's, ideally) and a source of fence checks,
     * asked once per publication: a lock-aware executor returns one that verifies its lock epoch.
     */
    public static StepRunners create(Warehouse warehouse, ChecksReader checksReader, Function<StepContext, FenceCheck> fences) {
        return new StepRunners(warehouse, requireNonNull(checksReader, "checksReader is null"), requireNonNull(fences, "fences is null"));
    }

    public StepRunner forStep(Step step) {
        if (step instanceof IngestStep) {
            return ingest;
        }
        if (step instanceof TransformStep) {
            return transform;
        }
        if (step instanceof QualityStep) {
            return quality;
        }
        throw new IllegalArgumentException("no runner for step type " + step.typeName());
    }

    /** One runner for every step: it picks the ingest, transform or quality runner by the context's step. */
    public StepRunner runner() {
        return context -> forStep(context.step()).run(context);
    }

    public IngestRunner ingest() {
        return ingest;
    }

    public TransformRunner transform() {
        return transform;
    }

    public QualityRunner quality() {
        return quality;
    }
}
