package io.convergence.engine.model;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Pattern;

/** Tolerance for rows that fail the schema. */
@Doc("Rows that fail the schema: how many are tolerated, and the quarantine table that keeps them.")
public record BadRows(
        @Doc("Most rejected rows before the step fails.") @Default("0") @Minimum(0) long max,
        @Doc("Quarantine table as dataset.table; default is the target table with suffix _rejected.")
        @Pattern(Ids.TABLE_REF) String quarantine) {
}
