package io.convergence.bqserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow for the Storage Read API. Batches are DuckDB's own Arrow export of the table's columns, whose
 * types are the ones the Storage Read API uses for BigQuery columns (INT64 Int64, FLOAT64 Float64, BOOL
 * Bool, STRING/JSON/GEOGRAPHY Utf8, BYTES Binary, DATE Date32, DATETIME Timestamp(us), TIMESTAMP
 * Timestamp(us, UTC), TIME Time64(us), NUMERIC Decimal128(38, 9), REPEATED List, RECORD Struct) because
 * every table holds BigQuery's canonical DuckDB types. The schema gets BigQuery's nullability and
 * extension names; the layout stays DuckDB's.
 */
final class ArrowRows {
    private ArrowRows() {
    }

    /** DuckDB's exported schema with each top-level field's nullability and SQL type marker from the REST schema. */
    static Schema schema(Schema exported, List<com.fasterxml.jackson.databind.JsonNode> fields) {
        List<Field> out = new ArrayList<>();
        for (int i = 0; i < exported.getFields().size(); i++) {
            Field f = exported.getFields().get(i);
            com.fasterxml.jackson.databind.JsonNode declared = i < fields.size() ? fields.get(i) : null;
            boolean nullable = declared == null || !"REQUIRED".equals(declared.path("mode").asText());
            Map<String, String> metadata = new HashMap<>();
            String type = declared == null ? "" : declared.path("type").asText();
            if ((type.equals("JSON") || type.equals("GEOGRAPHY")) && !"REPEATED".equals(declared.path("mode").asText())) {
                metadata.put("ARROW:extension:name", "google:sqlType:" + type.toLowerCase(java.util.Locale.ROOT));
            }
            FieldType ft = new FieldType(nullable, f.getType(), f.getDictionary(), metadata.isEmpty() ? null : metadata);
            out.add(new Field(f.getName(), ft, f.getChildren()));
        }
        return new Schema(out);
    }

    /** An IPC-serialized schema message, as {@code ArrowSchema.serialized_schema} carries it. */
    static byte[] serialize(Schema schema) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The root's rows as an IPC-serialized record batch message, as {@code ArrowRecordBatch.serialized_record_batch} carries it. */
    static byte[] serialize(VectorSchemaRoot root) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), batch);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
