package io.convergence.engine.warehouse.bigquery;

import com.google.api.gax.rpc.ServerStream;
import com.google.cloud.bigquery.storage.v1.ArrowSchema;
import com.google.cloud.bigquery.storage.v1.BigQueryReadClient;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.RowStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Rows of a table read through the BigQuery Storage Read API: one read session, its streams read one after the
 * other, each response an Arrow record batch decoded into a reused {@link VectorSchemaRoot}. Memory stays at one
 * batch whatever the table's size.
 */
final class StorageReadStream implements RowStream {
    private final BufferAllocator allocator;
    private final VectorSchemaRoot root;
    private final VectorLoader loader;
    private List<QueryResult.Column> columns;
    private final Iterator<String> streams;
    private final BigQueryReadClient client;
    private ServerStream<ReadRowsResponse> current;
    private Iterator<ReadRowsResponse> responses;
    private int row;
    private boolean closed;

    private StorageReadStream(BigQueryReadClient client, ReadSession session) {
        this.client = client;
        this.allocator = new RootAllocator(Long.MAX_VALUE);
        try {
            Schema schema = deserializeSchema(session.getArrowSchema());
            this.root = VectorSchemaRoot.create(schema, allocator);
        } catch (RuntimeException e) {
            allocator.close();
            throw e;
        }
        this.loader = new VectorLoader(root);
        List<QueryResult.Column> cols = new ArrayList<>();
        for (Field f : root.getSchema().getFields()) {
            cols.add(new QueryResult.Column(f.getName(), ArrowRows.typeName(f)));
        }
        this.columns = List.copyOf(cols);
        List<String> names = new ArrayList<>();
        session.getStreamsList().forEach(s -> names.add(s.getName()));
        this.streams = names.iterator();
        root.setRowCount(0);
    }

    /** Opens a read session on {@code project.dataset.table} and starts reading. */
    static StorageReadStream open(BigQueryReadClient client, String project, String dataset, String table, List<QueryResult.Column> knownColumns) {
        String path = "projects/" + project + "/datasets/" + dataset + "/tables/" + table;
        ReadSession session = client.createReadSession(CreateReadSessionRequest.newBuilder()
                .setParent("projects/" + project)
                .setReadSession(ReadSession.newBuilder().setTable(path).setDataFormat(DataFormat.ARROW))
                // one stream keeps rows in the table's order, which the result of an ORDER BY query relies on
                .setMaxStreamCount(1)
                .build());
        StorageReadStream stream = new StorageReadStream(client, session);
        return knownColumns == null ? stream : stream.withColumns(knownColumns);
    }

    private StorageReadStream withColumns(List<QueryResult.Column> known) {
        // the REST schema knows DATETIME from TIMESTAMP and NUMERIC widths precisely; prefer it when it matches
        if (known.size() == columns.size()) {
            columns = List.copyOf(known);
        }
        return this;
    }

    private static Schema deserializeSchema(ArrowSchema schema) {
        try {
            return MessageSerializer.deserializeSchema(new ReadChannel(new ByteArrayReadableSeekableByteChannel(
                    schema.getSerializedSchema().toByteArray())));
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "the Storage Read API sent an unreadable Arrow schema", e);
        }
    }

    @Override
    public List<QueryResult.Column> columns() {
        return columns;
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        while (row >= root.getRowCount()) {
            if (!nextBatch()) {
                return false;
            }
        }
        return true;
    }

    private boolean nextBatch() {
        try {
            return readBatch();
        } catch (com.google.api.gax.rpc.ApiException e) {
            close();
            // the client already resumed broken streams at their offset; what is left is worth a retry of the step
            throw new ConvergenceException(ErrorCode.WAREHOUSE_TRANSIENT, "reading rows through the BigQuery Storage Read API failed: "
                    + e.getMessage(), e);
        }
    }

    private boolean readBatch() {
        while (responses == null || !responses.hasNext()) {
            if (!streams.hasNext()) {
                return false;
            }
            current = client.readRowsCallable().call(ReadRowsRequest.newBuilder().setReadStream(streams.next()).build());
            responses = current.iterator();
        }
        ReadRowsResponse response = responses.next();
        byte[] bytes = response.getArrowRecordBatch().getSerializedRecordBatch().toByteArray();
        try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(
                new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes)), allocator)) {
            loader.load(batch);
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, "the Storage Read API sent an unreadable Arrow batch", e);
        }
        row = 0;
        return true;
    }

    @Override
    public List<Object> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return java.util.Collections.unmodifiableList(ArrowRows.row(root, row++));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.cancel();
        }
        root.close();
        allocator.close();
    }
}
