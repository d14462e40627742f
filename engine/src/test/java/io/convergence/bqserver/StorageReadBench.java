package io.convergence.bqserver;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.storage.v1.BigQueryReadClient;
import com.google.cloud.bigquery.storage.v1.BigQueryReadSettings;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.duckdb.DuckDBResultSet;

/**
 * Benchmark harness (not a test): Storage Read streaming of an N-row table from the test server through
 * the real BigQueryReadClient, over loopback TCP and in-process, each client batch deserialized and
 * loaded into Arrow vectors; baselines in the same run: DuckDB reading the same table in process through
 * JDBC (every value fetched) and as an Arrow export (what the server sends, without gRPC). Arguments: {@code [rows=10000000] [streams=1,2]}. Numbers go to docs/benchmarks.md.
 */
public final class StorageReadBench {
    /** BigQuery SQL for the benchmark table's columns over {@code x}. */
    private static final String COLUMNS = "x AS id, CAST(x AS FLOAT64) * 1.5 AS amount, CONCAT('customer-', CAST(MOD(x, 100000) AS STRING)) AS name,"
            + " DATE_ADD(DATE '2024-01-01', INTERVAL MOD(x, 365) DAY) AS day, TIMESTAMP_SECONDS(1700000000 + x) AS at";

    private StorageReadBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        List<Integer> streamCounts = new ArrayList<>();
        for (String s : (args.length > 1 ? args[1] : "1,2").split(",")) {
            streamCounts.add(Integer.parseInt(s));
        }
        System.out.printf(Locale.ROOT, "StorageReadBench: %,d rows (BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMPTZ), %d cores, %s%n",
                rows, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (BigQueryTestServer server = BigQueryTestServer.start(0, null); BufferAllocator allocator = new RootAllocator()) {
            BigQuery bq = server.bigQuery("bench");
            bq.create(DatasetInfo.of("b"));
            long t0 = System.nanoTime();
            bq.query(QueryJobConfiguration.of("CREATE TABLE b.t AS SELECT " + COLUMNS + " FROM range(" + rows + ") AS r(x)"));
            System.out.printf(Locale.ROOT, "table created through a query job in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            for (int round = 0; round < 2; round++) {
                String label = round == 0 ? "warm-up" : "measured";
                report(label + "  baseline: DuckDB JDBC scan, every value fetched (in process)", rows, jdbcBaseline(server));
                report(label + "  baseline: DuckDB Arrow export, 64k-row batches (in process)", rows, arrowBaseline(server, allocator));
                for (int streams : streamCounts) {
                    try (BigQueryReadClient client = server.readClient()) {
                        report(label + "  Storage Read, loopback TCP, " + streams + " stream(s)", rows, read(client, allocator, streams));
                    }
                    ManagedChannel channel = InProcessChannelBuilder.forName(server.inProcessName()).usePlaintext().build();
                    try (BigQueryReadClient client = BigQueryReadClient.create(BigQueryReadSettings.newBuilder()
                            .setCredentialsProvider(NoCredentialsProvider.create())
                            .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                            .build())) {
                        report(label + "  Storage Read, in-process channel, " + streams + " stream(s)", rows, read(client, allocator, streams));
                    } finally {
                        channel.shutdownNow();
                    }
                }
            }
        }
    }

    private static void report(String what, long rows, long nanos) {
        System.out.printf(Locale.ROOT, "%-70s %7.2f s  %6.2f M rows/s%n", what, nanos / 1e9, rows / (nanos / 1e9) / 1e6);
    }

    /** DuckDB alone: the server's own per-stream query, every value fetched through JDBC, nothing sent. */
    private static long jdbcBaseline(BigQueryTestServer server) throws Exception {
        // the server's database is in memory: the baseline uses a connection to that same database
        Catalog catalog = server.catalog();
        long start = System.nanoTime();
        long n = 0;
        try (Connection c = catalog.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, amount, CAST(name AS VARCHAR), CAST(day - DATE '1970-01-01' AS INTEGER),"
                        + " epoch_us(\"at\") FROM b.t")) {
            long sink = 0;
            while (rs.next()) {
                sink += rs.getLong(1) + (long) rs.getDouble(2) + rs.getString(3).length() + rs.getInt(4) + rs.getLong(5);
                n++;
            }
            if (sink == 42) {
                System.out.println();
            }
        }
        return System.nanoTime() - start;
    }

    /** DuckDB alone: the same table exported as Arrow batches through the C Data interface, nothing sent. */
    private static long arrowBaseline(BigQueryTestServer server, BufferAllocator allocator) throws Exception {
        long start = System.nanoTime();
        long n = 0;
        try (Connection c = server.catalog().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM b.t");
                ArrowReader reader = (ArrowReader) ((DuckDBResultSet) rs).arrowExportStream(allocator, 65_536)) {
            while (reader.loadNextBatch()) {
                n += reader.getVectorSchemaRoot().getRowCount();
            }
        }
        if (n <= 0) {
            throw new IllegalStateException("exported no rows");
        }
        return System.nanoTime() - start;
    }

    /** Reads the whole table through {@code streams} parallel streams, loading each batch into vectors. */
    private static long read(BigQueryReadClient client, BufferAllocator allocator, int streams) throws Exception {
        long start = System.nanoTime();
        ReadSession session = client.createReadSession(CreateReadSessionRequest.newBuilder()
                .setParent("projects/bench")
                .setReadSession(ReadSession.newBuilder().setTable("projects/bench/datasets/b/tables/t").setDataFormat(DataFormat.ARROW))
                .setMaxStreamCount(streams)
                .build());
        Schema schema = MessageSerializer.deserializeSchema(new ReadChannel(new ByteArrayReadableSeekableByteChannel(
                session.getArrowSchema().getSerializedSchema().toByteArray())));
        ExecutorService pool = Executors.newFixedThreadPool(session.getStreamsCount());
        try {
            List<Future<Long>> parts = new ArrayList<>();
            for (ReadStream stream : session.getStreamsList()) {
                parts.add(pool.submit(() -> readStream(client, allocator, schema, stream.getName())));
            }
            long total = 0;
            for (Future<Long> part : parts) {
                total += part.get();
            }
            if (total <= 0) {
                throw new IllegalStateException("read no rows");
            }
        } finally {
            pool.shutdownNow();
        }
        return System.nanoTime() - start;
    }

    private static long readStream(BigQueryReadClient client, BufferAllocator allocator, Schema schema, String stream) throws IOException {
        long rows = 0;
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            VectorLoader loader = new VectorLoader(root);
            for (ReadRowsResponse response : client.readRowsCallable().call(ReadRowsRequest.newBuilder().setReadStream(stream).build())) {
                try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(new ReadChannel(new ByteArrayReadableSeekableByteChannel(
                        response.getArrowRecordBatch().getSerializedRecordBatch().toByteArray())), allocator)) {
                    loader.load(batch);
                }
                rows += root.getRowCount();
            }
        }
        return rows;
    }
}
