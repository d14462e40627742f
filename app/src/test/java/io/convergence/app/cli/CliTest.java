package io.convergence.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.app.TestWorkspaces;
import io.convergence.engine.config.LoadResult;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

class CliTest {
    @TempDir
    Path temp;

    private Path workspace;
    private Path cwd;
    private final Map<String, String> environment = new HashMap<>();
    private Function<Path, LoadResult> loader = TestWorkspaces::withProblems;
    private final List<Optional<Path>> launches = new ArrayList<>();
    private final List<Path> loaded = new ArrayList<>();

    record Outcome(int exitCode, String out, String err) {
    }

    @BeforeEach
    void createWorkspace() throws IOException {
        workspace = temp.resolve("ws");
        TestWorkspaces.create(workspace);
        cwd = workspace;
        environment.put("DISPLAY", ":0");
        Files.createDirectories(temp.resolve("elsewhere"));
    }

    private Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Function<Path, LoadResult> recording = root -> {
            loaded.add(root);
            return loader.apply(root);
        };
        CliContext context = new CliContext(cwd, environment, recording, launches::add);
        int exitCode = Cli.execute(context, new PrintWriter(out), new PrintWriter(err), args);
        return new Outcome(exitCode, out.toString(), err.toString());
    }

    @Nested
    class TopCommand {
        @Test
        void versionComesFromTheManifestOrIsDev() {
            Outcome outcome = run("--version");
            assertThat(outcome.exitCode()).isZero();
            // Tests run from classes, which have no manifest.
            assertThat(outcome.out()).startsWith("convergence dev\nJava ");
        }

        @Test
        void helpListsEveryCommandAndTheExitCodes() {
            Outcome outcome = run("--help");
            assertThat(outcome.exitCode()).isZero();
            assertThat(outcome.out()).contains("Usage: convergence", "--workspace=DIR", "--verbose",
                    "gui", "validate", "schema", "graph", "run", "runs", "locks", "doctor",
                    "Exit codes:", "70", "Internal error");
        }

        @Test
        void helpSubcommandShowsACommandsUsage() {
            Outcome outcome = run("help", "validate");
            assertThat(outcome.exitCode()).isZero();
            assertThat(outcome.out()).contains("Usage: convergence validate", "--format=text|json", "PATH");
        }

        @Test
        void unknownCommandIsAUsageErrorWithASuggestion() {
            Outcome outcome = run("validat");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("error: Unmatched argument", "Did you mean", "validate",
                    "Run 'convergence --help' for usage.");
            assertThat(outcome.out()).isEmpty();
        }

        @Test
        void badOptionValueIsAUsageError() {
            Outcome outcome = run("validate", "--format", "xml");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("--format", "xml", "Run 'convergence validate --help' for usage.");
            assertThat(loaded).isEmpty();
        }
    }

    @Nested
    class WorkspaceResolution {
        @Test
        void noWorkspaceAnywhereIsAClearErrorWithExitCode2() {
            cwd = temp.resolve("elsewhere");
            Outcome outcome = run("validate");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).startsWith("error CVG-1002: no workspace: there is no workspace.yml in " + cwd)
                    .contains("--workspace DIR", "CONVERGENCE_WORKSPACE")
                    .doesNotContain("\tat ");
        }

        @Test
        void workspaceOptionWorksBeforeAndAfterTheSubcommand() {
            cwd = temp.resolve("elsewhere");
            assertThat(run("--workspace", workspace.toString(), "validate").exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(run("validate", "-w", "../ws").exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(loaded).containsExactly(workspace, workspace);
        }

        @Test
        void workspaceOptionMayNameWorkspaceYml() {
            cwd = temp.resolve("elsewhere");
            run("validate", "--workspace", workspace.resolve("workspace.yml").toString());
            assertThat(loaded).containsExactly(workspace);
        }

        @Test
        void environmentVariableComesAfterTheOption() throws IOException {
            cwd = temp.resolve("elsewhere");
            environment.put("CONVERGENCE_WORKSPACE", workspace.toString());
            run("validate");
            Path other = temp.resolve("other");
            TestWorkspaces.create(other);
            run("validate", "--workspace", other.toString());
            assertThat(loaded).containsExactly(workspace, other);
        }

        @Test
        void nearestWorkspaceYmlUpwardComesLast() {
            cwd = workspace.resolve("tenants/acme/pipelines/daily_sales");
            run("validate");
            assertThat(loaded).containsExactly(workspace);
        }

        @Test
        void explicitFolderWithoutWorkspaceYmlIsAnError() {
            Outcome outcome = run("validate", "--workspace", temp.resolve("elsewhere").toString());
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("error CVG-1002", "(from --workspace) has no workspace.yml");

            environment.put("CONVERGENCE_WORKSPACE", temp.resolve("missing").toString());
            Outcome fromVariable = run("validate");
            assertThat(fromVariable.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(fromVariable.err()).contains("(from CONVERGENCE_WORKSPACE) is not a folder");
            assertThat(loaded).isEmpty();
        }
    }

    @Nested
    class Validate {
        @Test
        void textReportsOneProblemPerLineWithHintAndSummary() {
            Outcome outcome = run("validate");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(outcome.out()).isEqualTo("""
                    tenants/acme/pipelines/daily_sales/pipeline.yml:12:19: error CV203: step 'check_sales' depends on unknown step 'sales_by_dya'
                        hint: did you mean 'sales_by_day'?
                    tenants/acme/pipelines/daily_sales/sql/sales_by_day.sql:3:1: warning CV407: parameter 'region' is declared but never used
                    1 error, 1 warning in 7 files
                    """);
            assertThat(outcome.err()).isEmpty();
        }

        @Test
        void pathsAreRelativeToTheCurrentFolderWhenInsideIt() {
            cwd = temp;
            assertThat(run("validate", "-w", "ws").out())
                    .startsWith("ws/tenants/acme/pipelines/daily_sales/pipeline.yml:12:19: error CV203: ");
        }

        @Test
        void pathsAreRelativeToTheWorkspaceWhenOutsideTheCurrentFolder() {
            cwd = workspace.resolve("tenants/globex");
            assertThat(run("validate").out())
                    .startsWith("tenants/acme/pipelines/daily_sales/pipeline.yml:12:19: error CV203: ");
        }

        @Test
        void validWorkspaceExitsZero() {
            loader = TestWorkspaces::valid;
            Outcome outcome = run("validate");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.OK);
            assertThat(outcome.out()).isEqualTo("0 errors, 0 warnings in 6 files\n");
        }

        @Test
        void jsonIsStableForScripts() throws IOException {
            Outcome outcome = run("validate", "--format", "json");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FAILED);
            JsonNode json = new ObjectMapper().readTree(outcome.out());
            assertThat(json.fieldNames()).toIterable().containsExactly("valid", "errors", "warnings", "problems");
            assertThat(json.get("valid").asBoolean()).isFalse();
            assertThat(json.get("errors").asInt()).isEqualTo(1);
            assertThat(json.get("warnings").asInt()).isEqualTo(1);
            JsonNode first = json.get("problems").get(0);
            assertThat(first.fieldNames()).toIterable()
                    .containsExactly("code", "severity", "file", "line", "column", "message", "hint");
            assertThat(first.get("code").asText()).isEqualTo("CV203");
            assertThat(first.get("severity").asText()).isEqualTo("error");
            assertThat(first.get("file").asText()).isEqualTo("tenants/acme/pipelines/daily_sales/pipeline.yml");
            assertThat(first.get("line").asInt()).isEqualTo(12);
            assertThat(first.get("column").asInt()).isEqualTo(19);
            assertThat(first.get("hint").asText()).isEqualTo("did you mean 'sales_by_day'?");
            assertThat(json.get("problems").get(1).get("hint").asText()).isEmpty();
            assertThat(outcome.out()).startsWith("{\n  \"valid\": false,\n  \"errors\": 1,");
        }

        @Test
        void jsonOfAValidWorkspace() {
            loader = TestWorkspaces::valid;
            Outcome outcome = run("validate", "--format=JSON");
            assertThat(outcome.exitCode()).isZero();
            assertThat(outcome.out()).isEqualTo("""
                    {
                      "valid": true,
                      "errors": 0,
                      "warnings": 0,
                      "problems": [ ]
                    }
                    """);
        }

        @Test
        void pathArgumentsRestrictTheReport() throws IOException {
            Path sql = Files.createDirectories(workspace.resolve("tenants/acme/pipelines/daily_sales/sql"));
            Outcome outcome = run("validate", "tenants/acme/pipelines/daily_sales/sql");
            // Only the warning is in that folder, so the command succeeds.
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.OK);
            assertThat(outcome.out()).isEqualTo("""
                    tenants/acme/pipelines/daily_sales/sql/sales_by_day.sql:3:1: warning CV407: parameter 'region' is declared but never used
                    0 errors, 1 warning in 1 file
                    """);

            Outcome other = run("validate", "tenants/globex", sql.toString());
            assertThat(other.out()).endsWith("0 errors, 1 warning in 3 files\n");
        }

        @Test
        void aPathFindsItsOwnWorkspace() {
            cwd = temp.resolve("elsewhere");
            Outcome outcome = run("validate", "../ws/tenants/acme");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(loaded).containsExactly(workspace);
            // The workspace is outside the current folder, so paths are relative to the workspace.
            assertThat(outcome.out()).startsWith("tenants/acme/pipelines/daily_sales/pipeline.yml:12:19")
                    .endsWith("1 error, 1 warning in 4 files\n");
        }

        @Test
        void missingPathIsAUsageError() {
            Outcome outcome = run("validate", "tenants/nope");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).startsWith("error: no such file or folder, nor a pipeline TENANT/PIPELINE in the workspace: tenants/nope");
            assertThat(loaded).isEmpty();
        }

        @Test
        void aPipelineIsNamedAsRunNamesIt() {
            cwd = temp.resolve("elsewhere");
            Outcome outcome = run("validate", "-w", "../ws", "acme/daily_sales");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(outcome.out()).startsWith("tenants/acme/pipelines/daily_sales/pipeline.yml:12:19: error CV203: ")
                    .endsWith("1 error, 1 warning in 2 files\n");
            Outcome missing = run("validate", "-w", "../ws", "acme/nope");
            assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(missing.err()).contains("nor a pipeline TENANT/PIPELINE in the workspace: acme/nope");
        }

        @Test
        void pathOutsideTheWorkspaceIsAUsageError() throws IOException {
            Path other = temp.resolve("other");
            TestWorkspaces.create(other);
            Outcome outcome = run("validate", "--workspace", workspace.toString(), other.toString());
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("is outside the workspace " + workspace);
        }
    }

    @Nested
    class Graph {
        @Test
        void printsDotForTenantSlashPipeline() {
            Outcome outcome = run("graph", "acme/daily_sales");
            assertThat(outcome.exitCode()).isZero();
            assertThat(outcome.out()).startsWith("digraph \"daily_sales\" {")
                    .contains("\"load_orders\" -> \"sales_by_day\";", "\"sales_by_day\" -> \"check_sales\";");
        }

        @Test
        void acceptsAPathToPipelineYmlOrItsFolder() {
            cwd = workspace.resolve("tenants/acme");
            assertThat(run("graph", "pipelines/daily_sales/pipeline.yml").out()).startsWith("digraph \"daily_sales\"");
            cwd = temp.resolve("elsewhere");
            assertThat(run("graph", "../ws/tenants/acme/pipelines/hourly_clicks").out()).startsWith("digraph \"hourly_clicks\"");
        }

        @Test
        void writesToAFile() throws IOException {
            Outcome outcome = run("graph", "globex/inventory", "--format", "dot", "-o", "inventory.dot");
            assertThat(outcome.exitCode()).isZero();
            assertThat(outcome.out()).isEmpty();
            assertThat(Files.readString(workspace.resolve("inventory.dot"))).startsWith("digraph \"inventory\"");
        }

        @Test
        void unknownPipelineNamesTheKnownOnes() {
            Outcome outcome = run("graph", "acme/nightly");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).startsWith("error CVG-1003: no pipeline 'acme/nightly' in " + workspace)
                    .contains("pipelines: acme/daily_sales, acme/hourly_clicks, globex/inventory");
        }

        @Test
        void workspaceThatDidNotLoadIsAConfigurationError() {
            loader = root -> new LoadResult(Optional.empty(), TestWorkspaces.problems(root));
            Outcome outcome = run("graph", "acme/daily_sales");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("error CVG-1001", "could not be loaded", "convergence validate");
        }

        @Test
        void writesTheDesignersPictureAsSvg() throws IOException {
            Outcome outcome = run("graph", "acme/daily_sales", "--format", "svg", "-o", "dag.svg");
            assertThat(outcome.exitCode()).as(outcome.err()).isZero();
            assertThat(Files.readString(workspace.resolve("dag.svg"))).startsWith("<svg ")
                    .contains("data-id=\"load_orders\"", "data-from=\"sales_by_day\" data-to=\"check_sales\"");
            assertThat(run("graph", "acme/daily_sales", "--format", "svg").out()).startsWith("<svg ");
        }

        @Test
        void writesAPngThatIsAPicture() throws IOException {
            Outcome outcome = run("graph", "acme/daily_sales", "--format", "png", "--scale", "1", "-o", "dag.png");
            assertThat(outcome.exitCode()).as(outcome.err()).isZero();
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(workspace.resolve("dag.png").toFile());
            assertThat(image.getWidth()).isGreaterThan(300);
            assertThat(image.getHeight()).isGreaterThan(60);
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            for (int x = 0; x < image.getWidth(); x += 3) {
                for (int y = 0; y < image.getHeight(); y += 3) {
                    colours.add(image.getRGB(x, y));
                }
            }
            assertThat(colours).as("an actual drawing, not a blank image").hasSizeGreaterThan(10);
        }

        @Test
        void pngNeedsAnOutputFile() {
            Outcome outcome = run("graph", "acme/daily_sales", "--format", "png");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("add -o FILE");
        }
    }

    @Nested
    class Doctor {
        @Test
        void healthyWorkspacePrintsEveryCheckAndExits0() {
            loader = TestWorkspaces::valid;
            Outcome outcome = run("doctor");
            assertThat(outcome.exitCode()).as(outcome.out() + outcome.err()).isZero();
            assertThat(outcome.out()).contains("[ ok ] Java 17 or newer", "[ ok ] Workspace loads without errors",
                    "[ ok ] State store opens and is intact", "[ ok ] No expired locks",
                    "[ ok ] Target 'local' answers: DuckDB ").endsWith("healthy\n");
        }

        @Test
        void problemsFailWithAFixAndExit1() {
            Outcome outcome = run("doctor");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(outcome.out()).contains("[FAIL] Workspace loads without errors: 1 error(s); first: CV203",
                    "       fix: run 'convergence validate'").endsWith("1 check(s) failed\n");
        }

        @Test
        void unknownTargetFails() {
            loader = TestWorkspaces::valid;
            Outcome outcome = run("doctor", "--target", "nope");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(outcome.out()).contains("[FAIL] Target 'nope' answers: workspace.yml defines no target 'nope'; it defines: local");
        }
    }

    @Test
    void runRefusesAPipelineWithConfigurationErrorsAndShowsThem() {
        Outcome outcome = run("run", "acme/daily_sales");
        assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(outcome.err()).contains("error CV203", "did you mean 'sales_by_day'?",
                "error CVG-1001: acme/daily_sales has configuration errors");
        assertThat(outcome.out()).isEmpty();
    }

    @Test
    void schemaPrintsTheGeneratedJsonSchema() throws IOException {
        cwd = temp.resolve("elsewhere");
        Outcome pipeline = run("schema");
        assertThat(pipeline.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(pipeline.out());
        assertThat(json.get("$id").asText()).endsWith("/pipeline.schema.json");
        assertThat(json.get("properties").has("steps")).isTrue();

        Outcome tenant = run("schema", "--kind", "tenant");
        assertThat(new ObjectMapper().readTree(tenant.out()).get("$id").asText()).endsWith("/tenant.schema.json");
        assertThat(run("schema", "--kind", "nope").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(loaded).as("no workspace needed").isEmpty();
    }

    @Test
    void theirOptionsAreCheckedAlready() {
        assertThat(run("locks", "release", "acme", "daily_sales").err()).contains("Missing required option: '--reason=TEXT'");
        assertThat(run("runs", "--status", "bogus").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("run", "acme/daily_sales", "--from", "yesterday").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Nested
    class Errors {
        @Test
        void externalFailureExits5WithoutAStackTrace() {
            loader = root -> {
                throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "DuckDB file is locked by another process");
            };
            Outcome outcome = run("validate");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.EXTERNAL);
            assertThat(outcome.err()).isEqualTo("error CVG-4001: DuckDB file is locked by another process\n");
        }

        @Test
        void userErrorExits2AndHeldLockExits3() {
            loader = root -> {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "bad");
            };
            assertThat(run("validate").exitCode()).isEqualTo(ExitCodes.USAGE);
            loader = root -> {
                throw new ConvergenceException(ErrorCode.LOCK_HELD, "held by run r-1");
            };
            assertThat(run("validate").exitCode()).isEqualTo(ExitCodes.LOCK_HELD);
            loader = root -> {
                throw new ConvergenceException(ErrorCode.RUN_CANCELLED, "cancelled");
            };
            assertThat(run("validate").exitCode()).isEqualTo(ExitCodes.INTERRUPTED);
        }

        @Test
        void wrappedConvergenceExceptionIsStillRecognised() {
            loader = root -> {
                throw new IllegalStateException("wrapper", new ConvergenceException(ErrorCode.IO_ERROR, "disk full"));
            };
            Outcome outcome = run("validate");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.EXTERNAL);
            assertThat(outcome.err()).isEqualTo("error CVG-4004: disk full\n");
        }

        @Test
        void bugExits70AskingForAReport() {
            loader = root -> {
                throw new IllegalStateException("unexpected null step");
            };
            Outcome outcome = run("validate");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.INTERNAL);
            assertThat(outcome.err())
                    .startsWith("internal error CVG-9001: IllegalStateException: unexpected null step\n")
                    .contains("Please report it")
                    .doesNotContain("\tat ");
        }

        @Test
        void verbosePrintsTheStackTraceAndRaisesTheLogLevel() {
            ch.qos.logback.classic.Logger rootLogger =
                    (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            Level before = rootLogger.getLevel();
            try {
                rootLogger.setLevel(Level.WARN);
                loader = root -> {
                    throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "planner lost a step");
                };
                Outcome outcome = run("validate", "--verbose");
                assertThat(outcome.exitCode()).isEqualTo(ExitCodes.INTERNAL);
                assertThat(outcome.err()).startsWith("internal error CVG-9001: planner lost a step\n")
                        .contains("\tat ");
                assertThat(rootLogger.getLevel()).isEqualTo(Level.INFO);
            } finally {
                rootLogger.setLevel(before);
            }
        }
    }

    @Nested
    class Gui {
        @Test
        void noArgumentsOpenTheAppOnTheWorkspace() {
            cwd = workspace.resolve("tenants");
            assertThat(run().exitCode()).isZero();
            assertThat(run("gui").exitCode()).isZero();
            assertThat(run("--workspace", workspace.toString()).exitCode()).isZero();
            assertThat(launches).containsExactly(Optional.of(workspace), Optional.of(workspace), Optional.of(workspace));
            assertThat(loaded).as("the app loads the workspace itself, in the background").isEmpty();
        }

        @Test
        void noWorkspaceOpensTheEmptyApp() {
            cwd = temp.resolve("elsewhere");
            assertThat(run("gui").exitCode()).isZero();
            assertThat(launches).containsExactly(Optional.empty());
        }

        @Test
        void noDisplayIsAClearError() {
            assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"));
            environment.remove("DISPLAY");
            Outcome outcome = run("gui");
            assertThat(outcome.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(outcome.err()).contains("needs a display");
            assertThat(launches).isEmpty();
        }
    }
}
