package io.convergence.engine.plan;

import static io.convergence.engine.testing.Fixtures.dailyPipeline;
import static io.convergence.engine.testing.Fixtures.ingest;
import static io.convergence.engine.testing.Fixtures.loaded;
import static io.convergence.engine.testing.Fixtures.pipeline;
import static io.convergence.engine.testing.Fixtures.quality;
import static io.convergence.engine.testing.Fixtures.transform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.WriteMode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private final Planner planner = new Planner();
    private static final List<PartitionWindow> THREE_DAYS = PartitionRanges.between(PartitionGrain.DAY, "2024-03-01", "2024-03-03");

    /** The demo shape: an appending ingest, a partitioned transform, its checks, and a full rebuild after it. */
    private static LoadedPipeline dailySales() {
        return loaded(dailyPipeline("daily_sales", 4,
                ingest("load_orders", "raw.orders", WriteMode.APPEND),
                transform("sales_by_day", "mart.sales_by_day", WriteMode.REPLACE_PARTITIONS, "load_orders"),
                quality("check_sales", "mart.sales_by_day", "sales_by_day"),
                quality("check_orders", "raw.orders", "load_orders"),
                transform("sales_summary", "mart.sales_summary", WriteMode.REPLACE, "check_sales")));
    }

    @Test
    void ordersStepsTopologicallyAndBreaksTiesByFileOrder() {
        // file order: report (needs a), b, a; b and a are ready first, b comes earlier in the file
        Pipeline p = pipeline("p", 4, transform("report", "a"), transform("b"), transform("a"));
        Plan plan = planner.plan(loaded(p), PlanRequest.allSteps());

        assertThat(plan.units()).extracting(PlanUnit::toString).containsExactly("b", "a", "report");
        assertThat(plan.levels()).extracting(level -> level.stream().map(Step::id).toList())
                .containsExactly(List.of("b", "a"), List.of("report"));
        PlanUnit report = plan.unit(UnitKey.of("report")).orElseThrow();
        assertThat(plan.predecessors(report)).extracting(PlanUnit::stepId).containsExactly("a");
        assertThat(plan.partitions()).isEmpty();
    }

    @Test
    void partitionedStepsGetOneUnitPerWindowAndPerPartitionEdges() {
        Plan plan = planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS));

        assertThat(plan.units()).extracting(PlanUnit::toString).containsExactly(
                "load_orders",
                "sales_by_day[2024-03-01]", "sales_by_day[2024-03-02]", "sales_by_day[2024-03-03]",
                // ready together with check_orders, but earlier in the file
                "check_sales[2024-03-01]", "check_sales[2024-03-02]", "check_sales[2024-03-03]",
                "check_orders",
                "sales_summary");
        assertThat(plan.isPartitioned("load_orders")).isFalse();
        assertThat(plan.isPartitioned("sales_by_day")).isTrue();
        assertThat(plan.isPartitioned("check_sales")).as("checks a partitioned table").isTrue();
        assertThat(plan.isPartitioned("check_orders")).as("checks an appended table").isFalse();
        assertThat(plan.isPartitioned("sales_summary")).isFalse();

        PlanUnit checkMarch2 = plan.unit(UnitKey.of("check_sales", "2024-03-02")).orElseThrow();
        assertThat(plan.predecessors(checkMarch2)).extracting(PlanUnit::toString).containsExactly("sales_by_day[2024-03-02]");
        PlanUnit salesMarch1 = plan.unit(UnitKey.of("sales_by_day", "2024-03-01")).orElseThrow();
        assertThat(plan.predecessors(salesMarch1)).extracting(PlanUnit::toString).containsExactly("load_orders");
        PlanUnit summary = plan.unit(UnitKey.of("sales_summary")).orElseThrow();
        assertThat(plan.predecessors(summary)).extracting(PlanUnit::toString)
                .containsExactly("check_sales[2024-03-01]", "check_sales[2024-03-02]", "check_sales[2024-03-03]");
        assertThat(plan.edges()).contains(new StepEdge("sales_by_day", "check_sales", true), new StepEdge("load_orders", "sales_by_day", false));
    }

    @Test
    void everyPredecessorComesEarlierInPlanOrder() {
        Plan plan = planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS));
        for (PlanUnit unit : plan.units()) {
            for (PlanUnit predecessor : plan.predecessors(unit)) {
                assertThat(predecessor.index()).isLessThan(unit.index());
                assertThat(plan.successors(predecessor)).contains(unit);
            }
        }
    }

    @Test
    void onlySelectedStepsKeepOrderingThroughLeftOutSteps() {
        // a -> b -> c; running only a and c still runs c after a
        Pipeline p = pipeline("p", 4, transform("a"), transform("b", "a"), transform("c", "b"), transform("d"));
        Plan plan = planner.plan(loaded(p), PlanRequest.allSteps().withSelection(StepSelection.only(List.of("a", "c"))));

        assertThat(plan.steps()).extracting(Step::id).containsExactly("a", "c");
        assertThat(plan.edges()).containsExactly(new StepEdge("a", "c", false));
    }

    @Test
    void downstreamSelectionTakesDescendants() {
        Pipeline p = pipeline("p", 4, transform("a"), transform("b", "a"), transform("c", "b"), transform("d", "a"), transform("e"));
        Plan plan = planner.plan(loaded(p), PlanRequest.allSteps().withSelection(StepSelection.downstreamOf(List.of("b"))));

        assertThat(plan.steps()).extracting(Step::id).containsExactly("b", "c");
        assertThat(plan.edges()).containsExactly(new StepEdge("b", "c", false));
    }

    @Test
    void upstreamSelectionTakesAncestors() {
        Pipeline p = pipeline("p", 4, transform("a"), transform("b", "a"), transform("c", "b"), transform("d", "a"));
        Plan plan = planner.plan(loaded(p), PlanRequest.allSteps().withSelection(StepSelection.upstreamOf(List.of("c"))));

        assertThat(plan.steps()).extracting(Step::id).containsExactly("a", "b", "c");
    }

    @Test
    void edgeThroughLeftOutStepsIsPerPartitionOnlyWhenEveryStepOnThePathIsPartitioned() {
        Pipeline p = dailyPipeline("p", 4,
                transform("a", "mart.a", WriteMode.REPLACE_PARTITIONS),
                transform("b", "mart.b", WriteMode.REPLACE_PARTITIONS, "a"),
                transform("c", "mart.c", WriteMode.REPLACE_PARTITIONS, "b"),
                transform("x", "mart.x", WriteMode.REPLACE, "a"),
                transform("d", "mart.d", WriteMode.REPLACE_PARTITIONS, "x"));
        Plan plan = planner.plan(loaded(p), PlanRequest.forPartitions(THREE_DAYS).withSelection(StepSelection.only(List.of("a", "c", "d"))));

        assertThat(plan.edges()).containsExactlyInAnyOrder(new StepEdge("a", "c", true), new StepEdge("a", "d", false));
        PlanUnit d1 = plan.unit(UnitKey.of("d", "2024-03-01")).orElseThrow();
        assertThat(plan.predecessors(d1)).hasSize(3);
    }

    @Test
    void resumedUnitsAreMarked() {
        Set<UnitKey> done = Set.of(UnitKey.of("load_orders"), UnitKey.of("sales_by_day", "2024-03-01"));
        Plan plan = planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS).withAlreadySucceeded(done));

        assertThat(plan.units()).filteredOn(PlanUnit::resumed).extracting(PlanUnit::toString)
                .containsExactly("load_orders", "sales_by_day[2024-03-01]");
    }

    @Test
    void rendersTheDryRun() {
        Set<UnitKey> done = Set.of(UnitKey.of("sales_by_day", "2024-03-01"));
        Plan plan = planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS).withAlreadySucceeded(done));

        assertThat(plan.render()).isEqualTo("""
                Plan for acme/daily_sales: 5 steps, 9 units (1 already succeeded, skipped), max_parallel 4
                Partitions (day): 2024-03-01, 2024-03-02, 2024-03-03
                Level 1
                  load_orders    ingest     once
                Level 2
                  sales_by_day   transform  per partition (3), after load_orders; skipped (already succeeded): 2024-03-01
                  check_orders   quality    once, after load_orders
                Level 3
                  check_sales    quality    per partition (3), after sales_by_day (same partition)
                Level 4
                  sales_summary  transform  once, after check_sales
                """);
    }

    @Test
    void planningTwiceGivesTheSameOrder() {
        Plan first = planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS));
        Plan second = planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS));
        assertThat(second.units()).isEqualTo(first.units());
        assertThat(second.render()).isEqualTo(first.render());
    }

    @Test
    void reportsCycleWithItsPath() {
        Pipeline p = pipeline("p", 4, transform("a", "c"), transform("b", "a"), transform("c", "b"), transform("d"));
        assertThatThrownBy(() -> planner.plan(loaded(p), PlanRequest.allSteps()))
                .isInstanceOf(ConvergenceException.class)
                .hasMessageContaining("a -> b -> c -> a")
                .extracting(e -> ((ConvergenceException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void reportsSelfDependencyAsCycle() {
        Pipeline p = pipeline("p", 4, transform("a", "a"));
        assertThatThrownBy(() -> planner.plan(loaded(p), PlanRequest.allSteps())).hasMessageContaining("a -> a");
    }

    @Test
    void rejectsUnknownDependencyAndDuplicateIds() {
        assertThatThrownBy(() -> planner.plan(loaded(pipeline("p", 4, transform("a", "nope"))), PlanRequest.allSteps()))
                .hasMessageContaining("unknown step 'nope'");
        assertThatThrownBy(() -> planner.plan(loaded(pipeline("p", 4, transform("a"), transform("a"))), PlanRequest.allSteps()))
                .hasMessageContaining("two steps with id 'a'");
    }

    @Test
    void rejectsPartitionsThatDoNotFitThePipeline() {
        Pipeline plain = pipeline("p", 4, transform("a"));
        assertThatThrownBy(() -> planner.plan(loaded(plain), PlanRequest.forPartitions(THREE_DAYS)))
                .hasMessageContaining("not partitioned")
                .extracting(e -> ((ConvergenceException) e).code()).isEqualTo(ErrorCode.PARAMETER_INVALID);
        assertThatThrownBy(() -> planner.plan(dailySales(), PlanRequest.allSteps()))
                .hasMessageContaining("needs at least one partition");
        List<PartitionWindow> months = PartitionRanges.between(PartitionGrain.MONTH, "2024-01", "2024-02");
        assertThatThrownBy(() -> planner.plan(dailySales(), PlanRequest.forPartitions(months)))
                .hasMessageContaining("is a month but pipeline daily_sales is partitioned by day");
    }

    @Test
    void rejectsUnknownSelectedStep() {
        assertThatThrownBy(() -> planner.plan(dailySales(), PlanRequest.forPartitions(THREE_DAYS)
                .withSelection(StepSelection.only(List.of("sales_by_dya")))))
                .hasMessageContaining("has no step sales_by_dya");
    }
}
