package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceLoaderTest {
    @TempDir
    Path dir;

    private Path root() {
        return TestWorkspaces.base(dir.resolve("ws"));
    }

    private static List<String> codes(List<Problem> problems) {
        return problems.stream().map(p -> p.code().id()).toList();
    }

    @Test
    void loadsTheValidWorkspaceWithEverythingItNames() {
        Path root = root();
        LoadResult result = WorkspaceLoader.load(root);

        assertThat(result.problems()).isEmpty();
        LoadedWorkspace workspace = result.workspace().orElseThrow();
        assertThat(workspace.tenants()).extracting(LoadedTenant::id).containsExactly("acme", "beta");
        LoadedPipeline sales = workspace.findPipeline("acme/sales").orElseThrow();
        assertThat(sales.isValid()).isTrue();
        assertThat(sales.tenantId()).isEqualTo("acme");
        assertThat(sales.pipeline().steps()).extracting(Step::id).containsExactly("load_orders", "daily_sales", "check_sales", "check_orders");
        assertThat(sales.resources().schemaByStep().get("load_orders")).extracting(SchemaField::name)
                .containsExactly("order_id", "store_id", "order_date", "amount");
        assertThat(sales.resources().sqlByStep().get("daily_sales").refs()).extracting(r -> r.target()).containsExactly("raw.orders");
        assertThat(sales.resources().checksByStep().get("check_sales")).hasSize(2);
        assertThat(sales.resources().checksByStep().get("check_orders")).hasSize(2);
        assertThat(sales.resources().files()).contains(sales.file(), sales.dir().resolve("sql/daily_sales.sql"));
        assertThat(workspace.findPipeline(sales.file().toString())).contains(sales);
    }

    @Test
    void keepsSourcePositionsOfNodes() {
        Path root = root();
        LoadedWorkspace workspace = WorkspaceLoader.load(root).workspace().orElseThrow();
        LoadedPipeline sales = workspace.findPipeline("acme/sales").orElseThrow();
        Path pipelineFile = root.resolve(TestWorkspaces.PIPELINE);

        assertThat(sales.sourceMap().locate("/steps/1/sql")).isEqualTo(new SourceLocation(pipelineFile, 17, 10));
        assertThat(sales.sourceMap().locate("/steps/0/source/uri")).isEqualTo(new SourceLocation(pipelineFile, 10, 20));
        assertThat(sales.sourceMap().locate("/steps/3/checks/1/columns/0")).isEqualTo(new SourceLocation(pipelineFile, 33, 35));
        assertThat(sales.sourceMap().locate("/parameters/run_date/default")).isEqualTo(new SourceLocation(pipelineFile, 4, 36));
        // a key not written falls back to its nearest written ancestor
        assertThat(sales.sourceMap().locate("/steps/1/retries")).isEqualTo(new SourceLocation(pipelineFile, 14, 5));
        assertThat(workspace.sourceMap().locate("/targets/prod/project"))
                .isEqualTo(new SourceLocation(root.resolve("workspace.yml"), 7, 14));
        assertThat(workspace.tenant("acme").orElseThrow().sourceMap().locate("/location"))
                .isEqualTo(new SourceLocation(root.resolve("tenants/acme/tenant.yml"), 3, 11));
    }

    @Test
    void aPipelineWithErrorsIsListedButInvalid() throws IOException {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        Files.writeString(file, Files.readString(file).replace("depends_on: [daily_sales]", "depends_on: [nope]"));

        LoadResult result = WorkspaceLoader.load(root);

        LoadedPipeline sales = result.workspace().orElseThrow().findPipeline("acme/sales").orElseThrow();
        assertThat(sales.isValid()).isFalse();
        assertThat(codes(sales.problems())).contains("CV203");
        assertThat(result.hasErrors()).isTrue();
    }

    @Test
    void reportsProblemsOfSeveralFilesAtOnce() throws IOException {
        Path root = root();
        Files.writeString(root.resolve("tenants/beta/tenant.yml"), "id: beta\nlocaton: EU\n");
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        Files.writeString(file, Files.readString(file).replace("max: 10", "max: ten").replace("sample: 1000", "sample: none"));
        Files.writeString(root.resolve("tenants/acme/pipelines/sales/sql/daily_sales.sql"), "select * from raw.orders where x = @nope");

        LoadResult result = WorkspaceLoader.load(root);

        assertThat(codes(result.problems())).containsExactlyInAnyOrder("CV101", "CV103", "CV103", "CV402", "CV405", "CV407");
        // sorted by file, then position
        assertThat(result.problems()).isSortedAccordingTo(WorkspaceLoader.PROBLEM_ORDER);
    }

    @Test
    void aSymbolicLinkOutOfTheWorkspaceIsRefused() throws IOException {
        Path root = root();
        Path outside = Files.writeString(dir.resolve("secret.sql"), "select 1");
        Path sql = root.resolve("tenants/acme/pipelines/sales/sql/daily_sales.sql");
        Files.delete(sql);
        try {
            Files.createSymbolicLink(sql, outside);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "symbolic links are not available here");
        }

        List<Problem> problems = WorkspaceLoader.load(root).problems();

        assertThat(problems).filteredOn(p -> p.code() == ProblemCode.PATH_OUTSIDE_WORKSPACE).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("symbolic link"));
    }

    @Test
    void absolutePathsOutsideTheWorkspaceAreRefused() throws IOException {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        Files.writeString(file, Files.readString(file).replace("schemas/orders.json", dir.resolve("elsewhere.json").toString()));
        assertThat(codes(WorkspaceLoader.load(root).problems())).containsExactly("CV302");
    }

    @Test
    void cloudSourcesAreNotCheckedLocallyAndOtherSchemesAreRefused() throws IOException {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        String text = Files.readString(file);
        Files.writeString(file, text.replace("data/orders_*.csv", "gs://bucket/orders_*.csv"));
        assertThat(WorkspaceLoader.load(root).problems()).isEmpty();
        Files.writeString(file, text.replace("data/orders_*.csv", "s3://bucket/orders.csv"));
        assertThat(codes(WorkspaceLoader.load(root).problems())).containsExactly("CV105");
    }

    @Test
    void globsMayReachIntoSubfolders() throws IOException {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        Files.createDirectories(root.resolve("tenants/acme/pipelines/sales/data/2024/01"));
        Files.writeString(root.resolve("tenants/acme/pipelines/sales/data/2024/01/orders.csv"), "a\n");
        Files.writeString(file, Files.readString(file).replace("data/orders_*.csv", "data/**/orders.csv"));
        assertThat(WorkspaceLoader.load(root).problems()).isEmpty();
    }

    @Test
    void aKeyFileMustExistAndStaysOutOfMessages() throws IOException {
        Path root = root();
        Path workspace = root.resolve("workspace.yml");
        String text = Files.readString(workspace);
        Files.writeString(workspace, text.replace("credentials: adc", "credentials: keys/sa.json"));
        assertThat(codes(WorkspaceLoader.load(root).problems())).containsExactly("CV301");
        Files.createDirectories(root.resolve("keys"));
        Files.writeString(root.resolve("keys/sa.json"), "{}");
        assertThat(WorkspaceLoader.load(root).problems()).isEmpty();

        String secret = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
        Files.writeString(workspace, text.replace("credentials: adc", "credentials: " + secret));
        List<Problem> problems = WorkspaceLoader.load(root).problems();
        assertThat(codes(problems)).containsExactly("CV502");
        assertThat(problems.get(0).message() + problems.get(0).hint()).doesNotContain(secret.substring(0, 12));
    }

    @Test
    void aMissingWorkspaceFileIsOneProblem() {
        LoadResult result = WorkspaceLoader.load(dir);
        assertThat(result.workspace()).isEmpty();
        assertThat(codes(result.problems())).containsExactly("CV504");
    }

    @Test
    void anUnreadableWorkspaceFileStillReportsTenantProblems() throws IOException {
        Path root = root();
        Files.writeString(root.resolve("workspace.yml"), "targets: [\n");
        Files.writeString(root.resolve("tenants/beta/tenant.yml"), "id: Beta\n");
        LoadResult result = WorkspaceLoader.load(root);
        assertThat(result.workspace()).isEmpty();
        assertThat(codes(result.problems())).containsExactly("CV201", "CV207", "CV001");
    }

    @Test
    void validatesOnePipelineFileInItsWorkspace() {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        PipelineContext context = WorkspaceLoader.contextOf(file);

        assertThat(context.root()).isEqualTo(root.toAbsolutePath().normalize());
        assertThat(context.tenantId()).isEqualTo("acme");
        assertThat(context.tenant()).isPresent();
        assertThat(context.tenantIds()).containsExactlyInAnyOrder("acme", "beta");
        PipelineLoad load = WorkspaceLoader.loadPipeline(context, file);
        assertThat(load.problems()).isEmpty();
        assertThat(load.pipeline().orElseThrow().qualifiedName()).isEqualTo("acme/sales");
    }

    @Test
    void validatesEditorTextAsIfItWereTheFile() throws IOException {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        PipelineContext context = WorkspaceLoader.contextOf(file);
        String edited = Files.readString(file).replace("sql: sql/daily_sales.sql", "sql: sql/missing.sql");

        PipelineLoad load = WorkspaceLoader.loadPipelineText(context, file, edited);

        assertThat(load.problems()).extracting(Problem::code).contains(ProblemCode.FILE_NOT_FOUND);
        assertThat(load.problems().get(0).location()).isEqualTo(new SourceLocation(file, 17, 10));
    }

    @Test
    void validatesAnInMemoryModelAndPointsAtItsElements() {
        Path root = root();
        Path file = root.resolve(TestWorkspaces.PIPELINE);
        LoadedWorkspace workspace = WorkspaceLoader.load(root).workspace().orElseThrow();
        Pipeline model = workspace.findPipeline("acme/sales").orElseThrow().pipeline();
        List<Step> steps = new ArrayList<>(model.steps());
        steps.add(new TransformStep("late", null, List.of("daily_sale"), 0, null, "sql/daily_sales.sql", "mart.late",
                WriteMode.REPLACE, null, List.of()));
        steps.add(new IngestStep("more", null, List.of(), 0, null, new Source("data/orders_*.csv", io.convergence.engine.model.FileFormat.CSV,
                true, ",", 0), "schemas/orders.json", "raw.orders", WriteMode.APPEND, null));

        PipelineLoad load = WorkspaceLoader.validatePipeline(PipelineContext.of(workspace, "acme"), file, model.withSteps(steps));

        assertThat(load.problems()).extracting(Problem::code, Problem::pointer).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(ProblemCode.UNKNOWN_DEPENDENCY, "/steps/4/depends_on/0"),
                org.assertj.core.groups.Tuple.tuple(ProblemCode.MISSING_DEPENDENCY, "/steps/4/sql"),
                org.assertj.core.groups.Tuple.tuple(ProblemCode.DUPLICATE_TARGET_TABLE, "/steps/5/target"),
                org.assertj.core.groups.Tuple.tuple(ProblemCode.DUPLICATE_TARGET_TABLE, "/steps/5/target"));
        assertThat(load.pipeline().orElseThrow().isValid()).isFalse();
    }

    @Test
    void theOldLoadedPipelineConstructorStillWorks() {
        Pipeline pipeline = new Pipeline("p", null, null, null, 4, null, List.of());
        LoadedPipeline loaded = new LoadedPipeline("t", Path.of("/ws/p/pipeline.yml"), pipeline, SourceMap.empty(Path.of("/ws/p/pipeline.yml")));
        assertThat(loaded.isValid()).isTrue();
        assertThat(loaded.resources()).isEqualTo(PipelineResources.empty());
    }
}
