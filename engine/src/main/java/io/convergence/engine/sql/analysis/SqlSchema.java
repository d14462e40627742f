package io.convergence.engine.sql.analysis;

import com.google.zetasql.StructType;
import com.google.zetasql.Type;
import com.google.zetasql.TypeFactory;
import com.google.zetasql.ZetaSQLOptions.ProductMode;
import com.google.zetasql.ZetaSQLType.TypeKind;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The columns of a table as the analyzer knows them: from a BigQuery schema file, or the output of an analyzed
 * query. Column names compare case-insensitively, as BigQuery's do.
 */
public final class SqlSchema {
    private final List<String> names;
    private final List<Type> types;

    private SqlSchema(List<String> names, List<Type> types) {
        this.names = List.copyOf(names);
        this.types = List.copyOf(types);
    }

    static SqlSchema of(List<String> names, List<Type> types) {
        return new SqlSchema(names, types);
    }

    /** The schema of a BigQuery JSON schema file, or empty when a field's type cannot be expressed (RANGE). */
    public static Optional<SqlSchema> fromSchemaFields(List<SchemaField> fields) {
        List<String> names = new ArrayList<>();
        List<Type> types = new ArrayList<>();
        for (SchemaField field : fields) {
            Optional<Type> type = type(field);
            if (type.isEmpty()) {
                return Optional.empty();
            }
            names.add(field.name());
            types.add(type.get());
        }
        return Optional.of(new SqlSchema(names, types));
    }

    private static Optional<Type> type(SchemaField field) {
        Optional<Type> element = elementType(field);
        if (element.isPresent() && "REPEATED".equals(field.mode())) {
            return Optional.of(TypeFactory.createArrayType(element.get()));
        }
        return element;
    }

    private static Optional<Type> elementType(SchemaField field) {
        String type = field.type().toUpperCase(Locale.ROOT);
        if (type.equals("RECORD") || type.equals("STRUCT")) {
            List<StructType.StructField> members = new ArrayList<>();
            for (SchemaField member : field.fields()) {
                Optional<Type> memberType = type(member);
                if (memberType.isEmpty()) {
                    return Optional.empty();
                }
                members.add(new StructType.StructField(member.name(), memberType.get()));
            }
            return members.isEmpty() ? Optional.empty() : Optional.of(TypeFactory.createStructType(members));
        }
        TypeKind kind = switch (type) {
            case "STRING" -> TypeKind.TYPE_STRING;
            case "BYTES" -> TypeKind.TYPE_BYTES;
            case "INTEGER", "INT64" -> TypeKind.TYPE_INT64;
            case "FLOAT", "FLOAT64" -> TypeKind.TYPE_DOUBLE;
            case "NUMERIC" -> TypeKind.TYPE_NUMERIC;
            case "BIGNUMERIC" -> TypeKind.TYPE_BIGNUMERIC;
            case "BOOLEAN", "BOOL" -> TypeKind.TYPE_BOOL;
            case "TIMESTAMP" -> TypeKind.TYPE_TIMESTAMP;
            case "DATE" -> TypeKind.TYPE_DATE;
            case "TIME" -> TypeKind.TYPE_TIME;
            case "DATETIME" -> TypeKind.TYPE_DATETIME;
            case "GEOGRAPHY" -> TypeKind.TYPE_GEOGRAPHY;
            case "JSON" -> TypeKind.TYPE_JSON;
            case "INTERVAL" -> TypeKind.TYPE_INTERVAL;
            default -> null;
        };
        return kind == null ? Optional.empty() : Optional.of(TypeFactory.createSimpleType(kind));
    }

    /** The analyzer's type of a query parameter. */
    static Type parameterType(ParameterType type) {
        return TypeFactory.createSimpleType(switch (type) {
            case STRING -> TypeKind.TYPE_STRING;
            case INT64 -> TypeKind.TYPE_INT64;
            case FLOAT64 -> TypeKind.TYPE_DOUBLE;
            case BOOL -> TypeKind.TYPE_BOOL;
            case DATE -> TypeKind.TYPE_DATE;
            case TIMESTAMP -> TypeKind.TYPE_TIMESTAMP;
        });
    }

    /** BigQuery's name of an analyzer type ({@code FLOAT64}, {@code ARRAY<STRUCT<a INT64>>}). */
    static String typeName(Type type) {
        return type.typeName(ProductMode.PRODUCT_EXTERNAL);
    }

    public List<SqlColumn> columns() {
        List<SqlColumn> columns = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            columns.add(new SqlColumn(names.get(i), typeName(types.get(i))));
        }
        return columns;
    }

    public List<String> names() {
        return names;
    }

    /** The column called {@code name}, compared as BigQuery compares column names (ignoring case). */
    public Optional<SqlColumn> column(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return Optional.of(new SqlColumn(names.get(i), typeName(types.get(i))));
            }
        }
        return Optional.empty();
    }

    List<Type> types() {
        return types;
    }

    @Override
    public String toString() {
        return columns().toString();
    }
}
