package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.ChecksFile;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Quotas;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.StateSettings;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.model.meta.Default;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelBinderTest {
    private static final Path FILE = Path.of("/ws/x.yml");

    private static <T> ModelBinder.Bound<T> bind(String yaml, Class<T> type) {
        YamlReader.Document document = YamlReader.parse(yaml, FILE);
        assertThat(document.problems()).as("YAML of the test itself").isEmpty();
        return ModelBinder.bind(document, type);
    }

    private static Problem only(ModelBinder.Bound<?> bound, ProblemCode code) {
        assertThat(bound.problems()).extracting(Problem::code).containsExactly(code);
        return bound.problems().get(0);
    }

    private static final String STEPS = """
            steps:
              - id: t
                type: transform
                sql: a.sql
                target: mart.t
            """;

    @Test
    void bindsAPipelineWithDefaultsApplied() {
        ModelBinder.Bound<Pipeline> bound = bind("id: p\n" + STEPS, Pipeline.class);
        assertThat(bound.problems()).isEmpty();
        Pipeline pipeline = bound.value().orElseThrow();
        assertThat(pipeline.maxParallel()).isEqualTo(4);
        TransformStep step = (TransformStep) pipeline.steps().get(0);
        assertThat(step.write()).isEqualTo(WriteMode.REPLACE);
        assertThat(step.dependsOn()).isEmpty();
        assertThat(pipeline.partitions()).isNull();
        assertThat(bound.sourceMap().locate("/steps/0/sql")).isEqualTo(new SourceLocation(FILE, 5, 10));
        assertThat(bound.sourceMap().locate("/steps/0")).isEqualTo(new SourceLocation(FILE, 3, 5));
        assertThat(bound.sourceMap().locate("/steps/0/type")).isEqualTo(new SourceLocation(FILE, 4, 11));
    }

    @Test
    void workspaceDefaultsComeFromTheAnnotations() {
        WorkspaceConfig config = bind("targets: { local: { type: duckdb } }\n", WorkspaceConfig.class).value().orElseThrow();
        assertThat(config.defaultTarget()).isEqualTo("local");
        assertThat(config.state()).isEqualTo(new StateSettings(".convergence/state.db"));
        assertThat(config.locks()).isEqualTo(new LockSettings(Duration.ofMinutes(2), Duration.ofSeconds(20), 3,
                Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(config.targets().get("local")).isEqualTo(new DuckDbTarget(".convergence/warehouse.duckdb", 0, null));
    }

    @Test
    void everyDefaultInTheModelBinds() {
        List<Class<?>> records = List.of(WorkspaceConfig.class, DuckDbTarget.class, BigQueryTarget.class, StateSettings.class,
                LockSettings.class, TenantConfig.class, Quotas.class, Pipeline.class, IngestStep.class, TransformStep.class,
                QualityStep.class, io.convergence.engine.model.Source.class, io.convergence.engine.model.BadRows.class,
                io.convergence.engine.model.Parameter.class, io.convergence.engine.model.Partitioning.class,
                io.convergence.engine.model.PartitionBy.class, ChecksFile.class, Check.NotNull.class, Check.Unique.class,
                Check.AcceptedValues.class, Check.Range.class, Check.RowCount.class, Check.Freshness.class,
                Check.Relationships.class, Check.Expression.class);
        for (Class<?> type : records) {
            for (RecordComponent component : type.getRecordComponents()) {
                if (component.isAnnotationPresent(Default.class)) {
                    assertThat(ModelBinder.defaultValue(component)).as(type.getSimpleName() + "." + component.getName()).isNotNull();
                }
            }
        }
    }

    @Test
    void unknownKeysGetADidYouMean() {
        Problem problem = only(bind("id: p\nmax_paralel: 2\n" + STEPS, Pipeline.class), ProblemCode.UNKNOWN_KEY);
        assertThat(problem.hint()).isEqualTo("did you mean 'max_parallel'?");
        assertThat(problem.location()).isEqualTo(new SourceLocation(FILE, 2, 1));
    }

    @Test
    void unknownKeysWithoutACloseMatchListTheAllowedOnes() {
        Problem problem = only(bind("id: p\nzzz: 2\n" + STEPS, Pipeline.class), ProblemCode.UNKNOWN_KEY);
        assertThat(problem.hint()).startsWith("allowed keys: id, description, parameters");
    }

    @Test
    void missingRequiredKeysDropTheRecordButNotTheRest() {
        ModelBinder.Bound<Pipeline> bound = bind("""
                id: p
                steps:
                  - id: a
                    type: transform
                    target: mart.a
                  - id: b
                    type: transform
                    sql: b.sql
                    target: mart.b
                """, Pipeline.class);
        Problem problem = only(bound, ProblemCode.MISSING_KEY);
        assertThat(problem.message()).isEqualTo("missing required key 'sql' in transform step 'a'");
        assertThat(problem.location()).isEqualTo(new SourceLocation(FILE, 3, 5));
        assertThat(bound.value().orElseThrow().steps()).extracting(s -> s.id()).containsExactly("b");
        // pointers follow the bound model: step b is /steps/0, written on line 6
        assertThat(bound.sourceMap().locate("/steps/0/id")).isEqualTo(new SourceLocation(FILE, 6, 9));
    }

    @Test
    void aRecordWithoutItsRequiredKeyIsAbsent() {
        ModelBinder.Bound<Pipeline> bound = bind("description: no id\n" + STEPS, Pipeline.class);
        assertThat(only(bound, ProblemCode.MISSING_KEY).location()).isEqualTo(new SourceLocation(FILE, 1, 1));
        assertThat(bound.value()).isEmpty();
    }

    @Test
    void wrongTypesAreReportedAndTheDefaultKept() {
        ModelBinder.Bound<Pipeline> bound = bind("id: p\nmax_parallel: abc\n" + STEPS, Pipeline.class);
        Problem problem = only(bound, ProblemCode.WRONG_TYPE);
        assertThat(problem.message()).isEqualTo("'max_parallel' must be an integer, found the text 'abc'");
        assertThat(bound.value().orElseThrow().maxParallel()).isEqualTo(4);
    }

    @Test
    void aListWhereAMappingBelongsIsAWrongType() {
        Problem problem = only(bind("targets: [a, b]\n", WorkspaceConfig.class), ProblemCode.WRONG_TYPE);
        assertThat(problem.message()).contains("'targets' must be a mapping");
    }

    @Test
    void quotedNumbersAreNotNumbers() {
        only(bind("id: p\nmax_parallel: '4'\n" + STEPS, Pipeline.class), ProblemCode.WRONG_TYPE);
    }

    @Test
    void integersOutOfRangeAndBelowTheMinimumAreReported() {
        only(bind("id: p\nmax_parallel: 99999999999\n" + STEPS, Pipeline.class), ProblemCode.INVALID_VALUE);
        Problem below = only(bind("id: p\nmax_parallel: 0\n" + STEPS, Pipeline.class), ProblemCode.INVALID_VALUE);
        assertThat(below.message()).isEqualTo("'max_parallel' must be at least 1, found 0");
    }

    @Test
    void yamlOneOneBooleansAreRefused() {
        Problem problem = only(bind("uri: a.csv\nformat: csv\nheader: no\n", io.convergence.engine.model.Source.class), ProblemCode.WRONG_TYPE);
        assertThat(problem.hint()).contains("only true and false");
        assertThat(bind("uri: a.csv\nformat: csv\nheader: false\n", io.convergence.engine.model.Source.class).value().orElseThrow().header()).isFalse();
    }

    @Test
    void enumsListTheirLowerCaseValues() {
        Problem problem = only(bind("uri: a.csv\nformat: CSV\n", io.convergence.engine.model.Source.class), ProblemCode.INVALID_ENUM);
        assertThat(problem.message()).isEqualTo("'format' must be one of csv, ndjson, parquet; found 'CSV'");
        assertThat(problem.hint()).isEqualTo("did you mean 'csv'?");
        assertThat(bind("uri: a.csv\nformat: parquet\n", io.convergence.engine.model.Source.class).value().orElseThrow().format())
                .isEqualTo(FileFormat.PARQUET);
    }

    @Test
    void patternsApplyToListElements() {
        ModelBinder.Bound<Check.Unique> bound = bind("columns: [ok, 'not ok']\n", Check.Unique.class);
        Problem problem = only(bound, ProblemCode.PATTERN_MISMATCH);
        assertThat(problem.location()).isEqualTo(new SourceLocation(FILE, 1, 15));
        assertThat(problem.pointer()).isEqualTo("/columns/1");
    }

    @Test
    void idPatternsReportInvalidId() {
        ModelBinder.Bound<TransformStep> bound = bind("id: Bad-Id\nsql: a.sql\ntarget: a.b\ndepends_on: [x, Y]\n", TransformStep.class);
        assertThat(bound.problems()).extracting(Problem::code).containsExactly(ProblemCode.INVALID_ID, ProblemCode.INVALID_ID);
        assertThat(bound.value()).isPresent();
    }

    @Test
    void durationsNeedAUnit() {
        assertThat(bind("lease: 90s\n", LockSettings.class).value().orElseThrow().lease()).isEqualTo(Duration.ofSeconds(90));
        Problem problem = only(bind("lease: 90\n", LockSettings.class), ProblemCode.WRONG_TYPE);
        assertThat(problem.hint()).contains("90s");
        only(bind("lease: soon\n", LockSettings.class), ProblemCode.WRONG_TYPE);
    }

    @Test
    void dataSizesAreTextOrBytes() {
        assertThat(bind("project: my-project\nmaximum_bytes_billed: 50GB\n", BigQueryTarget.class).value().orElseThrow()
                .maximumBytesBilled()).isEqualTo(new DataSize(50_000_000_000L));
        assertThat(bind("project: my-project\nmaximum_bytes_billed: 1024\n", BigQueryTarget.class).value().orElseThrow()
                .maximumBytesBilled()).isEqualTo(new DataSize(1024));
        only(bind("project: my-project\nmaximum_bytes_billed: lots\n", BigQueryTarget.class), ProblemCode.WRONG_TYPE);
    }

    @Test
    void samplesAreARowCountOrFull() {
        String step = "id: q\ntable: a.b\nchecks: c.yml\nsample: ";
        assertThat(bind(step + "500\n", QualityStep.class).value().orElseThrow().sample()).isEqualTo(Sample.ofRows(500));
        assertThat(bind(step + "full\n", QualityStep.class).value().orElseThrow().sample()).isEqualTo(Sample.FULL);
        assertThat(bind("id: q\ntable: a.b\nchecks: c.yml\n", QualityStep.class).value().orElseThrow().sample()).isEqualTo(Sample.FULL);
        only(bind(step + "0\n", QualityStep.class), ProblemCode.INVALID_VALUE);
        only(bind(step + "half\n", QualityStep.class), ProblemCode.WRONG_TYPE);
    }

    @Test
    void checksAreAFileOrAnInlineList() {
        QualityStep file = bind("id: q\ntable: a.b\nchecks: checks/c.yml\n", QualityStep.class).value().orElseThrow();
        assertThat(file.checks()).isEqualTo(new ChecksSpec.File("checks/c.yml"));
        QualityStep inline = bind("""
                id: q
                table: a.b
                checks:
                  - { type: not_null, column: a }
                  - { type: freshness, column: ts, max_age: 1d, severity: warn }
                """, QualityStep.class).value().orElseThrow();
        assertThat(((ChecksSpec.Inline) inline.checks()).checks()).containsExactly(
                new Check.NotNull(null, io.convergence.engine.model.CheckSeverity.ERROR, "a"),
                new Check.Freshness(null, io.convergence.engine.model.CheckSeverity.WARN, "ts", Duration.ofDays(1)));
        only(bind("id: q\ntable: a.b\nchecks: { a: b }\n", QualityStep.class), ProblemCode.WRONG_TYPE);
    }

    @Test
    void polymorphicTypesNeedAKnownType() {
        Problem missing = only(bind("id: p\nsteps:\n  - id: a\n    sql: a.sql\n", Pipeline.class), ProblemCode.MISSING_KEY);
        assertThat(missing.hint()).contains("ingest, transform, quality");
        Problem unknown = only(bind("id: p\nsteps:\n  - id: a\n    type: transfrom\n", Pipeline.class), ProblemCode.INVALID_ENUM);
        assertThat(unknown.hint()).isEqualTo("did you mean 'transform'?");
        assertThat(unknown.location()).isEqualTo(new SourceLocation(FILE, 4, 11));
    }

    @Test
    void keysOfAnotherStepTypeAreUnknown() {
        Problem problem = only(bind("id: p\nsteps:\n  - id: a\n    type: transform\n    sql: a.sql\n    target: a.b\n    table: x.y\n",
                Pipeline.class), ProblemCode.UNKNOWN_KEY);
        assertThat(problem.message()).isEqualTo("unknown key 'table' in transform step 'a'");
    }

    @Test
    void duplicateKeysNameBothPlaces() {
        ModelBinder.Bound<Pipeline> bound = bind("id: p\nmax_parallel: 2\nmax_parallel: 3\n" + STEPS, Pipeline.class);
        Problem problem = only(bound, ProblemCode.DUPLICATE_KEY);
        assertThat(problem.location()).isEqualTo(new SourceLocation(FILE, 3, 1));
        assertThat(problem.message()).contains("first at line 2");
        assertThat(bound.value().orElseThrow().maxParallel()).isEqualTo(2);
    }

    @Test
    void nullValuesCountAsAbsent() {
        ModelBinder.Bound<Pipeline> bound = bind("id: p\ndescription:\ntimeout: ~\n" + STEPS, Pipeline.class);
        assertThat(bound.problems()).isEmpty();
        assertThat(bound.value().orElseThrow().description()).isNull();
        Problem problem = only(bind("id:\n" + STEPS, Pipeline.class), ProblemCode.MISSING_KEY);
        assertThat(problem.message()).isEqualTo("'id' has no value");
    }

    @Test
    void mapsKeepTheirOrderAndReportEmptyValues() {
        ModelBinder.Bound<Pipeline> bound = bind("id: p\nparameters:\n  b: {type: date}\n  a: {type: string}\n  c:\n" + STEPS, Pipeline.class);
        assertThat(only(bound, ProblemCode.WRONG_TYPE).message()).isEqualTo("'parameters.c' has no value");
        assertThat(bound.value().orElseThrow().parameters().keySet()).containsExactly("b", "a");
    }

    @Test
    void nullableNumbersStayNull() {
        Quotas quotas = bind("burst: 5\nbytes_per_day: 1TB\n", Quotas.class).value().orElseThrow();
        assertThat(quotas.burst()).isEqualTo(5);
        assertThat(quotas.queriesPerMinute()).isNull();
        assertThat(quotas.bytesPerDay()).isEqualTo(new DataSize(1_000_000_000_000L));
    }

    @Test
    void aliasesAreFollowed() {
        ModelBinder.Bound<Pipeline> bound = bind("""
                id: p
                steps:
                  - &t { id: a, type: transform, sql: a.sql, target: mart.a }
                  - { id: b, type: transform, sql: b.sql, target: mart.b, depends_on: [a] }
                """, Pipeline.class);
        assertThat(bound.problems()).isEmpty();
        assertThat(bound.value().orElseThrow().steps()).hasSize(2);
    }

    @Test
    void problemsPerFileAreCapped() {
        StringBuilder yaml = new StringBuilder("id: p\nsteps:\n");
        for (int i = 0; i < 300; i++) {
            yaml.append("  - { id: s").append(i).append(", type: transform, sql: a.sql, target: a.b, bogus: 1 }\n");
        }
        ModelBinder.Bound<Pipeline> bound = bind(yaml.toString(), Pipeline.class);
        assertThat(bound.problems()).hasSize(ModelBinder.MAX_PROBLEMS + 1);
        assertThat(bound.problems().get(ModelBinder.MAX_PROBLEMS).code()).isEqualTo(ProblemCode.TOO_MANY_PROBLEMS);
        assertThat(bound.problems().get(ModelBinder.MAX_PROBLEMS).message()).startsWith("100 more problems");
    }

    @Test
    void aDocumentThatIsNotAMappingIsAWrongType() {
        Problem problem = only(bind("- a\n- b\n", Pipeline.class), ProblemCode.WRONG_TYPE);
        assertThat(problem.message()).isEqualTo("the document must be a mapping (key: value), found a list");
    }

    @Test
    void negativeDataSizesAreRefused() {
        only(bind("project: my-project\nmaximum_bytes_billed: -5\n", BigQueryTarget.class), ProblemCode.WRONG_TYPE);
    }
}
