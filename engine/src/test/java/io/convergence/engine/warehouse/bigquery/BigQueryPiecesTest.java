package io.convergence.engine.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the BigQuery target that need no server: ids, parameters, error reading, credentials, quoting. */
class BigQueryPiecesTest {
    @TempDir
    Path dir;

    @Test
    void jobIdsAreDeterministicPerStepAttemptAndJob() {
        JobScope scope = new JobScope("acme", "daily_sales", "20240301T100000-ab12", "load", Optional.of("2024-03-01"), 2);
        String first = scope.nextJobId();
        String second = scope.nextJobId();
        JobScope again = new JobScope("acme", "daily_sales", "20240301T100000-ab12", "load", Optional.of("2024-03-01"), 2);

        assertThat(first).isEqualTo("cvg_acme_daily_sales_20240301T100000-ab12_load_2024-03-01_a2_j1");
        assertThat(second).endsWith("_a2_j2");
        assertThat(again.nextJobId()).isEqualTo(first);
        assertThat(new JobScope("acme", "daily_sales", "20240301T100000-ab12", "load", Optional.of("2024-03-01"), 3).nextJobId())
                .isNotEqualTo(first);
        assertThat(JobIds.rerun(first, 2)).isEqualTo(first + "_r2");
    }

    @Test
    void jobIdsKeepBigQuerysAlphabetAndAreHashedWhenTooLong() {
        assertThat(JobIds.sanitize("cvg_a.b:c/d é")).isEqualTo("cvg_a_b_c_d__");
        String longId = "cvg_" + "x".repeat(500);
        String other = "cvg_" + "x".repeat(499) + "y";
        assertThat(JobIds.sanitize(longId)).hasSize(JobIds.MAX_LENGTH).matches("[A-Za-z0-9_-]+");
        assertThat(JobIds.sanitize(longId)).isEqualTo(JobIds.sanitize(longId)).isNotEqualTo(JobIds.sanitize(other));
        assertThat(JobIds.adHoc("doctor")).startsWith("cvg_doctor_").isNotEqualTo(JobIds.adHoc("doctor"));
    }

    @Test
    void scopesNestAndUnbind() {
        JobScope outer = new JobScope("t", "p", "r", "s", Optional.empty(), 1);
        assertThat(JobScope.current()).isEmpty();
        try (JobScope.Binding a = outer.bind()) {
            assertThat(JobScope.current()).containsSame(outer);
            JobScope inner = new JobScope("t", "p", "r", "s2", Optional.empty(), 1);
            try (JobScope.Binding b = inner.bind()) {
                assertThat(JobScope.current()).containsSame(inner);
            }
            assertThat(JobScope.current()).containsSame(outer);
        }
        assertThat(JobScope.current()).isEmpty();
    }

    @Test
    void placeholdersBecomeNamedParametersOutsideLiteralsAndComments() {
        BoundSql bound = BoundSql.builder().append("SELECT '?' AS q, `a?b` AS c, ").bind(new ParameterValue(ParameterType.INT64, 1L))
                .append(" -- a ? comment\n + ").bind(new ParameterValue(ParameterType.STRING, "x")).append(" /* ? */ AS v")
                .build();

        NamedParameters named = NamedParameters.of(bound);

        assertThat(named.sql()).isEqualTo("SELECT '?' AS q, `a?b` AS c, @_p1 -- a ? comment\n + @_p2 /* ? */ AS v");
        assertThat(named.values()).containsOnlyKeys("_p1", "_p2");
        assertThat(named.values().get("_p1")).isEqualTo(QueryParameterValue.int64(1L));
        assertThat(named.values().get("_p2")).isEqualTo(QueryParameterValue.string("x"));
    }

