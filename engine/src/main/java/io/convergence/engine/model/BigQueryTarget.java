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
        @Doc("Upper bound on bytes billed per query job, such as 50GB.") DataSize maximumBytesBilled,
        @Doc("host:port of the Storage Read API (gRPC, plaintext), for a local BigQuery-compatible server; empty means "
                + "Google's, or none when an endpoint is set (table reads then page through the REST API).")
        String storageEndpoint)
        implements Target {
    public BigQueryTarget {
        requireNonNull(project, "project is null");
        requireNonNull(credentials, "credentials is null");
        requireNonNull(location, "location is null");
    }

    /** A target without a separate Storage Read endpoint. */
    public BigQueryTarget(String project, String credentials, String location, String endpoint, DataSize maximumBytesBilled) {
        this(project, credentials, location, endpoint, maximumBytesBilled, null);
    }

    public BigQueryTarget withEndpoint(String newEndpoint) {
        return new BigQueryTarget(project, credentials, location, newEndpoint, maximumBytesBilled, storageEndpoint);
    }

    public BigQueryTarget withCredentials(String newCredentials) {
        return new BigQueryTarget(project, newCredentials, location, endpoint, maximumBytesBilled, storageEndpoint);
    }

    public BigQueryTarget withStorageEndpoint(String newStorageEndpoint) {
        return new BigQueryTarget(project, credentials, location, endpoint, maximumBytesBilled, newStorageEndpoint);
    }
}
