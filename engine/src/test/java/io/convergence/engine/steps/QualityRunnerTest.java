package io.convergence.engine.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.CheckSeverity;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.PartitionBy;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.warehouse.Warehouse;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualityRunnerTest {
    private static final CheckSeverity ERROR = CheckSeverity.ERROR;
    private static final List<Check> ALL_KINDS = List.of(
            new Check.NotNull(null, ERROR, "order_id"),
            new Check.Unique(null, ERROR, List.of("order_id")),
            new Check.AcceptedValues(null, ERROR, "status", List.of("new", "done")),
            new Check.Range(null, ERROR, "amount", "0", "100"),
            new Check.RowCount(null, ERROR, 1L, 4L),
            new Check.Freshness(null, ERROR, "updated_at", Duration.ofDays(1)),
            new Check.Relationships(null, ERROR, "customer_id", "mart.customers", "id"),
            new Check.Expression("amount not negative", ERROR, "SAFE_DIVIDE(amount, 1) >= 0 AND status != \"x\""));

    @TempDir
    Path tmp;
    StepFixture f;

    @BeforeEach
    void setUp() {
        f = new StepFixture(tmp);
        f.warehouse.ensureDataset("acme_mart");
        table("mart.customers", "SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3");
        table("mart.good", """
                SELECT 1 AS order_id, 'new' AS status, 10 AS amount, 1 AS customer_id, TIMESTAMP '2024-03-06 09:00:00+00' AS updated_at,
                       DATE '2024-03-01' AS order_date
                UNION ALL SELECT 2, 'done', 20, 2, TIMESTAMP '2024-03-05 12:00:00+00', DATE '2024-03-01'
                UNION ALL SELECT 3, 'done', 30, 3, TIMESTAMP '2024-03-05 12:00:00+00', DATE '2024-03-02'
                UNION ALL SELECT 4, 'new', 40, 1, TIMESTAMP '2024-03-05 12:00:00+00', DATE '2024-03-02'
                """);
        table("mart.bad", """
                SELECT 1 AS order_id, 'new' AS status, 10 AS amount, 1 AS customer_id, TIMESTAMP '2024-03-01 00:00:00+00' AS updated_at,
                       DATE '2024-03-01' AS order_date
                UNION ALL SELECT 2, 'done', -5, 9, TIMESTAMP '2024-03-01 00:00:00+00', DATE '2024-03-01'
                UNION ALL SELECT 2, 'lost', 999, 2, TIMESTAMP '2024-03-01 00:00:00+00', DATE '2024-03-02'
                UNION ALL SELECT NULL, NULL, 20, NULL, TIMESTAMP '2024-03-01 00:00:00+00', DATE '2024-03-01'
                UNION ALL SELECT 5, 'new', 10, 1, TIMESTAMP '2024-03-01 00:00:00+00', DATE '2024-03-02'
                """);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private void table(String logical, String sql) {
        f.warehouse.createOrReplaceTable(f.names.resolve(logical), f.warehouse.compile(sql, f.names, Map.of()), new CancellationToken());
    }

    private static QualityStep quality(String table, List<Check> checks, Sample sample, OnFailure onFailure) {
        return new QualityStep("check_orders", null, List.of(), 0, null, table, new ChecksSpec.Inline(checks), sample, onFailure);
    }

    @Test
    void everyCheckKindPassesOnGoodData() {
        StepResult result = f.run(quality("mart.good", ALL_KINDS, Sample.FULL, OnFailure.FAIL));
        assertThat(result.rows()).isEqualTo(4);
        List<RunEvent.CheckEvaluated> results = f.events(RunEvent.CheckEvaluated.class);
        assertThat(results).extracting(RunEvent.CheckEvaluated::checkType).containsExactly(
                "not_null", "unique", "accepted_values", "range", "row_count", "freshness", "relationships", "expression");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.passed()).as(r.checkName() + ": " + r.detail()).isTrue();
            assertThat(r.failingRows()).isZero();
            assertThat(r.runId()).isEqualTo("run-1");
            assertThat(r.stepId()).isEqualTo("check_orders");
            assertThat(r.severity()).isEqualTo("ERROR");
            assertThat(r.at()).isEqualTo(StepFixture.NOW);
        });
        assertThat(results.get(1).checkName()).isEqualTo("unique(order_id)");
        assertThat(results.get(7).checkName()).isEqualTo("amount not negative");
        assertThat(f.events(RunEvent.LogLine.class)).anySatisfy(l -> assertThat(l.message()).isEqualTo("all 8 checks passed on mart.good"));
    }

    @Test
    void everyCheckKindFailsOnBadDataWithCountsAndExamples() {
        assertThatThrownBy(() -> f.run(quality("mart.bad", ALL_KINDS, Sample.FULL, OnFailure.FAIL)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.QUALITY_CHECK_FAILED);
                    assertThat(e.getMessage()).startsWith("8 checks of 8 failed on mart.bad: not_null(order_id): 1 row with NULL in order_id;")
                            .contains("unique(order_id): 2 rows share 1 duplicate key of order_id")
                            .contains("row_count: 5 rows, expected between 1 and 4")
                            .contains("freshness(updated_at): newest updated_at is 2024-03-01T00:00:00Z, 5d old; max_age 1d");
                });
        List<RunEvent.CheckEvaluated> results = f.events(RunEvent.CheckEvaluated.class);
        assertThat(results).extracting(RunEvent.CheckEvaluated::passed).containsOnly(false);
        assertThat(results).extracting(RunEvent.CheckEvaluated::failingRows).containsExactly(1L, 2L, 1L, 2L, 0L, 0L, 1L, 2L);
        assertThat(results.get(0).exampleRows()).singleElement().asString().startsWith("order_id=NULL, status=NULL, amount=20");
        assertThat(results.get(1).exampleRows()).containsExactly("order_id=2, rows=2");
        assertThat(results.get(2).exampleRows()).singleElement().asString().contains("status=lost");
        assertThat(results.get(3).exampleRows()).hasSize(2);
        assertThat(results.get(6).exampleRows()).singleElement().asString().contains("customer_id=9");
        // false or NULL fails: the row with a NULL status makes the predicate NULL
        assertThat(results.get(7).exampleRows()).hasSize(2).anySatisfy(r -> assertThat(r).contains("amount=-5"));
    }

    @Test
    void warningsDoNotFailTheStep() {
        List<Check> checks = List.of(new Check.NotNull(null, CheckSeverity.WARN, "order_id"), new Check.Unique(null, ERROR, List.of("status")));
        f.run(quality("mart.bad", List.of(checks.get(0)), Sample.FULL, OnFailure.FAIL));
        assertThat(f.events(RunEvent.LogLine.class)).anySatisfy(l -> {
            assertThat(l.level()).isEqualTo("WARN");
            assertThat(l.message()).contains("not_null(order_id)");
        });
        f.run(quality("mart.bad", checks, Sample.FULL, OnFailure.WARN));
        assertThat(f.events(RunEvent.LogLine.class)).anySatisfy(l -> assertThat(l.message()).contains("(on_failure: warn)"));
        // an error check of an on_failure: warn step only warned: that is the severity recorded
        assertThat(f.events(RunEvent.CheckEvaluated.class)).filteredOn(r -> r.checkType().equals("unique")).singleElement()
                .satisfies(r -> {
                    assertThat(r.passed()).isFalse();
                    assertThat(r.severity()).isEqualTo("WARN");
                });
    }

    @Test
    void partitionedRunsCheckTheirPartitionOfTheProducedTable() {
        TransformStep producer = new TransformStep("build", null, List.of(), 0, null, "sql/x.sql", "mart.bad", WriteMode.REPLACE_PARTITIONS,
                new PartitionBy("order_date", PartitionGrain.DAY), List.of());
        List<Check> checks = List.of(new Check.NotNull(null, ERROR, "order_id"), new Check.RowCount(null, ERROR, 2L, 2L));
        QualityStep step = quality("mart.bad", checks, Sample.FULL, OnFailure.FAIL);

        StepResult day2 = f.run(step, StepFixture.day("2024-03-02"), Map.of(), producer);
        assertThat(day2.rows()).isEqualTo(2);
        assertThat(f.events(RunEvent.CheckEvaluated.class)).allSatisfy(r -> {
            assertThat(r.passed()).isTrue();
            assertThat(r.partition()).isEqualTo("2024-03-02");
        });
        assertThatThrownBy(() -> f.run(step, StepFixture.day("2024-03-01"), Map.of(), producer))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUALITY_CHECK_FAILED))
                .hasMessageContaining("mart.bad partition 2024-03-01").hasMessageContaining("3 rows, expected between 2 and 2");
    }

    @Test
    void samplesLimitRowsButRowCountReadsEverything() {
        StepResult result = f.run(quality("mart.bad", List.of(new Check.RowCount(null, ERROR, 5L, 5L)), Sample.ofRows(2), OnFailure.FAIL));
        assertThat(result.rows()).isEqualTo(2);
        assertThat(f.events(RunEvent.CheckEvaluated.class)).singleElement().satisfies(r -> assertThat(r.passed()).isTrue());
    }

    @Test
    void expressionsMustStayPredicates() {
        assertThat(QualityRunner.safePredicate("amount > 0 AND status IN ('a', 'b;c')")).isNotNull();
        for (String bad : List.of("1 = 1; DROP TABLE x", "amount > (SELECT max(amount) FROM t)", "{{ ref('mart.good') }} IS NULL",
                "amount > @limit", "EXISTS (select 1)", "amount > 0 -- ) OR TRUE", "")) {
            assertThatThrownBy(() -> QualityRunner.safePredicate(bad)).as(bad)
                    .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        }
        assertThatThrownBy(() -> f.run(quality("mart.good", List.of(new Check.Expression(null, ERROR, "1 = 1; DROP TABLE x")),
                Sample.FULL, OnFailure.FAIL))).isInstanceOf(ConvergenceException.class);
        assertThat(f.events(RunEvent.CheckEvaluated.class)).singleElement().satisfies(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.detail()).startsWith("could not evaluate").contains("predicate");
        });
        assertThat(f.count("mart.good")).isEqualTo(4);
    }

    @Test
    void aCheckThatCannotRunFailsTheStepEvenWithOnFailureWarn() {
        QualityStep step = quality("mart.good", List.of(new Check.Expression("typo", CheckSeverity.WARN, "amount_typo > 0"),
                new Check.NotNull(null, ERROR, "order_id")), Sample.FULL, OnFailure.WARN);
        assertThatThrownBy(() -> f.run(step))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR))
                .hasMessageStartingWith("pipeline.yml: check typo could not be evaluated: ")
                .hasMessageContaining("amount_typo")
                .hasMessageEndingWith("A check that cannot run fails its step whatever its severity and on_failure")
                // the warehouse's excerpt of Convergence's own query is left out
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("LINE 1:").doesNotContain("_cvg_rows"));
        // every check is still evaluated and recorded
        assertThat(f.events(RunEvent.CheckEvaluated.class)).hasSize(2).satisfiesExactly(
                typo -> assertThat(typo.detail()).startsWith("could not evaluate: ").doesNotContain("LINE 1:"),
                notNull -> assertThat(notNull.passed()).isTrue());
    }

    @Test
    void aTransientWarehouseFailureIsNotAFailedCheck() {
        // the warehouse answers the table's schema, then fails the check's query as a busy warehouse would
        Warehouse flaky = (Warehouse) Proxy.newProxyInstance(Warehouse.class.getClassLoader(), new Class<?>[] {Warehouse.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("count")) {
                        throw new ConvergenceException(ErrorCode.WAREHOUSE_TRANSIENT, "rate limit exceeded");
                    }
                    try {
                        return method.invoke(f.warehouse, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        QualityStep step = quality("mart.good", List.of(new Check.NotNull(null, CheckSeverity.WARN, "order_id")), Sample.FULL, OnFailure.WARN);
        StepContext context = f.context(f.pipeline(step), step, Optional.empty(), Map.of());
        assertThatThrownBy(() -> new QualityRunner(flaky, new YamlChecksReader()).run(context))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAREHOUSE_TRANSIENT));
        // no verdict on the data was recorded: the executor retries the step
        assertThat(f.events(RunEvent.CheckEvaluated.class)).isEmpty();
    }

    @Test
    void oneSidedRangesSayWhichSide() {
        f.run(quality("mart.good", List.of(new Check.Range(null, CheckSeverity.WARN, "amount", "15", null),
                new Check.Range(null, CheckSeverity.WARN, "amount", null, "100")), Sample.FULL, OnFailure.FAIL));
        assertThat(f.events(RunEvent.CheckEvaluated.class)).extracting(RunEvent.CheckEvaluated::detail)
                .containsExactly("1 row with amount below 15", "no amount above 100");
    }

    @Test
    void checksFilesAreRead() {
        f.write("checks/orders.yml", """
                checks:
                  - type: not_null
                    column: order_id
                  - type: accepted_values
                    column: amount
                    values: [10, 20, 30, 40]
                  - type: freshness
                    column: order_date
                    max_age: 7d
                    severity: warn
                  - type: range
                    name: amount is sane
                    column: amount
                    min: 1
                """);
        QualityStep step = new QualityStep("check_orders", null, List.of(), 0, null, "mart.good", new ChecksSpec.File("checks/orders.yml"),
                Sample.FULL, OnFailure.FAIL);
        f.run(step);
        assertThat(f.events(RunEvent.CheckEvaluated.class)).extracting(RunEvent.CheckEvaluated::checkName, RunEvent.CheckEvaluated::severity,
                RunEvent.CheckEvaluated::passed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("not_null(order_id)", "ERROR", true),
                org.assertj.core.groups.Tuple.tuple("accepted_values(amount)", "ERROR", true),
                org.assertj.core.groups.Tuple.tuple("freshness(order_date)", "WARN", true),
                org.assertj.core.groups.Tuple.tuple("amount is sane", "ERROR", true));
    }

    @Test
    void missingTablesAndColumnsAreNamed() {
        assertThatThrownBy(() -> f.run(quality("mart.nothing", ALL_KINDS, Sample.FULL, OnFailure.FAIL)))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_FAILED))
                .hasMessageContaining("mart.nothing does not exist");
        assertThatThrownBy(() -> f.run(quality("mart.good", List.of(new Check.NotNull(null, ERROR, "nope")), Sample.FULL, OnFailure.FAIL)))
                .hasMessageContaining("column 'nope' does not exist");
        assertThatThrownBy(() -> f.run(quality("mart.good", List.of(new Check.Range(null, ERROR, "amount", "ten", null)), Sample.FULL,
                OnFailure.FAIL))).hasMessageContaining("'ten' is not a valid INT64");
    }
}
