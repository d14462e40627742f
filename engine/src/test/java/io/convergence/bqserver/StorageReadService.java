package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.bigquery.storage.v1.ArrowRecordBatch;
import com.google.cloud.bigquery.storage.v1.ArrowSchema;
import com.google.cloud.bigquery.storage.v1.BigQueryReadGrpc;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import com.google.cloud.bigquery.storage.v1.SplitReadStreamRequest;
import com.google.cloud.bigquery.storage.v1.SplitReadStreamResponse;
import com.google.cloud.bigquery.storage.v1.StreamStats;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BigQuery Storage Read API over DuckDB: a read session splits a table into rowid ranges, one per
 * stream, and each stream sends DuckDB's own Arrow export of the rows (C Data interface, no per-value
 * copying in Java) in batches of up to {@value #MAX_BATCH_ROWS} rows and a few MB. Reads resume at a row offset, as the client does after a broken stream. Column
 * selection and row restrictions (in BigQuery SQL) are honoured; sessions are not snapshots.
 */
final class StorageReadService extends BigQueryReadGrpc.BigQueryReadImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(StorageReadService.class);
    static final int MAX_BATCH_ROWS = 65_536;
    /** Stays under gRPC's default 4 MB inbound limit of clients built without the read settings' own provider. */
    private static final int MAX_BATCH_BYTES = 3 << 20;
    private static final long ROWS_PER_STREAM = 1_000_000;
    private static final Pattern TABLE = Pattern.compile("projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)");
    private static final Pattern STREAM = Pattern.compile("(projects/[^/]+/locations/[^/]+/sessions/[^/]+)/streams/(\\d+)");

    private final Catalog catalog;
    private final FaultInjector faults;
    private final BufferAllocator allocator;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /** A read session: table, columns, restriction and each stream's rowid range. */
    private record Session(String name, Catalog.TableInfo table, List<JsonNode> fields, String restriction, List<long[]> ranges,
            Schema schema) {
    }

    StorageReadService(Catalog catalog, FaultInjector faults, BufferAllocator allocator) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.faults = requireNonNull(faults, "faults is null");
        this.allocator = requireNonNull(allocator, "allocator is null");
    }

    @Override
    public void createReadSession(CreateReadSessionRequest request, StreamObserver<ReadSession> responseObserver) {
        try {
            responseObserver.onNext(createSession(request));
            responseObserver.onCompleted();
        } catch (BqException e) {
            responseObserver.onError(status(e).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.warn("createReadSession failed", e);
            responseObserver.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
        }
    }

    private ReadSession createSession(CreateReadSessionRequest request) {
        catalog.dropExpiredTables();
        ReadSession wanted = request.getReadSession();
        Matcher m = TABLE.matcher(wanted.getTable());
        if (!m.matches()) {
            throw BqException.invalid("Invalid table name " + wanted.getTable() + "; expected projects/p/datasets/d/tables/t");
        }
        if (wanted.getDataFormat() == DataFormat.AVRO) {
            throw BqException.invalid("The BigQuery test server serves Arrow only");
        }
        String project = m.group(1);
        Catalog.TableInfo table = catalog.table(m.group(2), m.group(3));
        if (table == null) {
            throw BqException.notFound("Table " + project + ":" + m.group(2) + "." + m.group(3));
        }
        List<JsonNode> fields = new ArrayList<>();
        List<String> selected = wanted.getReadOptions().getSelectedFieldsList();
        for (JsonNode f : catalog.schema(table).path("fields")) {
            if (selected.isEmpty() || selected.contains(f.path("name").asText())) {
                fields.add(f);
            }
        }
        for (String s : selected) {
            if (fields.stream().noneMatch(f -> f.path("name").asText().equals(s.split("\\.")[0]))) {
                throw BqException.invalid("Field " + s + " not found in table " + wanted.getTable());
            }
        }
        String restriction = wanted.getReadOptions().getRowRestriction();
        String duckRestriction = restriction.isBlank() ? null : BqSql.translate(restriction);
        long maxRowid;
        try (Connection c = catalog.connect()) {
            maxRowid = table.view() ? 0 : JobRunner.longValue(c, "SELECT coalesce(max(rowid), -1) FROM " + table.quoted());
            if (duckRestriction != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table.quoted() + " WHERE " + duckRestriction)) {
                    ps.getMetaData();
                }
            }
        } catch (SQLException e) {
            throw BqException.invalid("Invalid row restriction: " + e.getMessage());
        }
        long rows = maxRowid + 1;
        int streams = table.view() ? 1 : (int) Math.max(1, Math.min(request.getMaxStreamCount() > 0 ? request.getMaxStreamCount() : 16,
                (rows + ROWS_PER_STREAM - 1) / ROWS_PER_STREAM));
        List<long[]> ranges = new ArrayList<>();
        long per = (rows + streams - 1) / Math.max(1, streams);
        for (int i = 0; i < streams; i++) {
            ranges.add(new long[] {i * per, Math.min(rows, (i + 1) * per)});
        }
        String location = catalog.location(table.dataset()).toLowerCase(java.util.Locale.ROOT);
        String name = "projects/" + project + "/locations/" + location + "/sessions/" + UUID.randomUUID().toString().replace("-", "");
        Schema schema;
        try (Connection c = catalog.connect();
                PreparedStatement ps = c.prepareStatement(select(table, fields, null, null, 0) + " LIMIT 0");
                ResultSet rs = ps.executeQuery();
                ArrowReader reader = (ArrowReader) ((DuckDBResultSet) rs).arrowExportStream(allocator, 1024)) {
            schema = ArrowRows.schema(reader.getVectorSchemaRoot().getSchema(), fields);
        } catch (SQLException | java.io.IOException e) {
            throw new BqException(500, "internalError", "cannot read the Arrow schema of " + table.quoted() + ": " + e.getMessage());
        }
        sessions.put(name, new Session(name, table, fields, duckRestriction, ranges, schema));
        ReadSession.Builder session = ReadSession.newBuilder()
                .setName(name)
                .setTable(wanted.getTable())
                .setDataFormat(DataFormat.ARROW)
                .setReadOptions(wanted.getReadOptions())
                .setArrowSchema(ArrowSchema.newBuilder().setSerializedSchema(ByteString.copyFrom(ArrowRows.serialize(schema))))
                .setExpireTime(Timestamp.newBuilder().setSeconds(catalog.clock().millis() / 1000 + 6 * 3600))
                .setEstimatedRowCount(rows);
        for (int i = 0; i < ranges.size(); i++) {
            session.addStreams(ReadStream.newBuilder().setName(name + "/streams/" + i));
        }
        return session.build();
    }

    @Override
    public void readRows(ReadRowsRequest request, StreamObserver<ReadRowsResponse> responseObserver) {
        ServerCallStreamObserver<ReadRowsResponse> out = (ServerCallStreamObserver<ReadRowsResponse>) responseObserver;
        try {
            Matcher m = STREAM.matcher(request.getReadStream());
            Session session = m.matches() ? sessions.get(m.group(1)) : null;
            if (session == null || Integer.parseInt(m.group(2)) >= session.ranges().size()) {
                throw BqException.notFound("Stream " + request.getReadStream());
            }
            stream(session, session.ranges().get(Integer.parseInt(m.group(2))), request.getOffset(), out, faults.takeBrokenReadStream());
        } catch (BqException e) {
            out.onError(status(e).asRuntimeException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.asRuntimeException());
        } catch (SQLException | java.io.IOException | RuntimeException e) {
            if (!out.isCancelled()) {
                LOG.warn("readRows failed", e);
                out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            }
        }
    }

    /** The stream's query: the selected columns as stored, its rowid range and restriction, from an offset. */
    private static String select(Catalog.TableInfo table, List<JsonNode> fields, long[] range, String restriction, long offset) {
        List<String> columns = new ArrayList<>();
        for (JsonNode f : fields) {
            columns.add(BqTypes.quote(f.path("name").asText()));
        }
        StringBuilder sql = new StringBuilder("SELECT ").append(columns.isEmpty() ? "1" : String.join(", ", columns))
                .append(" FROM ").append(table.quoted());
        List<String> where = new ArrayList<>();
        if (range != null && !table.view()) {
            where.add("rowid >= " + range[0] + " AND rowid < " + range[1]);
        }
        if (restriction != null) {
            where.add("(" + restriction + ")");
        }
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        if (offset > 0) {
            sql.append(" OFFSET ").append(offset);
        }
        return sql.toString();
    }

    /** Rows per batch: up to {@value #MAX_BATCH_ROWS}, fewer for wide rows so a message stays a few MB. */
    private static int batchRows(List<JsonNode> fields) {
        long width = 8;
        for (JsonNode f : fields) {
            int w = BqTypes.fixedWidth(f.path("type").asText());
            width += "REPEATED".equals(f.path("mode").asText()) ? 128 : w > 0 ? w + 1 : 40;
        }
        return (int) Math.max(1024, Math.min(MAX_BATCH_ROWS, MAX_BATCH_BYTES / width));
    }

    private void stream(Session session, long[] range, long offset, ServerCallStreamObserver<ReadRowsResponse> out, boolean breakAfterFirst)
            throws SQLException, InterruptedException, java.io.IOException {
        long sent = offset;
        try (Connection c = catalog.connect();
                PreparedStatement ps = c.prepareStatement(select(session.table(), session.fields(), range, session.restriction(), offset));
                ResultSet rs = ps.executeQuery();
                BufferAllocator streamAllocator = allocator.newChildAllocator("read-stream", 0, Long.MAX_VALUE);
                ArrowReader reader = (ArrowReader) ((DuckDBResultSet) rs).arrowExportStream(streamAllocator, batchRows(session.fields()))) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            boolean more = reader.loadNextBatch();
            while (more) {
                int rows = root.getRowCount();
                byte[] batch = ArrowRows.serialize(root);
                more = reader.loadNextBatch();
                if (rows == 0) {
                    continue;
                }
                while (!out.isReady()) {
                    if (out.isCancelled()) {
                        return;
                    }
                    Thread.sleep(1);
                }
                if (out.isCancelled()) {
                    return;
                }
                long before = sent;
                sent += rows;
                out.onNext(ReadRowsResponse.newBuilder()
                        .setArrowRecordBatch(ArrowRecordBatch.newBuilder().setSerializedRecordBatch(UnsafeByteOperations.unsafeWrap(batch)).setRowCount(rows))
                        .setRowCount(rows)
                        .setStats(StreamStats.newBuilder().setProgress(StreamStats.Progress.newBuilder()
                                .setAtResponseStart(fraction(before, range)).setAtResponseEnd(fraction(sent, range))))
                        .build());
                if (breakAfterFirst && more) {
                    out.onError(Status.UNAVAILABLE.withDescription("Injected fault: stream broken").asRuntimeException());
                    return;
                }
            }
        }
        out.onCompleted();
    }

    private static double fraction(long rows, long[] range) {
        long size = range[1] - range[0];
        return size <= 0 ? 1.0 : Math.min(1.0, (double) rows / size);
    }

    @Override
    public void splitReadStream(SplitReadStreamRequest request, StreamObserver<SplitReadStreamResponse> responseObserver) {
        // a stream that cannot be split answers with neither primary nor remainder
        responseObserver.onNext(SplitReadStreamResponse.getDefaultInstance());
        responseObserver.onCompleted();
    }

    private static Status status(BqException e) {
        switch (e.status()) {
            case 404:
                return Status.NOT_FOUND.withDescription(e.getMessage());
            case 400:
                return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
            default:
                return Status.INTERNAL.withDescription(e.getMessage());
        }
    }
}
