package io.convergence.engine.model;

/** Input file formats. */
public enum FileFormat {
    CSV, NDJSON, PARQUET
}
