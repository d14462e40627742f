package io.convergence.engine.testing;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.SourceMap;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Partitioning;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds model records directly for engine tests (no YAML involved). */
public final class Fixtures {
    public static final String TENANT = "acme";

    private Fixtures() {
    }

    public static TransformStep transform(String id, String target, WriteMode write, String... dependsOn) {
        PartitionBy partitionBy = write == WriteMode.REPLACE_PARTITIONS ? new PartitionBy("day", PartitionGrain.DAY) : null;
        return new TransformStep(id, null, List.of(dependsOn), 0, null, "sql/" + id + ".sql", target, write, partitionBy, List.of());
    }

    public static TransformStep transform(String id, String... dependsOn) {
        return transform(id, "mart." + id, WriteMode.REPLACE, dependsOn);
    }

    public static TransformStep withRetries(TransformStep step, int retries) {
        return new TransformStep(step.id(), null, step.dependsOn(), retries, step.timeout(), step.sql(), step.target(), step.write(),
                step.partitionBy(), step.clusterBy());
    }

    public static TransformStep withTimeout(TransformStep step, Duration timeout) {
        return new TransformStep(step.id(), null, step.dependsOn(), step.retries(), timeout, step.sql(), step.target(), step.write(),
                step.partitionBy(), step.clusterBy());
    }

    public static IngestStep ingest(String id, String target, WriteMode write, String... dependsOn) {
        return new IngestStep(id, null, List.of(dependsOn), 0, null, new Source("data/" + id + ".csv", FileFormat.CSV, true, ",", 0),
                "schemas/" + id + ".json", target, write, null);
    }

    public static QualityStep quality(String id, String table, String... dependsOn) {
        return new QualityStep(id, null, List.of(dependsOn), 0, null, table, new ChecksSpec.Inline(List.of()), Sample.FULL, OnFailure.FAIL);
    }

    public static Pipeline pipeline(String id, Partitioning partitions, int maxParallel, Duration timeout, Step... steps) {
        return new Pipeline(id, null, Map.of(), partitions, maxParallel, timeout, List.of(steps));
    }

    public static Pipeline pipeline(String id, int maxParallel, Step... steps) {
        return pipeline(id, null, maxParallel, null, steps);
    }

    public static Pipeline dailyPipeline(String id, int maxParallel, Step... steps) {
        return pipeline(id, new Partitioning(PartitionGrain.DAY, 0), maxParallel, null, steps);
    }

    public static LoadedPipeline loaded(Pipeline pipeline) {
        Path file = Path.of("configs", "tenants", TENANT, "pipelines", pipeline.id(), "pipeline.yml");
        return new LoadedPipeline(TENANT, file, pipeline, SourceMap.empty(file));
    }

    public static LoadedTenant tenant(LoadedPipeline... pipelines) {
        Path dir = Path.of("configs", "tenants", TENANT);
        TenantConfig config = new TenantConfig(TENANT, null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null);
        return new LoadedTenant(dir, config, SourceMap.empty(dir.resolve("tenant.yml")), List.of(pipelines));
    }
}