    @Test
    void ourParameterNamesAreReservedAndCountsMustAgree() {
        assertThatThrownBy(() -> NamedParameters.of(BoundSql.of("SELECT @_p1 AS x")))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR));
        assertThatThrownBy(() -> NamedParameters.of(BoundSql.of("SELECT ? AS x")))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR));
        assertThat(NamedParameters.of(BoundSql.of("SELECT @run_date AS d")).sql()).isEqualTo("SELECT @run_date AS d");
    }

    @Test
    void parametersKeepTheirTypesAndNullsStayTyped() {
        assertThat(BigQueryValues.parameter(new ParameterValue(ParameterType.DATE, LocalDate.parse("2024-02-29"))))
                .isEqualTo(QueryParameterValue.date("2024-02-29"));
        assertThat(BigQueryValues.parameter(new ParameterValue(ParameterType.TIMESTAMP, Instant.parse("2024-02-29T23:30:00.123456Z"))).getValue())
                .isEqualTo("2024-02-29 23:30:00.123456+00:00");
        QueryParameterValue nullInt = BigQueryValues.parameter(new ParameterValue(ParameterType.INT64, null));
        assertThat(nullInt.getType()).isEqualTo(StandardSQLTypeName.INT64);
        assertThat(nullInt.getValue()).isNull();
        assertThat(BigQueryValues.insertValue(new java.math.BigDecimal("1.50"))).isEqualTo("1.50");
        assertThat(BigQueryValues.insertValue(Instant.parse("2024-03-01T00:00:00Z"))).isEqualTo("2024-03-01 00:00:00.000000+00:00");
    }

    @Test
    void transientFailuresAreRecognised() {
        assertThat(BigQueryErrors.isTransient(new BigQueryException(503, "backend unavailable"))).isTrue();
        assertThat(BigQueryErrors.isTransient(new BigQueryException(new IOException("connection reset")))).isTrue();
        assertThat(BigQueryErrors.isTransient(new BigQueryException(403, "slow down",
                new BigQueryError("rateLimitExceeded", "global", "Exceeded rate limits")))).isTrue();
        assertThat(BigQueryErrors.isTransient(new BigQueryException(400, "bad",
                new BigQueryError("invalidQuery", "query", "Unrecognized name: x")))).isFalse();
        assertThat(BigQueryErrors.isAlreadyExists(new BigQueryException(409, "Already Exists: Job p:US.cvg_1"))).isTrue();
        assertThat(BigQueryErrors.isTransient(new BigQueryError("invalidQuery", "q",
                "Could not serialize access to table p.d.locks due to concurrent update"))).isTrue();
    }

    @Test
    void failuresMapToStableCodes() {
        assertThat(BigQueryErrors.translate(new BigQueryError("invalidQuery", "q", "Unrecognized name: nope"), "query").code())
                .isEqualTo(ErrorCode.SQL_ERROR);
        assertThat(BigQueryErrors.translate(new BigQueryError("stopped", "", "Job cancelled"), "query").code())
                .isEqualTo(ErrorCode.RUN_CANCELLED);
        assertThat(BigQueryErrors.translate(new BigQueryError("invalidQuery", "", "cvg-fence: epoch 3 of a/b is no longer current"),
                "publishing").code()).isEqualTo(ErrorCode.FENCING_REJECTED);
        assertThat(BigQueryErrors.translate(new BigQueryException(403, "denied", new BigQueryError("accessDenied", "", "no")), "x").code())
                .isEqualTo(ErrorCode.WAREHOUSE_UNAVAILABLE);
        assertThat(BigQueryErrors.translate(new BigQueryException(500, "oops"), "x").code()).isEqualTo(ErrorCode.WAREHOUSE_TRANSIENT);
    }

    @Test
    void credentialsNoneNeedsAnEndpointAndKeyFilesAreNeverQuoted() throws IOException {
        assertThat(BigQueryConnection.credentials("none", true, dir)).isSameAs(NoCredentials.getInstance());
        assertThatThrownBy(() -> BigQueryConnection.credentials("none", false, dir))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        assertThatThrownBy(() -> BigQueryConnection.credentials("keys/missing.json", false, dir))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SECRET_MISSING))
                .hasMessageContaining("missing.json");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"type\": \"service_account\", \"private_key\": \"SECRET-MATERIAL\"}");
        assertThatThrownBy(() -> BigQueryConnection.credentials("bad.json", false, dir))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SECRET_MISSING))
                .hasMessageNotContaining("SECRET-MATERIAL");
    }

    @Test
    void quotesValidatedPathsWithBackticks() {
        BigQueryDialect dialect = new BigQueryDialect("test-project");
        assertThat(dialect.quoteTable(new TableId("acme_raw", "orders"))).isEqualTo("`test-project.acme_raw.orders`");
        assertThat(dialect.quoteIdentifier("order_date")).isEqualTo("`order_date`");
        assertThatThrownBy(() -> dialect.quoteIdentifier("a`b")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_INVALID));
        assertThatThrownBy(() -> new BigQueryDialect("Bad Project`")).isInstanceOf(ConvergenceException.class);
        assertThat(dialect.sample("`p.d.t`", 10)).contains("LIMIT 10");
    }

    @Test
    void partitionExpressionsFollowTheColumnTypeAndGrain() {
        assertThat(BigQueryWarehouse.partitionExpression("`d`", "DATE", PartitionGrain.DAY)).isEqualTo("`d`");
        assertThat(BigQueryWarehouse.partitionExpression("`d`", "DATE", PartitionGrain.MONTH)).isEqualTo("DATE_TRUNC(`d`, MONTH)");
        assertThat(BigQueryWarehouse.partitionExpression("`t`", "TIMESTAMP", PartitionGrain.DAY)).isEqualTo("DATE(`t`)");
        assertThat(BigQueryWarehouse.partitionExpression("`t`", "TIMESTAMP", PartitionGrain.HOUR)).isEqualTo("TIMESTAMP_TRUNC(`t`, HOUR)");
        assertThatThrownBy(() -> BigQueryWarehouse.partitionExpression("`s`", "STRING", PartitionGrain.DAY))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
    }

    @Test
    void backoffGrowsExponentiallyUpToItsCap() {
        Backoff backoff = new Backoff(java.time.Duration.ofMillis(100), 2.0, java.time.Duration.ofMillis(500), 5);
        assertThat(backoff.delayAfter(1)).hasMillis(100);
        assertThat(backoff.delayAfter(2)).hasMillis(200);
        assertThat(backoff.delayAfter(3)).hasMillis(400);
        assertThat(backoff.delayAfter(4)).hasMillis(500);
    }
}
