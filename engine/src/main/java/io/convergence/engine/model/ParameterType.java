package io.convergence.engine.model;

/** BigQuery types a query parameter may have. */
public enum ParameterType {
    STRING, INT64, FLOAT64, BOOL, DATE, TIMESTAMP
}
