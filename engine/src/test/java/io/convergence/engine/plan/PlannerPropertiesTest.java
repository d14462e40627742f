package io.convergence.engine.plan;

import static io.convergence.engine.testing.Fixtures.dailyPipeline;
import static io.convergence.engine.testing.Fixtures.loaded;
import static io.convergence.engine.testing.Fixtures.transform;
import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.WriteMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class PlannerPropertiesTest {

    /** A random DAG: step i may depend on any earlier step; listed in a shuffled file order. */
    private static LoadedPipeline randomPipeline(long seed, int steps) {
        Random random = new Random(seed);
        List<Step> list = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            List<String> deps = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (random.nextInt(4) == 0) {
                    deps.add("s" + j);
                }
            }
            WriteMode write = random.nextBoolean() ? WriteMode.REPLACE_PARTITIONS : WriteMode.REPLACE;
            list.add(transform("s" + i, "mart.s" + i, write, deps.toArray(String[]::new)));
        }
        java.util.Collections.shuffle(list, random);
        return loaded(dailyPipeline("p", 4, list.toArray(Step[]::new)));
    }

    @Property(tries = 100)
    void unitsAreInATopologicalOrderThatIsDeterministic(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int steps) {
        LoadedPipeline pipeline = randomPipeline(seed, steps);
        PlanRequest request = PlanRequest.forPartitions(PartitionRanges.between(PartitionGrain.DAY, "2024-03-01", "2024-03-03"));
        Plan plan = new Planner().plan(pipeline, request);

        for (PlanUnit unit : plan.units()) {
            for (PlanUnit predecessor : plan.predecessors(unit)) {
                assertThat(predecessor.index()).isLessThan(unit.index());
                if (plan.isPartitioned(unit.stepId()) && plan.isPartitioned(predecessor.stepId())) {
                    assertThat(predecessor.partitionKey()).isEqualTo(unit.partitionKey());
                }
            }
            // every declared dependency is honoured, at unit level
            for (String dependency : unit.step().dependsOn()) {
                assertThat(plan.predecessors(unit)).anyMatch(p -> p.stepId().equals(dependency));
            }
        }
        assertThat(new Planner().plan(pipeline, request).units()).isEqualTo(plan.units());
    }

    @Property(tries = 50)
    void downstreamSelectionKeepsEveryDescendant(@ForAll long seed, @ForAll @IntRange(min = 2, max = 12) int steps) {
        LoadedPipeline pipeline = randomPipeline(seed, steps);
        PlanRequest request = PlanRequest.forPartitions(PartitionRanges.between(PartitionGrain.DAY, "2024-03-01", "2024-03-01"));
        Plan plan = new Planner().plan(pipeline, request.withSelection(StepSelection.downstreamOf(List.of("s0"))));
        List<String> selected = plan.steps().stream().map(Step::id).toList();
        for (Step step : pipeline.pipeline().steps()) {
            boolean dependsOnSelected = step.dependsOn().stream().anyMatch(selected::contains);
            if (dependsOnSelected) {
                assertThat(selected).contains(step.id());
            }
        }
        assertThat(selected).contains("s0");
    }
}
