package io.convergence.engine.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.convergence.engine.model.meta.Doc;
import java.time.Duration;
import java.util.List;

/** A node of the pipeline DAG; the YAML key {@code type} picks the kind. */
@Doc("A step; 'type' selects ingest, transform or quality.")
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = IngestStep.class, name = "ingest"),
        @JsonSubTypes.Type(value = TransformStep.class, name = "transform"),
        @JsonSubTypes.Type(value = QualityStep.class, name = "quality")})
public sealed interface Step permits IngestStep, TransformStep, QualityStep {
    String id();

    String description();

    List<String> dependsOn();

    int retries();

    Duration timeout();

    /** The YAML spelling of this step's type. */
    String typeName();

    Step withId(String newId);

    Step withDependsOn(List<String> newDependsOn);
}
