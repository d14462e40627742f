package io.convergence.engine.warehouse.bigquery;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/** Reads rows of an Arrow batch as the Java values {@link io.convergence.engine.warehouse.RowStream} promises. */
final class ArrowRows {
    private ArrowRows() {
    }

    /** The BigQuery type name the Storage Read API's Arrow type stands for. */
    static String typeName(Field field) {
        ArrowType type = field.getType();
        switch (type.getTypeID()) {
            case Int:
                return "INT64";
            case FloatingPoint:
                return "FLOAT64";
            case Decimal:
                return ((ArrowType.Decimal) type).getBitWidth() > 128 ? "BIGNUMERIC" : "NUMERIC";
            case Bool:
                return "BOOL";
            case Utf8:
            case LargeUtf8:
                return "STRING";
            case Binary:
            case LargeBinary:
                return "BYTES";
            case Date:
                return "DATE";
            case Time:
                return "TIME";
            case Timestamp:
                return ((ArrowType.Timestamp) type).getTimezone() == null ? "DATETIME" : "TIMESTAMP";
            default:
                return "STRING";
        }
    }

    static List<Object> row(VectorSchemaRoot root, int index) {
        List<Object> row = new ArrayList<>(root.getFieldVectors().size());
        for (FieldVector vector : root.getFieldVectors()) {
            row.add(value(vector, index));
        }
        return row;
    }

    static Object value(FieldVector vector, int i) {
        if (vector.isNull(i)) {
            return null;
        }
        if (vector instanceof BigIntVector) {
            return ((BigIntVector) vector).get(i);
        }
        if (vector instanceof IntVector) {
            return (long) ((IntVector) vector).get(i);
        }
        if (vector instanceof Float8Vector) {
            return ((Float8Vector) vector).get(i);
        }
        if (vector instanceof DecimalVector) {
            BigDecimal value = ((DecimalVector) vector).getObject(i);
            return value.stripTrailingZeros().scale() < 0 ? value.setScale(0) : value.stripTrailingZeros();
        }
        if (vector instanceof BitVector) {
            return ((BitVector) vector).get(i) != 0;
        }
        if (vector instanceof VarCharVector) {
            return new String(((VarCharVector) vector).get(i), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (vector instanceof VarBinaryVector) {
            return ((VarBinaryVector) vector).get(i);
        }
        if (vector instanceof DateDayVector) {
            return LocalDate.ofEpochDay(((DateDayVector) vector).get(i));
        }
        if (vector instanceof TimeStampMicroTZVector) {
            long micros = ((TimeStampMicroTZVector) vector).get(i);
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
        if (vector instanceof TimeStampMicroVector) {
            long micros = ((TimeStampMicroVector) vector).get(i);
            return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), (int) (Math.floorMod(micros, 1_000_000L) * 1_000L), ZoneOffset.UTC);
        }
        if (vector instanceof TimeMicroVector) {
            return LocalTime.ofNanoOfDay(((TimeMicroVector) vector).get(i) * 1_000L);
        }
        Object other = vector.getObject(i);
        return other == null ? null : other.toString();
    }
}
