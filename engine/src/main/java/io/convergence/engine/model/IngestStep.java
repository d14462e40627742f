package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import java.time.Duration;
import java.util.List;

/** Loads files into a table, enforcing a BigQuery schema and quarantining rows that do not fit. */
@Doc("Loads files into a table with the schema enforced; rows that do not fit go to quarantine, never dropped.")
public record IngestStep(
        @Doc("Step id, unique in the pipeline.") @Required @Pattern(Ids.ID) String id,
        @Doc("What this step does.") String description,
        @Doc("Steps that must succeed before this one.") List<@Pattern(Ids.ID) String> dependsOn,
        @Doc("Retries after a transient failure.") @Default("0") @Minimum(0) int retries,
        @Doc("Time limit of one attempt.") Duration timeout,
        @Doc("Files to read.") @Required Source source,
        @Doc("BigQuery JSON schema file (as `bq show --schema`), relative to pipeline.yml.") @Required String schema,
        @Doc("Target table as dataset.table; the dataset is mapped by the tenant's naming.") @Required @Pattern(Ids.TABLE_REF) String target,
        @Doc("How the target is written.") @Default("append") WriteMode write,
        @Doc("How many rows may fail the schema, and where they go.") BadRows badRows)
        implements Step {
    public IngestStep {
        requireNonNull(id, "id is null");
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        requireNonNull(source, "source is null");
        requireNonNull(schema, "schema is null");
        requireNonNull(target, "target is null");
        requireNonNull(write, "write is null");
    }

    @Override
    public String typeName() {
        return "ingest";
    }

    @Override
    public IngestStep withId(String newId) {
        return new IngestStep(newId, description, dependsOn, retries, timeout, source, schema, target, write, badRows);
    }

    @Override
    public IngestStep withDependsOn(List<String> newDependsOn) {
        return new IngestStep(id, description, newDependsOn, retries, timeout, source, schema, target, write, badRows);
    }
}
