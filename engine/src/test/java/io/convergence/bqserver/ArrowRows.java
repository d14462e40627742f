package io.convergence.bqserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Table rows as Arrow record batches, typed the way the Storage Read API types BigQuery columns: INT64 as
 * Int64, FLOAT64 as Float64, BOOL as Bool, STRING/JSON/GEOGRAPHY as Utf8, BYTES as Binary, DATE as
 * Date32, DATETIME as Timestamp(us), TIMESTAMP as Timestamp(us, UTC), TIME as Time64(us), NUMERIC as
 * Decimal128(38, 9). REPEATED and RECORD columns travel as their JSON text (a gap of the test server).
 */
final class ArrowRows {
    private ArrowRows() {
    }

    static Schema schema(List<JsonNode> fields) {
        List<Field> out = new ArrayList<>();
        for (JsonNode f : fields) {
            boolean nullable = !"REQUIRED".equals(f.path("mode").asText());
            String type = nested(f) ? "JSON" : f.path("type").asText();
            Map<String, String> metadata = null;
            if (type.equals("JSON") || type.equals("GEOGRAPHY")) {
                metadata = Map.of("ARROW:extension:name", "google:sqlType:" + type.toLowerCase(java.util.Locale.ROOT));
            }
            out.add(new Field(f.path("name").asText(), new FieldType(nullable, arrowType(type), null, metadata), null));
        }
        return new Schema(out);
    }

    private static boolean nested(JsonNode f) {
        return "REPEATED".equals(f.path("mode").asText()) || "RECORD".equals(f.path("type").asText());
    }

    private static ArrowType arrowType(String type) {
        switch (type) {
            case "INTEGER":
                return new ArrowType.Int(64, true);
            case "FLOAT":
                return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case "BOOLEAN":
                return ArrowType.Bool.INSTANCE;
            case "BYTES":
                return ArrowType.Binary.INSTANCE;
            case "DATE":
                return new ArrowType.Date(DateUnit.DAY);
            case "DATETIME":
                return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
            case "TIMESTAMP":
                return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
            case "TIME":
                return new ArrowType.Time(TimeUnit.MICROSECOND, 64);
            case "NUMERIC":
            case "BIGNUMERIC":
                return new ArrowType.Decimal(38, 9, 128);
            default:
                return ArrowType.Utf8.INSTANCE;
        }
    }

    /** The DuckDB expression that reads a column in the form its Arrow setter takes. */
    static String expression(String column, JsonNode f) {
        if (nested(f)) {
            return "CAST(to_json(" + column + ") AS VARCHAR)";
        }
        switch (f.path("type").asText()) {
            case "DATE":
                return "CAST(" + column + " - DATE '1970-01-01' AS INTEGER)";
            case "DATETIME":
            case "TIMESTAMP":
                return "epoch_us(" + column + ")";
            case "TIME":
                return "epoch_us(DATE '1970-01-01' + " + column + ")";
            case "BOOLEAN":
            case "INTEGER":
            case "FLOAT":
            case "BYTES":
            case "NUMERIC":
            case "BIGNUMERIC":
                return column;
            default:
                return "CAST(" + column + " AS VARCHAR)";
        }
    }

    /** Copies one result-set column into one vector. */
    interface Setter {
        /** Sets row {@code row} from column {@code col}; returns the bytes it added. */
        int set(ResultSet rs, int col, int row) throws SQLException;
    }

    static List<Setter> setters(VectorSchemaRoot root) {
        List<Setter> out = new ArrayList<>();
        for (FieldVector v : root.getFieldVectors()) {
            out.add(setter(v));
        }
        return out;
    }

    private static Setter setter(FieldVector v) {
        if (v instanceof BigIntVector) {
            BigIntVector b = (BigIntVector) v;
            return (rs, col, row) -> {
                long x = rs.getLong(col);
                if (rs.wasNull()) {
                    b.setNull(row);
                } else {
                    b.set(row, x);
                }
                return 8;
            };
        }
        if (v instanceof Float8Vector) {
            Float8Vector f = (Float8Vector) v;
            return (rs, col, row) -> {
                double x = rs.getDouble(col);
                if (rs.wasNull()) {
                    f.setNull(row);
                } else {
                    f.set(row, x);
                }
                return 8;
            };
        }
        if (v instanceof BitVector) {
            BitVector b = (BitVector) v;
            return (rs, col, row) -> {
                boolean x = rs.getBoolean(col);
                if (rs.wasNull()) {
                    b.setNull(row);
                } else {
                    b.set(row, x ? 1 : 0);
                }
                return 1;
            };
        }
        if (v instanceof DateDayVector) {
            DateDayVector d = (DateDayVector) v;
            return (rs, col, row) -> {
                int x = rs.getInt(col);
                if (rs.wasNull()) {
                    d.setNull(row);
                } else {
                    d.set(row, x);
                }
                return 4;
            };
        }
        if (v instanceof TimeStampMicroTZVector) {
            TimeStampMicroTZVector t = (TimeStampMicroTZVector) v;
            return (rs, col, row) -> {
                long x = rs.getLong(col);
                if (rs.wasNull()) {
                    t.setNull(row);
                } else {
                    t.set(row, x);
                }
                return 8;
            };
        }
        if (v instanceof TimeStampMicroVector) {
            TimeStampMicroVector t = (TimeStampMicroVector) v;
            return (rs, col, row) -> {
                long x = rs.getLong(col);
                if (rs.wasNull()) {
                    t.setNull(row);
                } else {
                    t.set(row, x);
                }
                return 8;
            };
        }
        if (v instanceof TimeMicroVector) {
            TimeMicroVector t = (TimeMicroVector) v;
            return (rs, col, row) -> {
                long x = rs.getLong(col);
                if (rs.wasNull()) {
                    t.setNull(row);
                } else {
                    t.set(row, x);
                }
                return 8;
            };
        }
        if (v instanceof DecimalVector) {
            DecimalVector d = (DecimalVector) v;
            return (rs, col, row) -> {
                BigDecimal x = rs.getBigDecimal(col);
                if (x == null) {
                    d.setNull(row);
                } else {
                    d.setSafe(row, x.setScale(9, RoundingMode.HALF_EVEN));
                }
                return 16;
            };
        }
        if (v instanceof VarBinaryVector) {
            VarBinaryVector b = (VarBinaryVector) v;
            return (rs, col, row) -> {
                byte[] x = rs.getBytes(col);
                if (x == null) {
                    b.setNull(row);
                    return 0;
                }
                b.setSafe(row, x);
                return x.length;
            };
        }
        VarCharVector s = (VarCharVector) v;
        return (rs, col, row) -> {
            String x = rs.getString(col);
            if (x == null) {
                s.setNull(row);
                return 0;
            }
            byte[] bytes = x.getBytes(StandardCharsets.UTF_8);
            s.setSafe(row, bytes);
            return bytes.length;
        };
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
