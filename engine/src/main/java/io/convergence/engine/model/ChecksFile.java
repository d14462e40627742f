package io.convergence.engine.model;

import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Required;
import java.util.List;

/** A checks file ({@code checks/*.yml}) referenced by quality steps. */
@Doc("A checks file referenced by a quality step.")
public record ChecksFile(@Doc("The checks.") @Required List<Check> checks) {
    public ChecksFile {
        checks = List.copyOf(checks);
    }
}
