package io.convergence.engine.model;

import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;

/** Token-bucket quotas per tenant; an absent limit means unlimited. */
@Doc("Token-bucket quotas; an absent limit means unlimited.")
public record Quotas(
        @Doc("Warehouse queries started per minute (bucket refill rate).") @Minimum(1) Integer queriesPerMinute,
        @Doc("Bucket size: queries that may start at once after a quiet period.") @Minimum(1) Integer burst,
        @Doc("Bytes billed per day on BigQuery, such as 1TB.") DataSize bytesPerDay,
        @Doc("Runs of this tenant that may be active at once on this workstation.") @Minimum(1) Integer maxConcurrentRuns) {
}
