package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import java.util.Map;

/** {@code workspace.yml}: targets, the state store, lock and quota settings shared by every tenant. */
@Doc("Workspace settings: warehouse targets, local state store and lock settings.")
public record WorkspaceConfig(
        @Doc("Name of the target used when a command does not say --target.") @Default("local") String defaultTarget,
        @Doc("Warehouse targets by name (the name given to --target).") @Required Map<@Pattern(Ids.ID) String, Target> targets,
        @Doc("Where local run history and locks are kept.") @Default("{}") StateSettings state,
        @Doc("Lock lease, heartbeat and acquisition retries.") @Default("{}") LockSettings locks) {
    public WorkspaceConfig {
        requireNonNull(defaultTarget, "defaultTarget is null");
        targets = Map.copyOf(requireNonNull(targets, "targets is null"));
        requireNonNull(state, "state is null");
        requireNonNull(locks, "locks is null");
    }
}
