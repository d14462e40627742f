package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.warehouse.BigQueryTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Maps BigQuery column types to DuckDB types and back, nested STRUCT and REPEATED fields included. */
final class DuckDbTypes {
    private DuckDbTypes() {
    }

    /** The DuckDB type of a scalar BigQuery type name. */
    static String scalar(String bigQueryType) {
        String t = BigQueryTypes.normalize(bigQueryType);
        switch (t) {
            case "STRING":
            case "GEOGRAPHY":
                return "VARCHAR";
            case "BYTES":
                return "BLOB";
            case "INT64":
                return "BIGINT";
            case "FLOAT64":
                return "DOUBLE";
            case "NUMERIC":
            case "BIGNUMERIC":
                // DuckDB decimals stop at 38 digits; BIGNUMERIC is narrowed to NUMERIC's precision
                return "DECIMAL(38,9)";
            case "BOOL":
                return "BOOLEAN";
            case "DATE":
                return "DATE";
            case "DATETIME":
                return "TIMESTAMP";
            case "TIMESTAMP":
                return "TIMESTAMPTZ";
            case "TIME":
                return "TIME";
            case "JSON":
                return "JSON";
            case "INTERVAL":
                return "INTERVAL";
            default:
                throw new ConvergenceException(ErrorCode.FEATURE_NOT_AVAILABLE,
                        "BigQuery type " + bigQueryType + " is not supported on the local DuckDB warehouse");
        }
    }

    /** The DuckDB type of a schema field, with STRUCT fields and REPEATED mode as DuckDB STRUCT and lists. */
    static String of(SchemaField field) {
        String t = BigQueryTypes.normalize(field.type());
        String base;
        if (t.equals("STRUCT")) {
            if (field.fields().isEmpty()) {
                throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, "RECORD field '" + field.name() + "' has no fields");
            }
            List<String> parts = new ArrayList<>();
            for (SchemaField f : field.fields()) {
                parts.add(quote(f.name()) + " " + of(f));
            }
            base = "STRUCT(" + String.join(", ", parts) + ")";
        } else {
            base = scalar(t);
        }
        return "REPEATED".equalsIgnoreCase(field.mode()) ? base + "[]" : base;
    }

    static String quote(String column) {
        if (!Ids.COLUMN_PATTERN.matcher(column).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "'" + column + "' is not a valid column name");
        }
        return "\"" + column.replace("\"", "\"\"") + "\"";
    }

    /** The schema's columns, quoted, comma-separated: {@code "a", "b"}. */
    static String columnList(List<SchemaField> schema) {
        return String.join(", ", schema.stream().map(f -> quote(f.name())).toList());
    }

    /**
     * The schema's column definitions, comma-separated: {@code "a" BIGINT, "b" VARCHAR}, with NOT NULL on
     * REQUIRED columns when {@code notNull} (a staging table, which also holds rows about to be rejected, has none).
     */
    static String columnDefinitions(List<SchemaField> schema, boolean notNull) {
        return String.join(", ", schema.stream()
                .map(f -> quote(f.name()) + " " + of(f) + (notNull && f.required() ? " NOT NULL" : "")).toList());
    }

    /** A DuckDB column type as a BigQuery schema field (type and mode). */
    static SchemaField toField(String name, String duckType, boolean nullable) {
        String t = duckType.trim();
        if (t.endsWith("[]")) {
            SchemaField element = toField(name, t.substring(0, t.length() - 2), true);
            return new SchemaField(name, element.type(), "REPEATED", null, element.fields());
        }
        String upper = t.toUpperCase(Locale.ROOT);
        if (upper.startsWith("STRUCT(") && upper.endsWith(")")) {
            List<SchemaField> fields = new ArrayList<>();
            for (String part : splitTopLevel(t.substring(7, t.length() - 1))) {
                String p = part.trim();
                String fieldName;
                String rest;
                if (p.startsWith("\"")) {
                    int close = p.indexOf('"', 1);
                    while (close > 0 && close + 1 < p.length() && p.charAt(close + 1) == '"') {
                        close = p.indexOf('"', close + 2);
                    }
                    fieldName = p.substring(1, close).replace("\"\"", "\"");
                    rest = p.substring(close + 1);
                } else {
                    int space = p.indexOf(' ');
                    fieldName = p.substring(0, space);
                    rest = p.substring(space + 1);
                }
                fields.add(toField(fieldName, rest.trim(), true));
            }
            return new SchemaField(name, "STRUCT", nullable ? "NULLABLE" : "REQUIRED", null, fields);
        }
        return new SchemaField(name, bigQueryScalar(upper), nullable ? "NULLABLE" : "REQUIRED", null, null);
    }

    private static String bigQueryScalar(String upper) {
        if (upper.startsWith("DECIMAL") || upper.startsWith("NUMERIC")) {
            return "NUMERIC";
        }
        if (upper.startsWith("VARCHAR") || upper.equals("TEXT") || upper.equals("UUID") || upper.startsWith("ENUM")) {
            return "STRING";
        }
        switch (upper) {
            case "BIGINT":
            case "INTEGER":
            case "SMALLINT":
            case "TINYINT":
            case "UBIGINT":
            case "UINTEGER":
            case "USMALLINT":
            case "UTINYINT":
            case "HUGEINT":
            case "UHUGEINT":
                return "INT64";
            case "DOUBLE":
            case "FLOAT":
                return "FLOAT64";
            case "BOOLEAN":
                return "BOOL";
            case "DATE":
                return "DATE";
            case "TIME":
                return "TIME";
            case "TIMESTAMP":
            case "TIMESTAMP_S":
            case "TIMESTAMP_MS":
            case "TIMESTAMP_NS":
                return "DATETIME";
            case "TIMESTAMP WITH TIME ZONE":
            case "TIMESTAMPTZ":
                return "TIMESTAMP";
            case "BLOB":
                return "BYTES";
            case "JSON":
                return "JSON";
            case "INTERVAL":
                return "INTERVAL";
            default:
                // MAP, UNION and other DuckDB-only types have no BigQuery twin; they read as JSON text
                return "JSON";
        }
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
