package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Key;
import io.convergence.engine.model.meta.Required;
import io.convergence.engine.model.meta.Scalar;

/** A declared query parameter. */
@Doc("A query parameter. 'default' for a date may be 'today' or 'yesterday' (in the run's clock).")
public record Parameter(
        @Doc("BigQuery type of the value.") @Required ParameterType type,
        @Doc("Value when the run does not give one; without it the parameter is required.") @Key("default") @Scalar String defaultValue,
        @Doc("What the parameter means.") String description) {
    public Parameter {
        requireNonNull(type, "type is null");
    }
}
