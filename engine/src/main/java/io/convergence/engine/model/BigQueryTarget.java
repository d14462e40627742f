package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import java.time.Duration;

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
        String storageEndpoint,
        @Doc("Lifetime of the staging tables (_cvg_stage_*) Convergence creates beside its targets: BigQuery deletes one "
                + "this long after it was made, so a run killed mid-step leaves none behind for good. Longer than any step.")
        @Default("24h") Duration stagingExpiration)
        implements Target {
    /** Staging tables normally live seconds to minutes; a day outlasts any step and still cleans up after a crash. */
    public static final Duration DEFAULT_STAGING_EXPIRATION = Duration.ofHours(24);

    public BigQueryTarget {
        requireNonNull(project, "project is null");
        requireNonNull(credentials, "credentials is null");
        requireNonNull(location, "location is null");
        stagingExpiration = stagingExpiration == null ? DEFAULT_STAGING_EXPIRATION : stagingExpiration;
    }

    /** A target with the default staging expiration. */
    public BigQueryTarget(String project, String credentials, String location, String endpoint, DataSize maximumBytesBilled,
                          String storageEndpoint) {
        this(project, credentials, location, endpoint, maximumBytesBilled, storageEndpoint, null);
    }

    /** A target without a separate Storage Read endpoint. */
    public BigQueryTarget(String project, String credentials, String location, String endpoint, DataSize maximumBytesBilled) {
        this(project, credentials, location, endpoint, maximumBytesBilled, null, null);
    }

    public BigQueryTarget withEndpoint(String newEndpoint) {
        return new BigQueryTarget(project, credentials, location, newEndpoint, maximumBytesBilled, storageEndpoint, stagingExpiration);
    }

    public BigQueryTarget withCredentials(String newCredentials) {
        return new BigQueryTarget(project, newCredentials, location, endpoint, maximumBytesBilled, storageEndpoint, stagingExpiration);
    }

    public BigQueryTarget withStorageEndpoint(String newStorageEndpoint) {
        return new BigQueryTarget(project, credentials, location, endpoint, maximumBytesBilled, newStorageEndpoint, stagingExpiration);
    }

    public BigQueryTarget withMaximumBytesBilled(DataSize newMaximumBytesBilled) {
        return new BigQueryTarget(project, credentials, location, endpoint, newMaximumBytesBilled, storageEndpoint, stagingExpiration);
    }

    public BigQueryTarget withStagingExpiration(Duration newStagingExpiration) {
        return new BigQueryTarget(project, credentials, location, endpoint, maximumBytesBilled, storageEndpoint, newStagingExpiration);
    }
}
