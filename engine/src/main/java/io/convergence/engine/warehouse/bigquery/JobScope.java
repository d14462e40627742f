package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The step attempt that BigQuery jobs belong to: tenant, pipeline, run, step, partition and attempt. Jobs started
 * inside a scope get deterministic ids ({@link JobIds}), numbered in the order the attempt starts them, so a retry
 * of a job insert reuses its id and reattaches instead of running the work twice.
 */
public final class JobScope {
    private static final ThreadLocal<JobScope> CURRENT = new ThreadLocal<>();

    private final String tenant;
    private final String pipeline;
    private final String runId;
    private final String step;
    private final Optional<String> partition;
    private final int attempt;
    private final AtomicInteger sequence = new AtomicInteger();

    public JobScope(String tenant, String pipeline, String runId, String step, Optional<String> partition, int attempt) {
        this.tenant = requireNonNull(tenant, "tenant is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.runId = requireNonNull(runId, "runId is null");
        this.step = requireNonNull(step, "step is null");
        this.partition = requireNonNull(partition, "partition is null");
        this.attempt = attempt;
    }

    /** The scope of the calling thread, if a step attempt is running on it. */
    public static Optional<JobScope> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Makes this the calling thread's scope until the returned handle is closed (the previous one comes back). */
    public Binding bind() {
        JobScope previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** The next job id of this attempt (1, 2, ...), for jobs started in order. */
    String nextJobId() {
        return JobIds.forStep(tenant, pipeline, runId, step, partition, attempt, sequence.incrementAndGet());
    }

    public String tenant() {
        return tenant;
    }

    public String pipeline() {
        return pipeline;
    }

    public String runId() {
        return runId;
    }

    public String step() {
        return step;
    }

    public Optional<String> partition() {
        return partition;
    }

    public int attempt() {
        return attempt;
    }

    /** Restores the previous scope on close. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
