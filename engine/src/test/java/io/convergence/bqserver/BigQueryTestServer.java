package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.storage.v1.BigQueryReadClient;
import com.google.cloud.bigquery.storage.v1.BigQueryReadSettings;
import com.sun.net.httpserver.HttpServer;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local BigQuery-API-compatible server backed by DuckDB, for tests and demos: the REST API the
 * google-cloud-bigquery client calls (over HTTP on 127.0.0.1) and the Storage Read API (gRPC, plaintext,
 * plus an in-process channel name). Datasets are DuckDB schemas; BigQuery SQL is translated with the
 * project's own translator. {@link #faults()} injects errors, lost responses, slow jobs and conflicts.
 *
 * <pre>{@code
 * try (BigQueryTestServer server = BigQueryTestServer.start(0, null)) {
 *     BigQuery bq = server.bigQuery("test-project");
 *     ...
 * }
 * }</pre>
 */
public final class BigQueryTestServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryTestServer.class);

    /**
     * Server settings. Ports 0 pick free ones; {@code file} null keeps data in memory; {@code gcsRoot}
     * maps {@code gs://bucket/object} to {@code gcsRoot/bucket/object} for load jobs; {@code pageSize} is
     * the default rows per results page; {@code syncWaitMillis} is how long jobs.insert waits for a job
     * to finish before answering RUNNING.
     */
    public record Options(int port, int grpcPort, Path file, String location, int pageSize, long syncWaitMillis, Path gcsRoot,
            Clock clock) {
        public Options {
            requireNonNull(location, "location is null");
            requireNonNull(clock, "clock is null");
            if (pageSize < 1) {
                throw new IllegalArgumentException("pageSize must be positive");
            }
        }

        public static Options defaults() {
            return new Options(0, 0, null, "US", 10_000, 5_000, null, Clock.systemUTC());
        }

        public Options withPort(int value) {
            return new Options(value, grpcPort, file, location, pageSize, syncWaitMillis, gcsRoot, clock);
        }

        public Options withGrpcPort(int value) {
            return new Options(port, value, file, location, pageSize, syncWaitMillis, gcsRoot, clock);
        }

        public Options withFile(Path value) {
            return new Options(port, grpcPort, value, location, pageSize, syncWaitMillis, gcsRoot, clock);
        }

        public Options withLocation(String value) {
            return new Options(port, grpcPort, file, value, pageSize, syncWaitMillis, gcsRoot, clock);
        }

        public Options withPageSize(int value) {
            return new Options(port, grpcPort, file, location, value, syncWaitMillis, gcsRoot, clock);
        }

        public Options withSyncWaitMillis(long value) {
            return new Options(port, grpcPort, file, location, pageSize, value, gcsRoot, clock);
        }

        public Options withClock(Clock value) {
            return new Options(port, grpcPort, file, location, pageSize, syncWaitMillis, gcsRoot, value);
        }

        public Options withGcsRoot(Path value) {
            return new Options(port, grpcPort, file, location, pageSize, syncWaitMillis, value, clock);
        }
    }

    private final Options options;
    private final Catalog catalog;
    private final FaultInjector faults;
    private final Jobs jobs;
    private final HttpServer http;
    private final ExecutorService httpThreads;
    private final BufferAllocator allocator;
    private final Server grpc;
    private final Server inProcess;
    private final String inProcessName;

    private BigQueryTestServer(Options options) throws IOException {
        this.options = options;
        this.catalog = Catalog.open(options.file(), options.clock(), options.location());
        this.faults = new FaultInjector();
        Loader loader = new Loader(catalog, options.gcsRoot());
        JobRunner runner = new JobRunner(catalog, faults, loader);
        this.jobs = new Jobs(catalog, runner, faults);
        RestApi api = new RestApi(catalog, jobs, runner, loader, faults, options);
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 64);
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bqserver-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(httpThreads);
        http.createContext("/", api);
        http.start();
        api.endpoint(endpoint());
        this.allocator = new RootAllocator(Long.MAX_VALUE);
        StorageReadService read = new StorageReadService(catalog, faults, allocator);
        this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.grpcPort()))
                .addService(read)
                .build()
                .start();
        this.inProcessName = "bqserver-" + UUID.randomUUID();
        this.inProcess = InProcessServerBuilder.forName(inProcessName).addService(read).build().start();
        LOG.info("BigQuery test server: REST {} Storage Read {} ({})", endpoint(), storageEndpoint(),
                options.file() == null ? "in memory" : options.file());
    }

    /** Starts a server on {@code port} (0: any free port) over {@code duckdbFile}, or in memory if it is null. */
    public static BigQueryTestServer start(int port, Path duckdbFile) {
        return start(Options.defaults().withPort(port).withFile(duckdbFile));
    }

    public static BigQueryTestServer start(Options options) {
        try {
            return new BigQueryTestServer(requireNonNull(options, "options is null"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the BigQuery test server", e);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}, for {@code BigQueryOptions.setHost}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public int storagePort() {
        return grpc.getPort();
    }

    /** {@code 127.0.0.1:PORT} of the Storage Read gRPC server (plaintext), for {@code BigQueryReadSettings.setEndpoint}. */
    public String storageEndpoint() {
        return "127.0.0.1:" + storagePort();
    }

    /** The name of the in-process gRPC server ({@code InProcessChannelBuilder.forName}). */
    public String inProcessName() {
        return inProcessName;
    }

    public FaultInjector faults() {
        return faults;
    }

    public Options options() {
        return options;
    }

    /** The storage, for harnesses in this package that compare against DuckDB directly. */
    Catalog catalog() {
        return catalog;
    }

    /**
     * A real BigQuery client pointed at this server, without credentials, retrying transient errors
     * after 10 ms instead of a second so fault-injection tests stay fast.
     */
    public BigQuery bigQuery(String projectId) {
        return BigQueryOptions.newBuilder()
                .setHost(endpoint())
                .setProjectId(projectId)
                .setLocation(options.location())
                .setCredentials(NoCredentials.getInstance())
                .setRetrySettings(RetrySettings.newBuilder()
                        .setMaxAttempts(6)
                        .setInitialRetryDelayDuration(java.time.Duration.ofMillis(10))
                        .setRetryDelayMultiplier(2.0)
                        .setMaxRetryDelayDuration(java.time.Duration.ofMillis(200))
                        .setTotalTimeoutDuration(java.time.Duration.ofMinutes(2))
                        .setInitialRpcTimeoutDuration(java.time.Duration.ofMinutes(1))
                        .setMaxRpcTimeoutDuration(java.time.Duration.ofMinutes(1))
                        .setRpcTimeoutMultiplier(1.0)
                        .build())
                .build()
                .getService();
    }

    /** A real Storage Read client pointed at this server over plaintext loopback TCP. */
    public BigQueryReadClient readClient() {
        try {
            BigQueryReadSettings settings = BigQueryReadSettings.newBuilder()
                    .setEndpoint(storageEndpoint())
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .setTransportChannelProvider(BigQueryReadSettings.defaultGrpcTransportProviderBuilder()
                            .setChannelConfigurator(ManagedChannelBuilder::usePlaintext)
                            .build())
                    .build();
            return BigQueryReadClient.create(settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        httpThreads.shutdownNow();
        grpc.shutdownNow();
        inProcess.shutdownNow();
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
            inProcess.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        jobs.close();
        catalog.close();
        allocator.close();
    }
}
