package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;

/** The local state store (SQLite) holding run history and workstation locks. */
@Doc("Local state store (SQLite) for run history and locks.")
public record StateSettings(
        @Doc("SQLite file, relative to workspace.yml.") @Default(".convergence/state.db") String path) {
    public StateSettings {
        requireNonNull(path, "path is null");
    }
}
