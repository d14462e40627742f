package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.storage.v1.BigQueryReadClient;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Storage Read API through the real BigQueryReadClient over plaintext loopback gRPC. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BigQueryTestServerStorageReadTest {
    private static final int ROWS = 150_000;
    private BigQueryTestServer server;
    private BigQueryReadClient client;
    private BufferAllocator allocator;

    @BeforeAll
    void start() throws InterruptedException {
        server = BigQueryTestServer.start(0, null);
        BigQuery bq = server.bigQuery("test-project");
        bq.create(DatasetInfo.of("s"));
        bq.query(QueryJobConfiguration.of("CREATE TABLE s.big AS SELECT x AS id, CONCAT('name-', CAST(x AS STRING)) AS name,"
                + " DATE_ADD(DATE '2024-01-01', INTERVAL MOD(x, 30) DAY) AS day, TIMESTAMP_SECONDS(1700000000 + x) AS at,"
                + " CAST(x AS NUMERIC) * 0.25 AS amount FROM UNNEST(GENERATE_ARRAY(0, " + (ROWS - 1) + ")) AS x"));
        client = server.readClient();
        allocator = new RootAllocator();
    }

    @AfterAll
    void stop() {
        client.close();
        allocator.close();
        server.close();
    }

    private ReadSession session(int maxStreams, List<String> fields, String restriction) {
        ReadSession.TableReadOptions.Builder options = ReadSession.TableReadOptions.newBuilder().addAllSelectedFields(fields);
        if (restriction != null) {
            options.setRowRestriction(restriction);
        }
        return client.createReadSession(CreateReadSessionRequest.newBuilder()
                .setParent("projects/test-project")
                .setReadSession(ReadSession.newBuilder()
                        .setTable("projects/test-project/datasets/s/tables/big")
                        .setDataFormat(DataFormat.ARROW)
                        .setReadOptions(options))
                .setMaxStreamCount(maxStreams)
                .build());
    }

    private static Schema schema(ReadSession session) throws IOException {
        return MessageSerializer.deserializeSchema(new ReadChannel(new ByteArrayReadableSeekableByteChannel(
                session.getArrowSchema().getSerializedSchema().toByteArray())));
    }

    /** Reads every stream; calls back with each loaded batch. */
    private int read(ReadSession session, java.util.function.Consumer<VectorSchemaRoot> each) throws IOException {
        int batches = 0;
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema(session), allocator)) {
            VectorLoader loader = new VectorLoader(root);
            for (ReadStream stream : session.getStreamsList()) {
                for (ReadRowsResponse response : client.readRowsCallable().call(ReadRowsRequest.newBuilder().setReadStream(stream.getName()).build())) {
                    try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(new ReadChannel(new ByteArrayReadableSeekableByteChannel(
                            response.getArrowRecordBatch().getSerializedRecordBatch().toByteArray())), allocator)) {
                        loader.load(batch);
                    }
                    assertThat(response.getRowCount()).isEqualTo(root.getRowCount());
                    each.accept(root);
                    batches++;
                }
            }
        }
        return batches;
    }

    @Test
    void readsATableOfSeveralBatchesWithBigQueryArrowTypes() throws IOException {
        ReadSession session = session(1, List.of(), null);
        assertThat(session.getStreamsCount()).isEqualTo(1);
        assertThat(session.getEstimatedRowCount()).isEqualTo(ROWS);
        Schema schema = schema(session);
        assertThat(schema.getFields()).extracting(f -> f.getName()).containsExactly("id", "name", "day", "at", "amount");
        assertThat(schema.findField("id").getType()).isEqualTo(new ArrowType.Int(64, true));
        assertThat(schema.findField("at").getType()).isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"));
        assertThat(schema.findField("amount").getType()).isEqualTo(new ArrowType.Decimal(38, 9, 128));
        long[] sum = {0};
        long[] rows = {0};
        boolean[] checked = {false};
        int batches = read(session, root -> {
            BigIntVector id = (BigIntVector) root.getVector("id");
            for (int i = 0; i < root.getRowCount(); i++) {
                sum[0] += id.get(i);
            }
            if (!checked[0]) {
                checked[0] = true;
                assertThat(new String(((VarCharVector) root.getVector("name")).get(5))).isEqualTo("name-5");
                assertThat(((DateDayVector) root.getVector("day")).get(5)).isEqualTo(19723 + 5);
                assertThat(((TimeStampMicroTZVector) root.getVector("at")).get(5)).isEqualTo(1_700_000_005_000_000L);
                assertThat(((DecimalVector) root.getVector("amount")).getObject(5)).isEqualByComparingTo(new BigDecimal("1.25"));
            }
            rows[0] += root.getRowCount();
        });
        assertThat(batches).isGreaterThanOrEqualTo(3);
        assertThat(rows[0]).isEqualTo(ROWS);
        assertThat(sum[0]).isEqualTo((long) ROWS * (ROWS - 1) / 2);
    }

    @Test
    void selectedFieldsRowRestrictionAndStreams() throws IOException {
        ReadSession session = session(4, List.of("id"), "id < 1000 OR id >= 149000");
        assertThat(schema(session).getFields()).extracting(f -> f.getName()).containsExactly("id");
        List<Long> ids = new ArrayList<>();
        read(session, root -> {
            BigIntVector id = (BigIntVector) root.getVector("id");
            for (int i = 0; i < root.getRowCount(); i++) {
                ids.add(id.get(i));
            }
        });
        assertThat(ids).hasSize(2000).doesNotHaveDuplicates();
    }

    @Test
    void aBrokenStreamIsResumedAtItsOffsetByTheClient() throws IOException {
        server.faults().breakReadStreams(1);
        long[] rows = {0};
        read(session(1, List.of("id"), null), root -> rows[0] += root.getRowCount());
        assertThat(rows[0]).isEqualTo(ROWS);
    }

    @Test
    void unknownTablesAreNotFound() {
        assertThatThrownBy(() -> client.createReadSession(CreateReadSessionRequest.newBuilder()
                .setParent("projects/test-project")
                .setReadSession(ReadSession.newBuilder().setTable("projects/test-project/datasets/s/tables/nope").setDataFormat(DataFormat.ARROW))
                .build()))
                .isInstanceOf(NotFoundException.class);
    }
}
