package io.convergence.engine.steps;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.SourceMap;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Partitioning;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.warehouse.TableNames;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tenant {@code acme} with one pipeline folder and a real DuckDB file, for running steps in tests.
 * Records the events runners publish.
 */
final class StepFixture implements AutoCloseable {
    static final Instant NOW = Instant.parse("2024-03-06T10:00:00Z");

    final Path root;
    final Path pipelineDir;
    final DuckDbWarehouse warehouse;
    final StepRunners runners;
    final List<RunEvent> events = new CopyOnWriteArrayList<>();
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final TenantConfig tenant = new TenantConfig("acme", null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null);
    final TableNames names;
    private int runs;

    StepFixture(Path root) {
        this.root = root;
        this.pipelineDir = root.resolve("tenants/acme/pipelines/sales");
        try {
            Files.createDirectories(pipelineDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.warehouse = DuckDbWarehouse.open(root.resolve(".convergence/warehouse.duckdb"), 2, "1GB");
        this.runners = StepRunners.create(warehouse);
        this.names = warehouse.tableNames(tenant);
    }

    Path write(String relative, String content) {
        Path file = pipelineDir.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    Pipeline pipeline(Step... steps) {
        return new Pipeline("sales", null, Map.of(), new Partitioning(PartitionGrain.DAY, 0), 4, null, List.of(steps));
    }

    StepContext context(Pipeline pipeline, Step step, Optional<PartitionWindow> partition, Map<String, ParameterValue> parameters) {
        LoadedPipeline loaded = new LoadedPipeline("acme", pipelineDir.resolve("pipeline.yml"), pipeline, SourceMap.empty(pipelineDir.resolve("pipeline.yml")));
        LoadedTenant loadedTenant = new LoadedTenant(root.resolve("tenants/acme"), tenant, SourceMap.empty(root.resolve("tenants/acme/tenant.yml")),
                List.of(loaded));
        runs++;
        return new StepContext("run-" + runs, loadedTenant, loaded, step, partition, parameters, 1, new CancellationToken(), events::add, clock);
    }

    StepResult run(Step step, Step... others) {
        return run(step, Optional.empty(), Map.of(), others);
    }

    StepResult run(Step step, Optional<PartitionWindow> partition, Map<String, ParameterValue> parameters, Step... others) {
        Step[] all = new Step[others.length + 1];
        all[0] = step;
        System.arraycopy(others, 0, all, 1, others.length);
        return runners.runner().run(context(pipeline(all), step, partition, parameters));
    }

    static Optional<PartitionWindow> day(String iso) {
        LocalDate d = LocalDate.parse(iso);
        return Optional.of(new PartitionWindow(iso, PartitionGrain.DAY, d.atStartOfDay(), d.plusDays(1).atStartOfDay()));
    }

    List<List<Object>> rows(String bigQuerySql) {
        return warehouse.query(warehouse.compile(bigQuerySql, names, Map.of()), 100_000, new CancellationToken()).rows();
    }

    long count(String logicalTable) {
        return warehouse.rowCount(names.resolve(logicalTable));
    }

    <T extends RunEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() {
        warehouse.close();
    }
}
