package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;

/** Google BigQuery through the official client; heavy work is pushed down to it. */
@Doc("Google BigQuery. Credentials are never written here: 'adc' (Application Default Credentials), "
        + "a path to a key file, or 'none' (only with an endpoint, for local test servers).")
public record BigQueryTarget(
        @Doc("Google Cloud project that runs the jobs and holds the datasets.") @Required @Pattern(Ids.PROJECT) String project,
        @Doc("adc, none, or a path to a service-account key file.") @Default("adc") String credentials,
        @Doc("Default location (region) of datasets; a tenant's location overrides it.") @Default("US") String location,
        @Doc("API root URL, for a local BigQuery-compatible server; empty means Google's.") String endpoint,
        @Doc("Upper bound on bytes billed per query job, such as 50GB.") DataSize maximumBytesBilled)
        implements Target {
    public BigQueryTarget {
        requireNonNull(project, "project is null");
        requireNonNull(credentials, "credentials is null");
        requireNonNull(location, "location is null");
    }
}
