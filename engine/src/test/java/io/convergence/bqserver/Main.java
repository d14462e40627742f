package io.convergence.bqserver;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the BigQuery test server until stopped (Ctrl-C or SIGTERM), for demos and manual checks:
 * {@code engine/bin/bigquery-test-server --port 9050 [--grpc-port 9051] [--file data.duckdb]
 * [--location US] [--gcs-root DIR]}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        BigQueryTestServer.Options options = BigQueryTestServer.Options.defaults();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port":
                    options = options.withPort(Integer.parseInt(required(args[i], value)));
                    i++;
                    break;
                case "--grpc-port":
                    options = options.withGrpcPort(Integer.parseInt(required(args[i], value)));
                    i++;
                    break;
                case "--file":
                    options = options.withFile(Path.of(required(args[i], value)));
                    i++;
                    break;
                case "--location":
                    options = options.withLocation(required(args[i], value));
                    i++;
                    break;
                case "--gcs-root":
                    options = options.withGcsRoot(Path.of(required(args[i], value)));
                    i++;
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: bigquery-test-server --port PORT [--grpc-port PORT] [--file FILE.duckdb]"
                            + " [--location US] [--gcs-root DIR]");
                    return;
                default:
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
            }
        }
        BigQueryTestServer server = BigQueryTestServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "bqserver-shutdown"));
        System.out.println("BigQuery test server listening: REST " + server.endpoint() + "  Storage Read (gRPC) "
                + server.storageEndpoint() + "  data " + (options.file() == null ? "in memory" : options.file()));
        System.out.flush();
        stopped.await();
    }

    private static String required(String option, String value) {
        if (value == null) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
