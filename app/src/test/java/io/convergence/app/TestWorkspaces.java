package io.convergence.app;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.config.SourceMap;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.StateSettings;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.Severity;
import io.convergence.engine.validation.SourceLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small workspace built in code (the YAML loader is tested in the engine): two tenants, three
 * pipelines, with the files written to a folder so path handling is real.
 */
public final class TestWorkspaces {
    public static final String DAILY_SALES_YAML = """
            id: daily_sales
            description: Orders to daily sales
            steps:
              - id: load_orders
                type: ingest
              - id: sales_by_day
                type: transform
                depends_on: [load_orders]
              - id: check_sales
                type: quality
                depends_on: [sales_by_day]
            """;

    private TestWorkspaces() {
    }

    /** Writes the files under {@code root} and returns the workspace as the loader would. */
    public static LoadedWorkspace create(Path root) {
        write(root.resolve("workspace.yml"), "default_target: local\n");
        write(root.resolve("tenants/acme/tenant.yml"), "id: acme\n");
        write(root.resolve("tenants/globex/tenant.yml"), "id: globex\n");
        LoadedPipeline dailySales = pipeline(root, "acme", dailySales());
        LoadedPipeline hourly = pipeline(root, "acme", new Pipeline("hourly_clicks", null, Map.of(), null, 4, null,
                List.of(transform("clicks", List.of()))));
        LoadedPipeline inventory = pipeline(root, "globex", new Pipeline("inventory", null, Map.of(), null, 4, null,
                List.of(transform("stock", List.of()))));
        write(dailySales.file(), DAILY_SALES_YAML);
        write(hourly.file(), "id: hourly_clicks\n");
        write(inventory.file(), "id: inventory\n");

        WorkspaceConfig config = new WorkspaceConfig("local",
                Map.of("local", new DuckDbTarget(".convergence/warehouse.duckdb", 0, null)),
                new StateSettings(".convergence/state.db"),
                new LockSettings(Duration.ofMinutes(2), Duration.ofSeconds(20), 3, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        // Listed out of order on purpose: views sort.
        return new LoadedWorkspace(root, config, SourceMap.empty(root.resolve("workspace.yml")), List.of(
                tenant(root, "globex", List.of(inventory)),
                tenant(root, "acme", List.of(hourly, dailySales))));
    }

    public static Pipeline dailySales() {
        return new Pipeline("daily_sales", "Orders to daily sales", Map.of(), null, 4, null, List.of(
                new IngestStep("load_orders", null, List.of(), 0, null,
                        new Source("data/orders_*.csv", FileFormat.CSV, true, ",", 0),
                        "schemas/orders.json", "raw.orders", WriteMode.APPEND, null),
                transform("sales_by_day", List.of("load_orders")),
                new QualityStep("check_sales", null, List.of("sales_by_day"), 0, null, "mart.sales_by_day",
                        new ChecksSpec.File("checks/sales.yml"), Sample.FULL, OnFailure.FAIL)));
    }

    /** An error in daily_sales' pipeline.yml and a warning in its SQL file. */
    public static List<Problem> problems(Path root) {
        Path pipelineDir = root.resolve("tenants/acme/pipelines/daily_sales");
        return List.of(
                new Problem(ProblemCode.UNKNOWN_DEPENDENCY, Severity.ERROR,
                        new SourceLocation(pipelineDir.resolve("pipeline.yml"), 12, 19),
                        "step 'check_sales' depends on unknown step 'sales_by_dya'", "did you mean 'sales_by_day'?"),
                new Problem(ProblemCode.UNUSED_PARAMETER, Severity.WARNING,
                        new SourceLocation(pipelineDir.resolve("sql/sales_by_day.sql"), 3, 1),
                        "parameter 'region' is declared but never used", ""));
    }

    public static LoadResult withProblems(Path root) {
        return new LoadResult(java.util.Optional.of(create(root)), problems(root));
    }

    public static LoadResult valid(Path root) {
        return new LoadResult(java.util.Optional.of(create(root)), List.of());
    }

    private static TransformStep transform(String id, List<String> dependsOn) {
        return new TransformStep(id, null, dependsOn, 0, null, "sql/" + id + ".sql", "mart." + id,
                WriteMode.REPLACE, null, List.of());
    }

    private static LoadedPipeline pipeline(Path root, String tenant, Pipeline pipeline) {
        Path file = root.resolve("tenants").resolve(tenant).resolve("pipelines").resolve(pipeline.id()).resolve("pipeline.yml");
        return new LoadedPipeline(tenant, file, pipeline, SourceMap.empty(file));
    }

    private static LoadedTenant tenant(Path root, String id, List<LoadedPipeline> pipelines) {
        Path dir = root.resolve("tenants").resolve(id);
        return new LoadedTenant(dir, new TenantConfig(id, null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null),
                SourceMap.empty(dir.resolve("tenant.yml")), pipelines);
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
