package io.convergence.engine.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.convergence.engine.model.meta.Doc;

/** A warehouse a pipeline can run on; the YAML key {@code type} picks the kind. */
@Doc("A warehouse target; 'type' selects duckdb (embedded, local) or bigquery.")
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DuckDbTarget.class, name = "duckdb"),
        @JsonSubTypes.Type(value = BigQueryTarget.class, name = "bigquery")})
public sealed interface Target permits DuckDbTarget, BigQueryTarget {
}
