package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Pattern;

/** The embedded local warehouse: one DuckDB file per workspace. */
@Doc("Embedded DuckDB warehouse; one file per workspace, readable by any DuckDB client.")
public record DuckDbTarget(
        @Doc("Database file, relative to workspace.yml.") @Default(".convergence/warehouse.duckdb") String path,
        @Doc("DuckDB worker threads; 0 means one per core.") @Default("0") @Minimum(0) int threads,
        @Doc("DuckDB memory limit such as 2GB; empty means DuckDB's default (80% of RAM). DuckDB keeps the data it writes cached up to this limit, so it is what bounds the memory of a large load.") @Pattern(DataSize.PATTERN) String memoryLimit)
        implements Target {
    public DuckDbTarget {
        requireNonNull(path, "path is null");
    }
}
