package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import java.time.Duration;
import java.util.List;

/** Runs data-quality checks against a table. */
@Doc("Runs data-quality checks on a table; results are stored per run and per partition.")
public record QualityStep(
        @Doc("Step id, unique in the pipeline.") @Required @Pattern(Ids.ID) String id,
        @Doc("What this step does.") String description,
        @Doc("Steps that must succeed before this one.") List<@Pattern(Ids.ID) String> dependsOn,
        @Doc("Retries after a transient failure.") @Default("0") @Minimum(0) int retries,
        @Doc("Time limit of one attempt.") Duration timeout,
        @Doc("Table under test as dataset.table.") @Required @Pattern(Ids.TABLE_REF) String table,
        @Doc("A checks file (relative to pipeline.yml) or an inline list of checks.") @Required ChecksSpec checks,
        @Doc("Rows examined: a row count, or 'full'. row_count always counts the whole table or partition and freshness looks at the whole table, since a sample would make them meaningless.") @Default("full") Sample sample,
        @Doc("What a failed error-severity check does to the run. A check that cannot run (its SQL refused, a column"
                + " missing) fails the step either way.") @Default("fail") OnFailure onFailure)
        implements Step {
    public QualityStep {
        requireNonNull(id, "id is null");
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requireNonNull(table, "table is null");
        requireNonNull(checks, "checks is null");
        requireNonNull(sample, "sample is null");
        requireNonNull(onFailure, "onFailure is null");
    }

    @Override
    public String typeName() {
        return "quality";
    }

    @Override
    public QualityStep withId(String newId) {
        return new QualityStep(newId, description, dependsOn, retries, timeout, table, checks, sample, onFailure);
    }

    @Override
    public QualityStep withDependsOn(List<String> newDependsOn) {
        return new QualityStep(id, description, newDependsOn, retries, timeout, table, checks, sample, onFailure);
    }
}
