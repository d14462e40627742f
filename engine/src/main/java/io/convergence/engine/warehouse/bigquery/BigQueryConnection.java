package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.storage.v1.BigQueryReadClient;
import com.google.cloud.bigquery.storage.v1.BigQueryReadSettings;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.BigQueryTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.threeten.bp.Duration;

/**
 * The official clients of one BigQuery target: the REST client (jobs, tables, datasets) and, when reachable, the
 * Storage Read client (Arrow over gRPC). Credentials come from the target's {@code credentials} setting and never
 * reach a log: {@code adc} is Application Default Credentials, {@code none} (only with an endpoint) sends none,
 * anything else is the path of a service-account key file (relative to the workspace folder).
 */
public final class BigQueryConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryConnection.class);
    private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/bigquery");

    private final BigQueryTarget target;
    private final String location;
    private final BigQuery bigquery;
    private final Credentials credentials;
    private final Optional<String> storageEndpoint;
    private final boolean storageAvailable;
    private final Object storageLock = new Object();
    private BigQueryReadClient storage;
    private volatile boolean closed;

    private BigQueryConnection(BigQueryTarget target, String location, BigQuery bigquery, Credentials credentials,
                               Optional<String> storageEndpoint, boolean storageAvailable) {
        this.target = target;
        this.location = location;
        this.bigquery = bigquery;
        this.credentials = credentials;
        this.storageEndpoint = storageEndpoint;
        this.storageAvailable = storageAvailable;
    }

    /**
     * Connects to {@code target}; jobs and new datasets use {@code location} (the tenant's, else the target's).
     * Nothing is sent yet: a bad project or unreachable endpoint shows on the first call.
     */
    public static BigQueryConnection open(BigQueryTarget target, Path workspaceRoot, String location) {
        requireNonNull(target, "target is null");
        requireNonNull(workspaceRoot, "workspaceRoot is null");
        String where = location == null || location.isBlank() ? target.location() : location;
        Optional<String> endpoint = nonBlank(target.endpoint());
        Credentials credentials = credentials(target.credentials(), endpoint.isPresent(), workspaceRoot);
        BigQueryOptions.Builder options = BigQueryOptions.newBuilder()
                .setProjectId(target.project())
                .setLocation(where)
                // Convergence retries itself (BigQueryJobs): one place that knows which calls may repeat and how
                .setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1).build())
                .setCredentials(credentials);
        endpoint.ifPresent(options::setHost);
        BigQuery bigquery = options.build().getService();
        Optional<String> storageEndpoint = nonBlank(target.storageEndpoint());
        // with a custom REST endpoint and no storage endpoint there is no Storage Read API to talk to
        boolean storageAvailable = storageEndpoint.isPresent() || endpoint.isEmpty();
        LOG.info("BigQuery target: project {}, location {}, endpoint {}, storage read {}", target.project(), where,
                endpoint.orElse("Google"), storageAvailable ? storageEndpoint.orElse("Google") : "off (REST paging)");
        return new BigQueryConnection(target, where, bigquery, credentials, storageEndpoint, storageAvailable);
    }

    /** Resolves the credentials setting; a missing or unreadable key file is a USER error naming the path only. */
    static Credentials credentials(String setting, boolean hasEndpoint, Path workspaceRoot) {
        String value = setting == null ? "adc" : setting.trim();
        if (value.equals("none")) {
            if (!hasEndpoint) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                        "credentials 'none' is only allowed with an endpoint (a local BigQuery-compatible server); use 'adc' or a key file path");
            }
            return NoCredentials.getInstance();
        }
        if (value.equals("adc") || value.isEmpty()) {
            if (!applicationDefaultCredentialsLikely(System.getenv())) {
                // off Google Cloud, the client would probe the metadata server over the network to look for them
                throw new ConvergenceException(ErrorCode.SECRET_MISSING, "no Application Default Credentials found"
                        + " (GOOGLE_APPLICATION_CREDENTIALS is unset and there is no gcloud credentials file): run"
                        + " 'gcloud auth application-default login', or set credentials to a service-account key file path");
            }
            try {
                return GoogleCredentials.getApplicationDefault().createScoped(SCOPES);
            } catch (IOException e) {
                throw new ConvergenceException(ErrorCode.SECRET_MISSING, "no Application Default Credentials found: run"
                        + " 'gcloud auth application-default login', or set credentials to a service-account key file path");
            }
        }
        Path keyFile = workspaceRoot.resolve(value).normalize();
        try (InputStream in = Files.newInputStream(keyFile)) {
            return ServiceAccountCredentials.fromStream(in).createScoped(SCOPES);
        } catch (NoSuchFileException e) {
            throw new ConvergenceException(ErrorCode.SECRET_MISSING, "the BigQuery key file " + keyFile + " does not exist");
        } catch (IOException | RuntimeException e) {
            // the parser's message may quote the file's content: keep it out of the error
            throw new ConvergenceException(ErrorCode.SECRET_MISSING, "the BigQuery key file " + keyFile
                    + " is not a readable service-account key (JSON with type 'service_account')");
        }
    }

    /**
     * Whether Application Default Credentials can be found without a network probe: the variable
     * GOOGLE_APPLICATION_CREDENTIALS, gcloud's credentials file, Cloud Shell, or a Google Cloud machine.
     */
    static boolean applicationDefaultCredentialsLikely(java.util.Map<String, String> env) {
        if (nonBlank(env.get("GOOGLE_APPLICATION_CREDENTIALS")).isPresent() || nonBlank(env.get("GCE_METADATA_HOST")).isPresent()
                || nonBlank(env.get("DEVSHELL_CLIENT_PORT")).isPresent()) {
            return true;
        }
        Optional<String> configDir = nonBlank(env.get("CLOUDSDK_CONFIG"));
        if (configDir.isEmpty()) {
            Optional<String> appData = nonBlank(env.get("APPDATA"));
            configDir = appData.isPresent() ? appData.map(a -> Path.of(a, "gcloud").toString())
                    : nonBlank(System.getProperty("user.home")).map(h -> Path.of(h, ".config", "gcloud").toString());
        }
        if (configDir.isPresent() && Files.isRegularFile(Path.of(configDir.get(), "application_default_credentials.json"))) {
            return true;
        }
        try {
            Path product = Path.of("/sys/class/dmi/id/product_name");
            return Files.isReadable(product) && Files.readString(product).contains("Google");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<String> nonBlank(String text) {
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.trim());
    }

    public BigQuery bigquery() {
        return bigquery;
    }

    public BigQueryTarget target() {
        return target;
    }

    public String project() {
        return target.project();
    }

    public String location() {
        return location;
    }

    /** The bytes-billed cap of every job, if the target sets one. */
    public Optional<Long> maximumBytesBilled() {
        return target.maximumBytesBilled() == null ? Optional.empty() : Optional.of(target.maximumBytesBilled().bytes());
    }

    public boolean storageReadAvailable() {
        return storageAvailable;
    }

    /** The Storage Read client, created on first use. */
    BigQueryReadClient storage() {
        if (!storageAvailable) {
            throw new IllegalStateException("no Storage Read endpoint");
        }
        synchronized (storageLock) {
            if (closed) {
                throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "the BigQuery connection is closed");
            }
            if (storage == null) {
                storage = createStorageClient();
            }
            return storage;
        }
    }

    private BigQueryReadClient createStorageClient() {
        try {
            BigQueryReadSettings.Builder settings = BigQueryReadSettings.newBuilder();
            if (storageEndpoint.isPresent()) {
                String endpoint = storageEndpoint.get().replaceFirst("^[a-z]+://", "");
                TransportChannelProvider channel = BigQueryReadSettings.defaultGrpcTransportProviderBuilder()
                        .setEndpoint(endpoint)
                        .setChannelConfigurator(builder -> credentials instanceof NoCredentials ? builder.usePlaintext() : builder)
                        .build();
                settings.setEndpoint(endpoint).setTransportChannelProvider(channel);
            }
            settings.setCredentialsProvider(credentials instanceof NoCredentials ? NoCredentialsProvider.create()
                    : FixedCredentialsProvider.create(credentials));
            // reading rows is a stream that can take long; keep the default retries of createReadSession
            settings.readRowsSettings().setRetrySettings(settings.readRowsSettings().getRetrySettings().toBuilder()
                    .setTotalTimeout(Duration.ofHours(6)).build());
            return BigQueryReadClient.create(settings.build());
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "cannot open the BigQuery Storage Read client: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (storageLock) {
            closed = true;
            if (storage != null) {
                storage.close();
                storage = null;
            }
        }
    }
}
