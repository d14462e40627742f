package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of malformed workspaces in {@code src/test/resources/invalid/<case>/}: each case holds the files
 * that differ from the valid base workspace ({@code workspaces/base}), an optional {@code DELETE} list, and
 * {@code expected.txt} with every problem the case must produce, one {@code CODE path:line:col} per line.
 */
class InvalidWorkspacesTest {
    /**
     * Codes no corpus case can produce portably (unreadable files), that need hundreds of problems, or that need the
     * SQL analyzer missing or broken (SqlAnalysisValidationTest covers those).
     */
    private static final Set<ProblemCode> NOT_IN_CORPUS = EnumSet.of(ProblemCode.IO_ERROR, ProblemCode.TOO_MANY_PROBLEMS,
            ProblemCode.SQL_ANALYSIS_OFF, ProblemCode.SQL_ANALYZER_FAILED);

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(TestWorkspaces.resource("invalid"))) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRejectedWithTheExpectedProblemsAtTheirLocations(String name, @TempDir Path dir) throws IOException {
        Path caseDir = TestWorkspaces.resource("invalid/" + name);
        List<String> expected = expected(caseDir);
        Path root = TestWorkspaces.withCase(caseDir, dir.resolve("ws"));

        LoadResult result = WorkspaceLoader.load(root);

        List<String> actual = result.problems().stream().map(p -> describe(p, root)).toList();
        assertThat(actual).as("problems of case %s", name).containsExactlyInAnyOrderElementsOf(expected);
        boolean expectsError = expected.stream().anyMatch(e -> code(e).defaultSeverity() == Severity.ERROR);
        assertThat(result.hasErrors()).isEqualTo(expectsError);
        for (Problem problem : result.problems()) {
            assertThat(problem.message()).isNotBlank();
            assertThat(problem.severity()).isEqualTo(problem.code().defaultSeverity());
        }
        if (expectsError) {
            result.workspace().ifPresent(w -> w.pipelines().forEach(p -> {
                boolean pipelineHasError = result.problems().stream()
                        .anyMatch(pr -> pr.isError() && p.problems().contains(pr));
                assertThat(p.isValid()).isEqualTo(!pipelineHasError);
            }));
        }
    }

    @Test
    void corpusCoversEveryProblemCode() throws IOException {
        Set<ProblemCode> covered = EnumSet.noneOf(ProblemCode.class);
        for (String name : cases().toList()) {
            expected(TestWorkspaces.resource("invalid/" + name)).forEach(line -> covered.add(code(line)));
        }
        Set<ProblemCode> missing = EnumSet.complementOf(EnumSet.copyOf(covered));
        missing.removeAll(NOT_IN_CORPUS);
        assertThat(missing).isEmpty();
        assertThat(cases().count()).isGreaterThanOrEqualTo(32);
    }

    @Test
    void baseWorkspaceIsValid(@TempDir Path dir) {
        LoadResult result = WorkspaceLoader.load(TestWorkspaces.base(dir));
        assertThat(result.problems()).isEmpty();
    }

    private static List<String> expected(Path caseDir) throws IOException {
        return Files.readAllLines(caseDir.resolve("expected.txt")).stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private static ProblemCode code(String expectedLine) {
        int number = Integer.parseInt(expectedLine.substring(2, 5));
        return Stream.of(ProblemCode.values()).filter(c -> c.number() == number).findFirst().orElseThrow();
    }

    /** {@code CV203 tenants/acme/pipelines/sales/pipeline.yml:23:18}; the root itself is {@code .}. */
    private static String describe(Problem problem, Path root) {
        String where = problem.location().display(root);
        return problem.code().id() + " " + (where.isEmpty() ? "." : where.replace('\\', '/'));
    }
}
