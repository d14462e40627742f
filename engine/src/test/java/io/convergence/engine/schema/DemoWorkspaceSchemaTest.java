package io.convergence.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.convergence.engine.model.SchemaField;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The demo workspace in configs/ is valid against the generated schemas, and the schemas reject real mistakes. */
class DemoWorkspaceSchemaTest {
    private static final String SCHEMA_LINE = "# yaml-language-server: $schema=";

    static Stream<Path> demoYamlFiles() throws IOException {
        Path configs = SchemaTestSupport.repoRoot().resolve("configs");
        try (Stream<Path> files = Files.walk(configs)) {
            List<Path> yaml = files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
            return yaml.stream();
        }
    }

    /** The kind of a workspace file, from where it lives (the same layout the loader reads). */
    static Optional<SchemaKind> kindOf(Path file) {
        String name = file.getFileName().toString();
        String parent = file.getParent().getFileName().toString();
        if (name.equals("workspace.yml")) {
            return Optional.of(SchemaKind.WORKSPACE);
        }
        if (name.equals("tenant.yml")) {
            return Optional.of(SchemaKind.TENANT);
        }
        if (name.equals("pipeline.yml")) {
            return Optional.of(SchemaKind.PIPELINE);
        }
        if (parent.equals("checks")) {
            return Optional.of(SchemaKind.CHECKS);
        }
        return Optional.empty();
    }

    @Test
    void theDemoWorkspaceHasTheDocumentedShape() throws IOException {
        Path configs = SchemaTestSupport.repoRoot().resolve("configs");
        List<String> files = demoYamlFiles().map(p -> configs.relativize(p).toString().replace('\\', '/')).toList();
        assertThat(files).contains(
                "workspace.yml",
                "tenants/jaffle/tenant.yml",
                "tenants/acme/tenant.yml",
                "tenants/jaffle/pipelines/jaffle_shop/pipeline.yml",
                "tenants/jaffle/pipelines/jaffle_shop/checks/orders.yml",
                "tenants/acme/pipelines/daily_sales/pipeline.yml",
                "tenants/acme/pipelines/web_events/pipeline.yml");
    }

    @ParameterizedTest
    @MethodSource("demoYamlFiles")
    void everyDemoFileIsValidAgainstItsSchema(Path file) throws IOException {
        SchemaKind kind = kindOf(file).orElseThrow(() -> new AssertionError("no schema kind for " + file));
        assertThat(SchemaTestSupport.validate(kind, SchemaTestSupport.yaml(file))).as(file.toString()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("demoYamlFiles")
    void everyDemoFileNamesItsCommittedSchemaForTheEditor(Path file) throws IOException {
        SchemaKind kind = kindOf(file).orElseThrow();
        String firstLine = Files.readAllLines(file).get(0);
        assertThat(firstLine).startsWith(SCHEMA_LINE);
        Path schema = file.getParent().resolve(firstLine.substring(SCHEMA_LINE.length()).trim()).normalize();
        assertThat(schema).isEqualTo(SchemaTestSupport.repoRoot().resolve("docs/schema").resolve(kind.fileName()));
        assertThat(schema).isRegularFile();
    }

    /** Files the demo pipelines point at exist, and their BigQuery schema files use real types. */
    @ParameterizedTest
    @MethodSource("demoPipelines")
    void demoPipelineFilesExist(Path pipelineFile) throws IOException {
        JsonNode pipeline = SchemaTestSupport.yaml(pipelineFile);
        Path dir = pipelineFile.getParent();
        assertThat(pipeline.path("id").asText()).isEqualTo(dir.getFileName().toString());
        List<String> problems = new ArrayList<>();
        for (JsonNode step : pipeline.path("steps")) {
            switch (step.path("type").asText()) {
                case "ingest" -> {
                    Path schema = dir.resolve(step.path("schema").asText());
                    if (!Files.isRegularFile(schema)) {
                        problems.add("missing " + schema);
                    } else {
                        problems.addAll(bigQuerySchemaProblems(schema));
                    }
                    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + step.path("source").path("uri").asText());
                    try (Stream<Path> data = Files.walk(dir)) {
                        if (data.noneMatch(p -> glob.matches(dir.relativize(p)))) {
                            problems.add("no data file matches " + step.path("source").path("uri").asText());
                        }
                    }
                }
                case "transform" -> {
                    Path sql = dir.resolve(step.path("sql").asText());
                    if (!Files.isRegularFile(sql)) {
                        problems.add("missing " + sql);
                    } else if (!Files.readString(sql).contains("{{ ref('")) {
                        problems.add(sql + " reads no table through ref()");
                    }
                }
                case "quality" -> {
                    if (step.path("checks").isTextual() && !Files.isRegularFile(dir.resolve(step.path("checks").asText()))) {
                        problems.add("missing " + step.path("checks").asText());
                    }
                }
                default -> problems.add("unknown step type " + step.path("type"));
            }
        }
        assertThat(problems).isEmpty();
    }

    static Stream<Path> demoPipelines() throws IOException {
        return demoYamlFiles().filter(p -> p.getFileName().toString().equals("pipeline.yml"));
    }

    private static List<String> bigQuerySchemaProblems(Path file) throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode fields = SchemaTestSupport.MAPPER.readTree(file.toFile());
        if (!fields.isArray() || fields.isEmpty()) {
            return List.of(file + " is not a non-empty JSON array of fields");
        }
        for (JsonNode field : fields) {
            if (!SchemaField.TYPES.contains(field.path("type").asText())) {
                problems.add(file + ": type " + field.path("type"));
            }
            if (field.has("mode") && !SchemaField.MODES.contains(field.path("mode").asText())) {
                problems.add(file + ": mode " + field.path("mode"));
            }
        }
        return problems;
    }

