package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.model.BadRows;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.CheckSeverity;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Partitioning;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.StateSettings;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.model.WriteMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PipelineWriterTest {
    private static final Path FILE = Path.of("/ws/pipeline.yml");

    private static ModelBinder.Bound<Pipeline> load(String yaml) {
        return ModelBinder.bind(YamlReader.parse(yaml, FILE), Pipeline.class);
    }

    @Test
    void writesTheGoldenText() throws IOException {
        Path source = TestWorkspaces.resource("workspaces/base/" + TestWorkspaces.PIPELINE);
        Pipeline pipeline = ModelBinder.read(source, Pipeline.class).value().orElseThrow();
        String golden = Files.readString(TestWorkspaces.resource("writer/sales.yml"));

        assertThat(PipelineWriter.write(pipeline)).isEqualTo(golden);
        assertThat(load(golden).value()).contains(pipeline);
        assertThat(PipelineWriter.write(load(golden).value().orElseThrow())).isEqualTo(golden);
    }

    @Test
    void leavesOutDefaultsAndEmptyCollections() {
        Step ingest = new IngestStep("load", null, List.of(), 0, null, new Source("data/a.csv", FileFormat.CSV, true, ",", 0),
                "schema.json", "raw.a", WriteMode.APPEND, null);
        Step quality = new QualityStep("check", null, List.of("load"), 0, null, "raw.a",
                new ChecksSpec.Inline(List.of(new Check.NotNull(null, CheckSeverity.ERROR, "id"))), Sample.FULL, OnFailure.FAIL);
        Pipeline pipeline = new Pipeline("p", null, Map.of(), null, 4, null, List.of(ingest, quality));

        assertThat(PipelineWriter.write(pipeline)).isEqualTo("""
                id: p
                steps:
                  - id: load
                    type: ingest
                    source:
                      uri: data/a.csv
                      format: csv
                    schema: schema.json
                    target: raw.a
                  - id: check
                    type: quality
                    depends_on: [load]
                    table: raw.a
                    checks:
                      - type: not_null
                        column: id
                """);
    }

    @Test
    void writesValuesInTheirYamlSpelling() {
        Step transform = new TransformStep("t", "yes", List.of(), 2, Duration.ofMinutes(90), "t.sql", "mart.t",
                WriteMode.REPLACE_PARTITIONS, new PartitionBy("d", PartitionGrain.MONTH), List.of("a", "b"));
        Step quality = new QualityStep("q", null, List.of("t"), 0, Duration.ofMillis(1500), "mart.t", new ChecksSpec.File("c.yml"),
                Sample.ofRows(100), OnFailure.WARN);
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        parameters.put("run_date", new Parameter(ParameterType.DATE, "2024-01-31", "Day to load"));
        parameters.put("limit", new Parameter(ParameterType.INT64, "10", null));
        Pipeline pipeline = new Pipeline("p", "line one\nline two: with # marks\n", parameters,
                new Partitioning(PartitionGrain.DAY, 0), 8, Duration.ofHours(2), List.of(transform, quality));

        String yaml = PipelineWriter.write(pipeline);

        assertThat(yaml).isEqualTo("""
                id: p
                description: |
                  line one
                  line two: with # marks
                parameters:
                  run_date:
                    type: date
                    default: 2024-01-31
                    description: Day to load
                  limit:
                    type: int64
                    default: '10'
                partitions: {}
                max_parallel: 8
                timeout: 2h
                steps:
                  - id: t
                    type: transform
                    description: yes
                    retries: 2
                    timeout: 90m
                    sql: t.sql
                    target: mart.t
                    write: replace_partitions
                    partition_by:
                      field: d
                      type: month
                    cluster_by: [a, b]
                  - id: q
                    type: quality
                    depends_on: [t]
                    timeout: 1500ms
                    table: mart.t
                    checks: c.yml
                    sample: 100
                    on_failure: warn
                """);
        assertThat(load(yaml).value()).contains(pipeline);
        assertThat(load(yaml).problems()).isEmpty();
    }

    @Test
    void sortsUnorderedMapsForStableOutput() {
        Map<String, Target> targets = Map.of("zeta", new DuckDbTarget("z.duckdb", 0, null), "alpha", new DuckDbTarget("a.duckdb", 2, "2GB"));
        WorkspaceConfig config = new WorkspaceConfig("alpha", targets, new StateSettings(".convergence/state.db"),
                new LockSettings(Duration.ofMinutes(5), Duration.ofSeconds(20), 3, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(PipelineWriter.toYaml(config)).isEqualTo("""
                default_target: alpha
                targets:
                  alpha:
                    type: duckdb
                    path: a.duckdb
                    threads: 2
                    memory_limit: 2GB
                  zeta:
                    type: duckdb
                    path: z.duckdb
                locks:
                  lease: 5m
                """);
    }

    @Test
    void writesSizesExactly() {
        assertThat(PipelineWriter.formatSize(50_000_000_000L)).isEqualTo("50GB");
        assertThat(PipelineWriter.formatSize(10L << 20)).isEqualTo("10MiB");
        assertThat(PipelineWriter.formatSize(1234)).isEqualTo(1234L);
        assertThat(PipelineWriter.formatSize(0)).isEqualTo(0L);
        long huge = 9_007_199_254_740_993L * 1000;
        Object written = PipelineWriter.formatSize(huge);
        assertThat(written instanceof Long ? (long) (Long) written : DataSize.parse((String) written).bytes()).isEqualTo(huge);
    }

    /** Found by the property below: the emitter's literal block for whitespace-only lines does not read back. */
    @net.jqwik.api.Example
    void textWithWhitespaceOnlyLinesReadsBack() {
        for (String description : List.of("\n      \n", "  lead\nnext", "a\n \nb", "two\nlines\n")) {
            Pipeline pipeline = new Pipeline("p", description, Map.of(), null, 4, null, List.of(new TransformStep(
                    "t", null, List.of(), 0, null, "sql/t.sql", "mart.t", WriteMode.REPLACE, null, List.of())));
            String yaml = PipelineWriter.write(pipeline);
            assertThat(load(yaml).problems()).as(yaml).isEmpty();
            assertThat(load(yaml).value()).as(yaml).contains(pipeline);
        }
        // found by the property again: a checks file path goes through the same quoting
        Pipeline checks = new Pipeline("a", null, Map.of(), null, 1, null, List.of(new QualityStep("a", null, List.of(), 0, null, "a.a",
                new ChecksSpec.File("\n\n"), Sample.ofRows(100), OnFailure.FAIL)));
        String yaml = PipelineWriter.write(checks);
        assertThat(load(yaml).problems()).as(yaml).isEmpty();
        assertThat(load(yaml).value()).as(yaml).contains(checks);
    }

    @Property(tries = 200)
    void loadingWhatWasWrittenGivesTheSameModel(@ForAll("pipelines") Pipeline pipeline) {
        String yaml = PipelineWriter.write(pipeline);
        ModelBinder.Bound<Pipeline> bound = load(yaml);
        assertThat(bound.problems()).as(yaml).isEmpty();
        assertThat(bound.value()).as(yaml).contains(pipeline);
        assertThat(yaml).doesNotContain("&id");
        assertThat(PipelineWriter.write(bound.value().orElseThrow())).isEqualTo(yaml);
    }

    // ------------------------------------------------------------------ generators

    private static Arbitrary<String> ids() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars('_', '0', '7').ofMinLength(1).ofMaxLength(10)
                .filter(s -> Character.isLetter(s.charAt(0)));
    }

    private static Arbitrary<String> tables() {
        return Combinators.combine(ids(), ids()).as((a, b) -> a + "." + b);
    }

    /** Free text, with the characters YAML treats specially. */
    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30),
                Arbitraries.strings().withChars("ab :#-'\"{}[]&*!|>%@`,?\n\r\t\\é漢\u0007\u0000\u00a0\u2028\ufeff").ofMaxLength(20),
                Arbitraries.of("true", "false", "null", "~", "yes", "no", "123", "0x1F", "1.5", ".inf", "2024-01-01", "", " lead",
                        "trail ", "- item", "key: value", "#comment", "@param", "*alias", "&anchor", "!tag", "%", "'q'", "\"dq\""));
    }

    private static <T> Arbitrary<T> maybe(Arbitrary<T> arbitrary) {
        return arbitrary.injectNull(0.4);
    }

    private static Arbitrary<Duration> durations() {
        return Arbitraries.longs().between(0, 10_000_000).map(Duration::ofMillis)
                .map(d -> d.toMillis() % 3 == 0 ? Duration.ofSeconds(d.toMillis()) : d);
    }

    private static Arbitrary<Check> checks() {
        Arbitrary<CheckSeverity> severity = Arbitraries.of(CheckSeverity.class);
        Arbitrary<String> name = maybe(text());
        return Arbitraries.oneOf(
                Combinators.combine(name, severity, ids()).as(Check.NotNull::new),
                Combinators.combine(name, severity, ids().list().ofMinSize(1).ofMaxSize(3)).as(Check.Unique::new),
                Combinators.combine(name, severity, ids(), text().list().ofMinSize(1).ofMaxSize(3)).as(Check.AcceptedValues::new),
                Combinators.combine(name, severity, ids(), maybe(text()), maybe(text())).as(Check.Range::new),
                Combinators.combine(name, severity, maybe(Arbitraries.longs().between(0, 1_000_000)),
                        maybe(Arbitraries.longs().between(0, Long.MAX_VALUE))).as(Check.RowCount::new),
                Combinators.combine(name, severity, ids(), durations()).as(Check.Freshness::new),
                Combinators.combine(name, severity, ids(), tables(), ids()).as(Check.Relationships::new),
                Combinators.combine(name, severity, text()).as(Check.Expression::new));
    }

    private static Arbitrary<Step> steps() {
        Arbitrary<List<String>> deps = ids().list().ofMaxSize(3);
        Arbitrary<Integer> retries = Arbitraries.integers().between(0, 5);
        Arbitrary<Duration> timeout = maybe(durations().filter(d -> !d.isZero()));
        Arbitrary<Source> source = Combinators.combine(text(), Arbitraries.of(FileFormat.class), Arbitraries.of(true, false),
                Arbitraries.of(",", ";", "|", "\t"), Arbitraries.integers().between(0, 3)).as(Source::new);
        Arbitrary<BadRows> badRows = maybe(Combinators.combine(Arbitraries.longs().between(0, 1000), maybe(tables())).as(BadRows::new));
        Arbitrary<Step> ingest = Combinators.combine(ids(), maybe(text()), deps, retries, timeout, source, text(), tables())
                .flatAs((id, description, dependsOn, r, t, s, schema, target) ->
                        Combinators.combine(Arbitraries.of(WriteMode.class), badRows).as((write, bad) ->
                                new IngestStep(id, description, dependsOn, r, t, s, schema, target, write, bad)));
        Arbitrary<Step> transform = Combinators.combine(ids(), maybe(text()), deps, retries, timeout, text(), tables())
                .flatAs((id, description, dependsOn, r, t, sql, target) ->
                        Combinators.combine(Arbitraries.of(WriteMode.class),
                                maybe(Combinators.combine(ids(), Arbitraries.of(PartitionGrain.class)).as(PartitionBy::new)),
                                ids().list().ofMaxSize(4)).as((write, partitionBy, clusterBy) ->
                                new TransformStep(id, description, dependsOn, r, t, sql, target, write, partitionBy, clusterBy)));
        Arbitrary<ChecksSpec> spec = Arbitraries.oneOf(text().map(ChecksSpec.File::new),
                checks().list().ofMaxSize(4).map(ChecksSpec.Inline::new));
        Arbitrary<Sample> sample = Arbitraries.oneOf(Arbitraries.just(Sample.FULL),
                Arbitraries.longs().between(1, Long.MAX_VALUE).map(Sample::ofRows));
        Arbitrary<Step> quality = Combinators.combine(ids(), maybe(text()), deps, retries, timeout, tables(), spec, sample)
                .flatAs((id, description, dependsOn, r, t, table, checks, s) -> Arbitraries.of(OnFailure.class).map(onFailure ->
                        new QualityStep(id, description, dependsOn, r, t, table, checks, s, onFailure)));
        return Arbitraries.oneOf(ingest, transform, quality);
    }

    @Provide
    Arbitrary<Pipeline> pipelines() {
        Arbitrary<Map<String, Parameter>> parameters = Arbitraries.maps(ids(),
                Combinators.combine(Arbitraries.of(ParameterType.class), maybe(text()), maybe(text())).as(Parameter::new)).ofMaxSize(3)
                .map(LinkedHashMap::new);
        Arbitrary<Partitioning> partitions = maybe(Combinators.combine(Arbitraries.of(PartitionGrain.class),
                Arbitraries.integers().between(0, 7)).as(Partitioning::new));
        return Combinators.combine(ids(), maybe(text()), parameters, partitions, Arbitraries.integers().between(1, 16),
                        maybe(durations().filter(d -> !d.isZero())), steps().list().ofMaxSize(5))
                .as((id, description, params, parts, parallel, timeout, steps) ->
                        new Pipeline(id, description, params, parts, parallel, timeout, new ArrayList<>(steps)));
    }
}
