package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.model.ChecksFile;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.validation.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever text or bytes the loader is fed, it answers with located problems and never throws:
 * random bytes, YAML-ish token soup, edits and truncations of the valid files.
 */
class LoaderFuzzTest {
    private static Path root;
    private static Path pipelineFile;
    private static PipelineContext context;
    private static String validPipeline;

    @BeforeContainer
    static void createWorkspace() throws IOException {
        root = TestWorkspaces.base(Files.createTempDirectory("convergence-fuzz"));
        pipelineFile = root.resolve(TestWorkspaces.PIPELINE).toAbsolutePath().normalize();
        context = WorkspaceLoader.contextOf(pipelineFile);
        validPipeline = Files.readString(pipelineFile);
    }

    @AfterContainer
    static void deleteWorkspace() throws IOException {
        TestWorkspaces.deleteTree(root);
    }

    /** Every problem names a file of the workspace and a plausible position in it. */
    private static void assertLocated(Collection<Problem> problems, String text) {
        long lines = text.lines().count() + 1;
        for (Problem problem : problems) {
            assertThat(problem.message()).isNotBlank();
            assertThat(problem.location().file().toAbsolutePath().normalize()).startsWith(root.toAbsolutePath().normalize());
            assertThat(problem.location().line()).isBetween(0, (int) Math.max(lines, 1_000_000));
            if (problem.location().file().equals(pipelineFile)) {
                assertThat(problem.location().line()).as(problem.toString()).isLessThanOrEqualTo((int) lines);
            }
        }
    }

    private static void feedEverywhere(String text) {
        PipelineLoad load = WorkspaceLoader.loadPipelineText(context, pipelineFile, text);
        assertLocated(load.problems(), text);
        YamlReader.Document document = YamlReader.parse(text, pipelineFile);
        for (Class<?> type : List.of(Pipeline.class, WorkspaceConfig.class, TenantConfig.class, ChecksFile.class)) {
            assertLocated(ModelBinder.bind(document, type).problems(), text);
        }
    }

    @Property(tries = 300)
    void randomBytesNeverThrow(@ForAll @Size(max = 3000) byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        YamlReader.Document document = YamlReader.parse(bytes, pipelineFile);
        assertLocated(ModelBinder.bind(document, Pipeline.class).problems(), text);
        assertThat(SchemaFiles.parse(bytes, pipelineFile).problems()).allSatisfy(p -> assertThat(p.message()).isNotBlank());
        feedEverywhere(text);
    }

    @Property(tries = 500)
    void yamlishTextNeverThrows(@ForAll("yamlish") String text) {
        feedEverywhere(text);
    }

    @Property(tries = 500)
    void editsOfTheValidPipelineNeverThrow(@ForAll("edits") String text) {
        feedEverywhere(text);
    }

    @Property(tries = 1)
    void everyTruncationOfTheValidFilesIsHandled() throws IOException {
        for (int end = 0; end <= validPipeline.length(); end++) {
            feedEverywhere(validPipeline.substring(0, end));
        }
        for (String name : List.of("workspace.yml", "tenants/acme/tenant.yml", "tenants/acme/pipelines/sales/checks/daily_sales.yml")) {
            String text = Files.readString(root.resolve(name));
            for (int end = 0; end <= text.length(); end++) {
                feedEverywhere(text.substring(0, end));
            }
        }
        byte[] schema = Files.readAllBytes(root.resolve("tenants/acme/pipelines/sales/schemas/orders.json"));
        for (int end = 0; end <= schema.length; end++) {
            byte[] prefix = java.util.Arrays.copyOf(schema, end);
            SchemaFiles.Parsed parsed = SchemaFiles.parse(prefix, pipelineFile);
            assertThat(parsed.hasErrors() || end == schema.length || end >= schema.length - 1).isTrue();
        }
    }

    @Property(tries = 20)
    void aWholeWorkspaceWithRandomFilesLoads(@ForAll("yamlish") String workspace, @ForAll("edits") String pipeline) throws IOException {
        Path copy = Files.createTempDirectory("convergence-fuzz-ws");
        try {
            TestWorkspaces.base(copy);
            Files.writeString(copy.resolve("workspace.yml"), workspace);
            Files.writeString(copy.resolve(TestWorkspaces.PIPELINE), pipeline);
            LoadResult result = WorkspaceLoader.load(copy);
            assertThat(result.problems()).allSatisfy(p -> assertThat(p.location().file()).startsWith(copy));
        } finally {
            TestWorkspaces.deleteTree(copy);
        }
    }

    private static final List<String> TOKENS = List.of(
            "id: ", "steps:", "\n", "\n", "\n", "  ", "  ", "    ", "- ", "type: ", "transform", "ingest", "quality", "{", "}", "[", "]",
            ", ", ": ", ":", "&a ", "*a", "&b ", "*b", "!!str ", "!!map ", "!custom ", "'", "\"", "# c", "|", ">", "---", "...",
            "depends_on: ", "sql: ", "target: ", "table: ", "checks: ", "parameters:", "partitions: ", "source: ", "uri: ",
            "a.b", "x", "p", "1", "-1", "0x1F", "1e999", "true", "yes", "~", "null", "\t", "%YAML 1.2\n", "? ", "<<: ", "@", "`",
            "\\", "é", "\u0000", "\uFEFF", "sql/daily_sales.sql", "../../x", "schemas/orders.json", "checks/daily_sales.yml");

    @Provide
    Arbitrary<String> yamlish() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(80).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<String> edits() {
        Arbitrary<Tuple.Tuple3<Integer, Integer, String>> edit = Combinators.combine(
                Arbitraries.integers().between(0, 2000), Arbitraries.integers().between(0, 40), Arbitraries.of(TOKENS)).as(Tuple::of);
        return edit.list().ofMinSize(1).ofMaxSize(5).map(list -> {
            String text = validPipeline;
            for (Tuple.Tuple3<Integer, Integer, String> e : list) {
                int at = e.get1() % (text.length() + 1);
                int end = Math.min(text.length(), at + e.get2() % 5);
                text = text.substring(0, at) + (e.get2() % 3 == 0 ? "" : e.get3()) + text.substring(end);
            }
            return text;
        });
    }
}
