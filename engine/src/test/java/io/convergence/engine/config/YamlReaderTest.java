package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.nodes.MappingNode;

class YamlReaderTest {
    private static final Path FILE = Path.of("/ws/pipeline.yml");

    private static Problem onlyProblem(YamlReader.Document document) {
        assertThat(document.root()).isEmpty();
        assertThat(document.problems()).hasSize(1);
        return document.problems().get(0);
    }

    @Test
    void readsAMappingWithMarks() {
        YamlReader.Document document = YamlReader.parse("id: x\nsteps: []\n", FILE);
        assertThat(document.problems()).isEmpty();
        assertThat(document.root()).get().isInstanceOf(MappingNode.class);
    }

    @Test
    void syntaxErrorsAreLocatedOneBased() {
        Problem problem = onlyProblem(YamlReader.parse("id: x\nsteps:\n  - id: a\n   type: [b\n", FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.YAML_SYNTAX);
        assertThat(problem.location().line()).isEqualTo(4);
        assertThat(problem.location().column()).isEqualTo(4);
    }

    @Test
    void tabsAreASyntaxErrorWithAHint() {
        Problem problem = onlyProblem(YamlReader.parse("id: x\nsteps:\n\t- id: a\n", FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.YAML_SYNTAX);
        assertThat(problem.location().line()).isEqualTo(3);
    }

    @Test
    void emptyAndCommentOnlyFilesAreReported() {
        assertThat(onlyProblem(YamlReader.parse("", FILE)).code()).isEqualTo(ProblemCode.EMPTY_FILE);
        assertThat(onlyProblem(YamlReader.parse("# only a comment\n\n", FILE)).code()).isEqualTo(ProblemCode.EMPTY_FILE);
        assertThat(onlyProblem(YamlReader.parse("---\n~\n", FILE)).code()).isEqualTo(ProblemCode.EMPTY_FILE);
    }

    @Test
    void severalDocumentsAreRefusedAtTheSecond() {
        Problem problem = onlyProblem(YamlReader.parse("id: a\n---\nid: b\n", FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.YAML_SYNTAX);
        assertThat(problem.message()).contains("more than one YAML document");
        assertThat(problem.location().line()).isEqualTo(2);
    }

    @Test
    void anExplicitSingleDocumentIsFine() {
        assertThat(YamlReader.parse("---\nid: a\n...\n", FILE).problems()).isEmpty();
    }

    @Test
    void aByteOrderMarkIsAccepted() {
        byte[] bytes = "\uFEFFid: a\n".getBytes(StandardCharsets.UTF_8);
        assertThat(YamlReader.parse(bytes, FILE).problems()).isEmpty();
    }

    @Test
    void invalidUtf8IsLocated() {
        byte[] bytes = {'i', 'd', ':', ' ', 'a', '\n', 'x', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'};
        Problem problem = onlyProblem(YamlReader.parse(bytes, FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.YAML_SYNTAX);
        assertThat(problem.message()).contains("UTF-8");
        assertThat(problem.location().line()).isEqualTo(2);
        assertThat(problem.location().column()).isEqualTo(4);
    }

    @Test
    void controlCharactersAreASyntaxError() {
        Problem problem = onlyProblem(YamlReader.parse("id: a\nx: b\u0007c\n", FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.YAML_SYNTAX);
        assertThat(problem.location().line()).isEqualTo(2);
    }

    @Test
    void controlCharactersFarIntoTheFileAreLocated() {
        String yaml = "description: " + "é".repeat(3000) + "\n".repeat(99) + "x: a\u0000b\n";
        Problem problem = onlyProblem(YamlReader.parse(yaml, FILE));
        assertThat(problem.location().line()).isEqualTo(100);
        assertThat(problem.location().column()).isEqualTo(5);
    }

    @Test
    void billionLaughsIsRefusedWithoutExpanding() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 9; level++) {
            String previous = "*a" + (level - 1);
            yaml.append("a").append(level).append(": &a").append(level).append(" [")
                    .append(IntStream.range(0, 9).mapToObj(i -> previous).collect(Collectors.joining(", "))).append("]\n");
        }
        Problem problem = onlyProblem(YamlReader.parse(yaml.toString(), FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
        assertThat(problem.location().line()).isGreaterThan(1);
    }

    @Test
    void fewAliasesToAHugeListAreRefusedByTheExpansionCount() {
        String big = IntStream.range(0, 30_000).mapToObj(i -> "x").collect(Collectors.joining(", ", "big: &big [", "]\n"));
        String uses = IntStream.range(0, 40).mapToObj(i -> "*big").collect(Collectors.joining(", ", "uses: [", "]\n"));
        Problem problem = onlyProblem(YamlReader.parse(big + uses, FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
        assertThat(problem.message()).contains("expands to more than");
        assertThat(problem.location().line()).isEqualTo(1);
    }

    @Test
    void aRecursiveAliasIsRefused() {
        Problem problem = onlyProblem(YamlReader.parse("a: &a [x, *a]\n", FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
        assertThat(problem.message()).contains("refers to itself");
    }

    @Test
    void deepNestingIsRefusedBeforeTheStackOverflows() {
        String deep = "[".repeat(50_000) + "]".repeat(50_000);
        Problem problem = onlyProblem(YamlReader.parse(deep, FILE));
        assertThat(problem.code()).isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
        assertThat(problem.message()).contains("nested");
    }

    @Test
    void aHugeDocumentIsRefusedBeforeParsing(@TempDir Path dir) throws IOException {
        String line = "description: " + "x".repeat(100) + "\n";
        String huge = line.repeat(YamlReader.MAX_DOCUMENT_BYTES / line.length() + 10);
        assertThat(onlyProblem(YamlReader.parse(huge, FILE)).code()).isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
        assertThat(onlyProblem(YamlReader.parse(huge.getBytes(StandardCharsets.UTF_8), FILE)).code())
                .isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
        Path file = dir.resolve("pipeline.yml");
        Files.writeString(file, huge);
        assertThat(onlyProblem(YamlReader.read(file)).code()).isEqualTo(ProblemCode.DOCUMENT_TOO_LARGE);
    }

    @Test
    void aMissingFileIsReported(@TempDir Path dir) {
        Problem problem = onlyProblem(YamlReader.read(dir.resolve("nope.yml")));
        assertThat(problem.code()).isEqualTo(ProblemCode.FILE_NOT_FOUND);
    }
}
