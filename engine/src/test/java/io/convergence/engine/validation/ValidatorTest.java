package io.convergence.engine.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.sql.SqlTemplate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidatorTest {
    private static final Path FILE = Path.of("/ws/tenants/acme/pipelines/p/pipeline.yml");
    private static final Locator NOWHERE = pointer -> SourceLocation.of(FILE);

    private static Step transform(String id, String target, String... dependsOn) {
        return new TransformStep(id, null, List.of(dependsOn), 0, null, id + ".sql", target, WriteMode.REPLACE, null, List.of());
    }

    private static List<Problem> validate(Pipeline pipeline) {
        return Validator.validatePipeline(Validator.PipelineInput.of(pipeline, NOWHERE));
    }

    @Test
    void printsEveryCycleWithItsPathInDataFlowOrder() {
        Pipeline pipeline = new Pipeline("p", null, Map.of(), null, 4, null, List.of(
                transform("a", "m.a", "c"), transform("b", "m.b", "a"), transform("c", "m.c", "b"),
                transform("d", "m.d"), transform("e", "m.e", "f"), transform("f", "m.f", "e", "d")));

        List<Problem> problems = validate(pipeline);

        assertThat(problems).extracting(Problem::message).containsExactly(
                "dependency cycle: a -> b -> c -> a",
                "dependency cycle: e -> f -> e");
        assertThat(problems).extracting(Problem::pointer).containsExactly("/steps/0/depends_on/0", "/steps/4/depends_on/0");
    }

    @Test
    void aTransitiveDependencyIsEnoughForAReadTable() {
        Step check = new QualityStep("q", null, List.of("c"), 0, null, "m.a", new ChecksSpec.Inline(List.of()), Sample.FULL, OnFailure.FAIL);
        Pipeline pipeline = new Pipeline("p", null, Map.of(), null, 4, null, List.of(
                transform("a", "m.a"), transform("b", "m.b", "a"), transform("c", "m.c", "b"), check));
        assertThat(validate(pipeline)).isEmpty();

        Pipeline unordered = pipeline.withSteps(List.of(transform("a", "m.a"), transform("b", "m.b"), transform("c", "m.c", "b"), check));
        assertThat(validate(unordered)).extracting(Problem::code, Problem::hint).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ProblemCode.MISSING_DEPENDENCY, "add 'a' to depends_on of step 'q'"));
    }

    @Test
    void unusedParametersNeedAllTheSql() {
        Pipeline pipeline = new Pipeline("p", null, Map.of("limit", new Parameter(ParameterType.INT64, "10", null)), null, 4, null,
                List.of(transform("a", "m.a")));
        // without the SQL files nobody can say whether @limit is used
        assertThat(validate(pipeline)).isEmpty();
        Validator.PipelineInput withSql = new Validator.PipelineInput(pipeline, NOWHERE, "p", "acme", "{tenant}_{dataset}", Set.of(),
                Map.of("a", new Validator.SqlFile(Path.of("/ws/a.sql"), SqlTemplate.parse("select 1 as one"))), Map.of(), Map.of(), Set.of(), false);
        assertThat(Validator.validatePipeline(withSql)).extracting(Problem::code).containsExactly(ProblemCode.UNUSED_PARAMETER);
    }

    @Test
    void unboundStepsStillCountAsKnownDependencies() {
        Pipeline pipeline = new Pipeline("p", null, Map.of(), null, 4, null, List.of(transform("b", "m.b", "a")));
        Validator.PipelineInput input = new Validator.PipelineInput(pipeline, NOWHERE, null, null, null, Set.of(), Map.of(), Map.of(),
                Map.of(), Set.of("a"), true);
        assertThat(Validator.validatePipeline(input)).isEmpty();
    }

    @Test
    void parameterValuesParseByType() {
        assertThat(Validator.checkParameterValue(ParameterType.DATE, "today")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.DATE, "yesterday")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.DATE, "2024-02-29")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.DATE, "2023-02-29")).isPresent();
        assertThat(Validator.checkParameterValue(ParameterType.DATE, "tomorrow")).isPresent();
        assertThat(Validator.checkParameterValue(ParameterType.TIMESTAMP, "now")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.TIMESTAMP, "2024-01-31T10:00:00Z")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.TIMESTAMP, "2024-01-31 10:00:00+01:00")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.TIMESTAMP, "2024-01-31T10:00")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.TIMESTAMP, "noon")).isPresent();
        assertThat(Validator.checkParameterValue(ParameterType.INT64, "-42")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.INT64, "4.2")).isPresent();
        assertThat(Validator.checkParameterValue(ParameterType.FLOAT64, "4.2")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.FLOAT64, "Infinity")).isPresent();
        assertThat(Validator.checkParameterValue(ParameterType.BOOL, "TRUE")).isEmpty();
        assertThat(Validator.checkParameterValue(ParameterType.BOOL, "yes")).isPresent();
        assertThat(Validator.checkParameterValue(ParameterType.STRING, "anything")).isEmpty();
    }

    @Test
    void aBigQueryStagingExpirationMustBeLongerThanZero() {
        java.util.function.Function<java.time.Duration, List<Problem>> validate = expiration -> Validator.validateWorkspace(
                new io.convergence.engine.model.WorkspaceConfig("bq", Map.of("bq", new io.convergence.engine.model.BigQueryTarget(
                        "my-project", "adc", "US", null, null).withStagingExpiration(expiration)),
                        new io.convergence.engine.model.StateSettings(".convergence/state.db"),
                        new io.convergence.engine.model.LockSettings(java.time.Duration.ofMinutes(2), java.time.Duration.ofSeconds(20), 3,
                                java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30))),
                NOWHERE, Path.of("/ws"));

        assertThat(validate.apply(java.time.Duration.ofHours(24))).isEmpty();
        assertThat(validate.apply(java.time.Duration.ZERO)).extracting(Problem::code, Problem::pointer, Problem::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ProblemCode.INVALID_SETTING, "/targets/bq/staging_expiration",
                        "staging_expiration must be longer than zero"));
        assertThat(new io.convergence.engine.model.BigQueryTarget("my-project", "adc", "US", null, null).stagingExpiration())
                .isEqualTo(java.time.Duration.ofHours(24));
    }

    @Test
    void recognisesInlineSecretsButNotPaths() {
        assertThat(Validator.looksLikeSecret("{\"type\": \"service_account\"}")).isTrue();
        // a PEM header and a few characters, split so the file itself holds nothing a secret scanner takes for a key
        assertThat(Validator.looksLikeSecret("-----BEGIN " + "PRIVATE KEY-----\nMIIE")).isTrue();
        assertThat(Validator.looksLikeSecret("AIzaSyD-1234567890abcdefghijklmnopqrstu")).isTrue();
        assertThat(Validator.looksLikeSecret("ya29A0ARrdaM8kLm3xQz7N2pV9bW4cT6yH1jE5uR0oI8sD2fG3hJ7kL")).isTrue();
        assertThat(Validator.looksLikeSecret("keys/service-account.json")).isFalse();
        assertThat(Validator.looksLikeSecret("/home/ana/.config/gcloud/application_default_credentials.json")).isFalse();
        assertThat(Validator.looksLikeSecret("/home/ana/keys/production/bigquery/loader/key")).isFalse();
    }

    @Test
    void findsTheFirstKeywordOutsideComments() {
        assertThat(PipelineRules.firstKeyword("-- note\n/* block\n */ (  WITH x as (select 1) select * from x"))
                .hasValueSatisfying(k -> {
                    assertThat(k.word()).isEqualTo("WITH");
                    assertThat(k.line()).isEqualTo(3);
                    assertThat(k.column()).isEqualTo(8);
                });
        assertThat(PipelineRules.firstKeyword("# only a comment")).isEmpty();
    }

    @Test
    void suggestionsAreOnlyForLikelyTypos() {
        assertThat(Suggestions.didYouMean("depends_on", List.of("depends_on"))).isEqualTo("did you mean 'depends_on'?");
        assertThat(Suggestions.didYouMean("dependson", List.of("depends_on", "description"))).isEqualTo("did you mean 'depends_on'?");
        assertThat(Suggestions.didYouMean("xyz", List.of("depends_on", "description"))).isEmpty();
        assertThat(Suggestions.closest("x".repeat(500), List.of("x"))).isEmpty();
    }
}
