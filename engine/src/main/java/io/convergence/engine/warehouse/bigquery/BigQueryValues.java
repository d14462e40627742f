package io.convergence.engine.warehouse.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.warehouse.BigQueryTypes;
import io.convergence.engine.warehouse.QueryResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Conversions between Convergence values and the BigQuery client's: parameters in, cells and schemas out. */
final class BigQueryValues {
    /** TIMESTAMP text both BigQuery and DuckDB parse: microseconds and an explicit UTC offset. */
    private static final DateTimeFormatter TIMESTAMP_TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private BigQueryValues() {
    }

    static QueryParameterValue parameter(ParameterValue value) {
        Object v = value.value();
        switch (value.type()) {
            case STRING:
                return v == null ? QueryParameterValue.of(null, StandardSQLTypeName.STRING) : QueryParameterValue.string(v.toString());
            case INT64:
                return v == null ? QueryParameterValue.of(null, StandardSQLTypeName.INT64) : QueryParameterValue.int64(((Number) v).longValue());
            case FLOAT64:
                return v == null ? QueryParameterValue.of(null, StandardSQLTypeName.FLOAT64)
                        : QueryParameterValue.float64(((Number) v).doubleValue());
            case BOOL:
                return v == null ? QueryParameterValue.of(null, StandardSQLTypeName.BOOL) : QueryParameterValue.bool((Boolean) v);
            case DATE:
                return v == null ? QueryParameterValue.of(null, StandardSQLTypeName.DATE) : QueryParameterValue.date(v.toString());
            case TIMESTAMP:
                return v == null ? QueryParameterValue.of(null, StandardSQLTypeName.TIMESTAMP)
                        : QueryParameterValue.timestamp(timestampText((Instant) v));
            default:
                throw new IllegalArgumentException("unsupported parameter type " + value.type());
        }
    }

    static String timestampText(Instant instant) {
        return TIMESTAMP_TEXT.format(instant);
    }

    /** A Convergence (BigQuery Standard SQL) type name of a client field. */
    static String typeName(Field field) {
        StandardSQLTypeName standard = field.getType().getStandardType();
        return BigQueryTypes.normalize(standard.name());
    }

    static List<QueryResult.Column> columns(Schema schema) {
        List<QueryResult.Column> out = new ArrayList<>();
        if (schema == null) {
            return out;
        }
        for (Field f : schema.getFields()) {
            out.add(new QueryResult.Column(f.getName(), typeName(f)));
        }
        return out;
    }

    static List<SchemaField> schemaFields(Schema schema) {
        List<SchemaField> out = new ArrayList<>();
        for (Field f : schema.getFields()) {
            out.add(schemaField(f));
        }
        return List.copyOf(out);
    }

    private static SchemaField schemaField(Field f) {
        List<SchemaField> nested = null;
        if (f.getSubFields() != null && !f.getSubFields().isEmpty()) {
            nested = new ArrayList<>();
            for (Field sub : f.getSubFields()) {
                nested.add(schemaField(sub));
            }
        }
        String mode = f.getMode() == null ? "NULLABLE" : f.getMode().name();
        return new SchemaField(f.getName(), typeName(f), mode, f.getDescription(), nested);
    }

    /** A client schema from a schema file's fields (nested RECORDs included). */
    static Schema schema(List<SchemaField> fields) {
        return Schema.of(fieldList(fields));
    }

    private static List<Field> fieldList(List<SchemaField> fields) {
        List<Field> out = new ArrayList<>();
        for (SchemaField f : fields) {
            String type = BigQueryTypes.normalize(f.type());
            StandardSQLTypeName standard = StandardSQLTypeName.valueOf(type);
            Field.Builder b = f.fields().isEmpty()
                    ? Field.newBuilder(f.name(), standard)
                    : Field.newBuilder(f.name(), LegacySQLTypeName.RECORD, FieldList.of(fieldList(f.fields())));
            b.setMode(Field.Mode.valueOf(f.mode() == null ? "NULLABLE" : f.mode().toUpperCase(Locale.ROOT)));
            if (f.description() != null) {
                b.setDescription(f.description());
            }
            out.add(b.build());
        }
        return out;
    }

    static List<Object> row(FieldValueList values, Schema schema) {
        List<Object> row = new ArrayList<>(values.size());
        FieldList fields = schema.getFields();
        for (int i = 0; i < values.size(); i++) {
            row.add(cell(values.get(i), fields.get(i)));
        }
        return row;
    }

    /** A cell as the Java type {@link io.convergence.engine.warehouse.RowStream} promises. */
    static Object cell(FieldValue value, Field field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (field.getMode() == Field.Mode.REPEATED || value.getAttribute() != FieldValue.Attribute.PRIMITIVE) {
            return String.valueOf(value.getValue());
        }
        switch (typeName(field)) {
            case "INT64":
                return value.getLongValue();
            case "FLOAT64":
                return value.getDoubleValue();
            case "NUMERIC":
            case "BIGNUMERIC":
                return value.getNumericValue();
            case "BOOL":
                return value.getBooleanValue();
            case "STRING":
                return value.getStringValue();
            case "BYTES":
                return value.getBytesValue();
            case "DATE":
                return LocalDate.parse(value.getStringValue());
            case "DATETIME":
                return LocalDateTime.parse(value.getStringValue().replace(' ', 'T'));
            case "TIME":
                return LocalTime.parse(value.getStringValue());
            case "TIMESTAMP":
                return value.getTimestampInstant();
            default:
                return value.getStringValue();
        }
    }

    /** A value as insertAll JSON wants it (the type's canonical text; numbers stay numbers). */
    static Object insertValue(Object value) {
        if (value == null || value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof Double || value instanceof Boolean) {
            return value;
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        if (value instanceof Instant) {
            return timestampText((Instant) value);
        }
        if (value instanceof LocalDateTime) {
            return ((LocalDateTime) value).toString().replace('T', ' ');
        }
        if (value instanceof byte[]) {
            return Base64.getEncoder().encodeToString((byte[]) value);
        }
        return value.toString();
    }
}