    // --- The schema rejects mistakes, with messages that point at them.

    private static final String PIPELINE = """
            id: sales
            steps:
              - id: load
                type: ingest
                source: { uri: data/x.csv, format: csv }
                schema: schemas/x.json
                target: raw.x
              - id: build
                type: transform
                depends_on: [load]
                sql: sql/build.sql
                target: mart.x
            """;

    @Test
    void theBaselineOfTheNegativeCasesIsValid() {
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE, SchemaTestSupport.yaml(PIPELINE))).isEmpty();
    }

    @Test
    void anUnknownKeyIsRejectedWithinItsStepKindOnly() {
        List<String> errors = SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("sql: sql/build.sql", "sql: sql/build.sql\n    sqll: typo.sql")));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("$.steps[1]").contains("sqll");
    }

    @Test
    void aWrongEnumValueIsRejected() {
        List<String> errors = SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("target: mart.x", "target: mart.x\n    write: overwrite")));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("$.steps[1].write").contains("enum");
    }

    @Test
    void aMissingRequiredKeyIsRejected() {
        List<String> errors = SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("    sql: sql/build.sql\n", "")));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("$.steps[1]").contains("sql");
    }

    @Test
    void anUnknownStepTypeOrAMissingTypeIsRejected() {
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("type: transform", "type: transfrom"))))
                .singleElement().asString().contains("$.steps[1].type");
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("    type: transform\n", ""))))
                .singleElement().asString().contains("$.steps[1]").contains("type");
    }

    @Test
    void patternsDurationsAndSizesAreChecked() {
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("id: build", "id: Build-2"))))
                .singleElement().asString().contains("$.steps[1].id");
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(PIPELINE.replace("target: mart.x", "target: mart"))))
                .singleElement().asString().contains("$.steps[1].target");
        assertThat(SchemaTestSupport.validate(SchemaKind.WORKSPACE, SchemaTestSupport.yaml("""
                targets: { local: { type: duckdb } }
                locks: { lease: 2 minutes }
                """))).singleElement().asString().contains("$.locks.lease");
        assertThat(SchemaTestSupport.validate(SchemaKind.WORKSPACE, SchemaTestSupport.yaml("""
                targets:
                  prod: { type: bigquery, project: my-gcp-project, maximum_bytes_billed: 50 gigs }
                """))).isNotEmpty().allSatisfy(e -> assertThat(e).contains("$.targets.prod.maximum_bytes_billed"));
        assertThat(SchemaTestSupport.validate(SchemaKind.WORKSPACE, SchemaTestSupport.yaml("""
                targets:
                  prod: { type: bigquery, project: my-gcp-project, maximum_bytes_billed: 1099511627776 }
                """))).isEmpty();
    }

    @Test
    void targetKeysBelongToTheirKind() {
        // 'project' is a BigQuery key: on a DuckDB target it is unknown, and only the DuckDB branch reports.
        assertThat(SchemaTestSupport.validate(SchemaKind.WORKSPACE, SchemaTestSupport.yaml("""
                targets:
                  local: { type: duckdb, project: my-gcp-project }
                """))).singleElement().asString().contains("$.targets.local").contains("project");
        assertThat(SchemaTestSupport.validate(SchemaKind.WORKSPACE, SchemaTestSupport.yaml("targets: {}\nstate: {}\n")))
                .isEmpty();
        assertThat(SchemaTestSupport.validate(SchemaKind.WORKSPACE, SchemaTestSupport.yaml("state: {}\n")))
                .singleElement().asString().contains("targets");
    }

    @Test
    void samplesChecksAndParametersTakeTheirDocumentedShapes() {
        String quality = """
                id: q
                parameters:
                  run_date: { type: date, default: today }
                  min_amount: { type: float64, default: 0.5 }
                steps:
                  - id: check
                    type: quality
                    table: mart.x
                    sample: SAMPLE
                    checks: CHECKS
                """;
        String inline = "\n      - { type: range, column: amount, min: 0, max: 100.5 }"
                + "\n      - { type: accepted_values, column: code, values: [1, 2, x] }";
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(quality.replace("SAMPLE", "full").replace("CHECKS", "checks/x.yml")))).isEmpty();
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(quality.replace("SAMPLE", "500").replace("CHECKS", inline)))).isEmpty();
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(quality.replace("SAMPLE", "0").replace("CHECKS", "checks/x.yml"))))
                .isNotEmpty().allSatisfy(e -> assertThat(e).contains("$.steps[0].sample"));
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(quality.replace("SAMPLE", "all").replace("CHECKS", "checks/x.yml"))))
                .isNotEmpty().allSatisfy(e -> assertThat(e).contains("$.steps[0].sample"));
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(quality.replace("SAMPLE", "full").replace("CHECKS", "{ file: x.yml }"))))
                .isNotEmpty().allSatisfy(e -> assertThat(e).contains("$.steps[0].checks"));
        assertThat(SchemaTestSupport.validate(SchemaKind.PIPELINE,
                SchemaTestSupport.yaml(quality.replace("SAMPLE", "full").replace("CHECKS", "checks/x.yml")
                        .replace("min_amount:", "MinAmount:"))))
                .isNotEmpty().allSatisfy(e -> assertThat(e).contains("$.parameters"));
    }

    @Test
    void aChecksFileRejectsAnIncompleteCheck() {
        assertThat(SchemaTestSupport.validate(SchemaKind.CHECKS, SchemaTestSupport.yaml("""
                checks:
                  - { type: relationships, column: customer_id, to: mart.customers }
                  - { type: freshness, column: ts, max_age: 1d, severity: fatal }
                """))).containsExactly(
                        "$.checks[0]: required property 'field' not found",
                        "$.checks[1].severity: does not have a value in the enumeration [\"error\", \"warn\"]");
    }
}
