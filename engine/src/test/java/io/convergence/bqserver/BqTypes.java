package io.convergence.bqserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BigQuery table schemas (REST JSON fields with legacy type names) mapped to DuckDB column types and
 * back. Every table the server holds uses the canonical DuckDB spelling of its BigQuery type, so
 * results, cells and Arrow batches can be derived from the DuckDB catalog alone.
 */
final class BqTypes {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private BqTypes() {
    }

    /** The legacy REST type name BigQuery answers with (INTEGER, FLOAT, BOOLEAN, RECORD, ...). */
    static String legacy(String type) {
        switch (type.trim().toUpperCase(Locale.ROOT)) {
            case "INT64":
            case "INT":
            case "SMALLINT":
            case "BIGINT":
            case "TINYINT":
            case "BYTEINT":
            case "INTEGER":
                return "INTEGER";
            case "FLOAT64":
            case "FLOAT":
                return "FLOAT";
            case "BOOL":
            case "BOOLEAN":
                return "BOOLEAN";
            case "STRUCT":
            case "RECORD":
                return "RECORD";
            case "DECIMAL":
            case "NUMERIC":
                return "NUMERIC";
            case "BIGDECIMAL":
            case "BIGNUMERIC":
                return "BIGNUMERIC";
            default:
                return type.trim().toUpperCase(Locale.ROOT);
        }
    }

    /** The DuckDB type of a scalar BigQuery type. */
    static String duckScalar(String type) {
        switch (legacy(type)) {
            case "STRING":
            case "GEOGRAPHY":
                return "VARCHAR";
            case "BYTES":
                return "BLOB";
            case "INTEGER":
                return "BIGINT";
            case "FLOAT":
                return "DOUBLE";
            case "NUMERIC":
            case "BIGNUMERIC":
                return "DECIMAL(38,9)";
            case "BOOLEAN":
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
                throw BqException.invalid("Unsupported type " + type);
        }
    }

    /** The DuckDB type of a scalar BigQuery type, or null if it is not one. */
    static String duckScalarOrNull(String type) {
        try {
            return duckScalar(type);
        } catch (BqException e) {
            return null;
        }
    }

    /** The DuckDB column type of a REST schema field (RECORD as STRUCT, REPEATED as a list). */
    static String duckType(JsonNode field) {
        String type = legacy(field.path("type").asText("STRING"));
        String base;
        if (type.equals("RECORD")) {
            List<String> parts = new ArrayList<>();
            for (JsonNode f : field.path("fields")) {
                parts.add(quote(f.path("name").asText()) + " " + duckType(f));
            }
            if (parts.isEmpty()) {
                throw BqException.invalid("Field " + field.path("name").asText() + " is type RECORD but has no schema");
            }
            base = "STRUCT(" + String.join(", ", parts) + ")";
        } else {
            base = duckScalar(type);
        }
        return "REPEATED".equalsIgnoreCase(field.path("mode").asText()) ? base + "[]" : base;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A REST schema field for a DuckDB column type; types BigQuery lacks map to their nearest BigQuery type. */
    static ObjectNode field(String name, String duckType, boolean nullable) {
        ObjectNode f = JSON.objectNode();
        f.put("name", name);
        String t = duckType.trim();
        String upper = t.toUpperCase(Locale.ROOT);
        if (upper.endsWith("[]") || upper.matches(".*\\[\\d+]$")) {
            String element = t.substring(0, t.lastIndexOf('['));
            ObjectNode inner = field(name, element, true);
            if ("REPEATED".equals(inner.path("mode").asText())) {
                // BigQuery has no arrays of arrays; the nearest is a JSON value
                f.put("type", "JSON");
                f.put("mode", "REPEATED");
                return f;
            }
            inner.put("mode", "REPEATED");
            return inner;
        }
        if (upper.startsWith("STRUCT(") && upper.endsWith(")")) {
            f.put("type", "RECORD");
            f.put("mode", nullable ? "NULLABLE" : "REQUIRED");
            ArrayNode fields = f.putArray("fields");
            for (String[] member : structMembers(t.substring(7, t.length() - 1))) {
                fields.add(field(member[0], member[1], true));
            }
            return f;
        }
        f.put("type", legacyOfDuck(upper));
        f.put("mode", nullable ? "NULLABLE" : "REQUIRED");
        return f;
    }

    private static String legacyOfDuck(String upper) {
        if (upper.startsWith("DECIMAL") || upper.startsWith("NUMERIC")) {
            return "NUMERIC";
        }
        if (upper.startsWith("VARCHAR") || upper.startsWith("ENUM") || upper.startsWith("MAP(") || upper.startsWith("UNION(")) {
            return "STRING";
        }
        switch (upper) {
            case "BIGINT":
            case "INTEGER":
            case "SMALLINT":
            case "TINYINT":
            case "HUGEINT":
            case "UBIGINT":
            case "UINTEGER":
            case "USMALLINT":
            case "UTINYINT":
            case "UHUGEINT":
                return "INTEGER";
            case "DOUBLE":
            case "FLOAT":
            case "REAL":
                return "FLOAT";
            case "BOOLEAN":
                return "BOOLEAN";
            case "BLOB":
            case "BIT":
                return "BYTES";
            case "DATE":
                return "DATE";
            case "TIME":
            case "TIME WITH TIME ZONE":
                return "TIME";
            case "TIMESTAMP":
            case "TIMESTAMP_NS":
            case "TIMESTAMP_MS":
            case "TIMESTAMP_S":
                return "DATETIME";
            case "TIMESTAMP WITH TIME ZONE":
            case "TIMESTAMPTZ":
                return "TIMESTAMP";
            case "JSON":
                return "JSON";
            case "INTERVAL":
                return "INTERVAL";
            default:
                return "STRING";
        }
    }

    /** The canonical DuckDB type that stores values of this DuckDB type the way BigQuery would type them. */
    static String canonical(String duckType) {
        ObjectNode f = field("x", duckType, true);
        if ("JSON".equals(f.path("type").asText()) && "REPEATED".equals(f.path("mode").asText())
                && !duckType.trim().toUpperCase(Locale.ROOT).startsWith("JSON")) {
            return "JSON[]";
        }
        return duckType(f);
    }

    /** Splits {@code a INTEGER, "b c" VARCHAR[]} into name/type pairs at top-level commas. */
    static List<String[]> structMembers(String body) {
        List<String[]> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= body.length(); i++) {
            char c = i < body.length() ? body.charAt(i) : ',';
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '(' || c == '[')) {
                depth++;
            } else if (!quoted && (c == ')' || c == ']')) {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                String member = body.substring(start, i).trim();
                if (!member.isEmpty()) {
                    out.add(splitMember(member));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static String[] splitMember(String member) {
        if (member.startsWith("\"")) {
            int close = 1;
            while (close < member.length()) {
                if (member.charAt(close) == '"') {
                    if (close + 1 < member.length() && member.charAt(close + 1) == '"') {
                        close += 2;
                        continue;
                    }
                    break;
                }
                close++;
            }
            return new String[] {member.substring(1, close).replace("\"\"", "\""), member.substring(close + 1).trim()};
        }
        int space = member.indexOf(' ');
        return new String[] {member.substring(0, space), member.substring(space + 1).trim()};
    }

    /** Bytes one value of a fixed-width BigQuery type counts for in bytes-processed estimates; -1 if variable. */
    static int fixedWidth(String legacyType) {
        switch (legacyType) {
            case "INTEGER":
            case "FLOAT":
            case "DATE":
            case "DATETIME":
            case "TIMESTAMP":
            case "TIME":
                return 8;
            case "BOOLEAN":
                return 1;
            case "NUMERIC":
                return 16;
            case "BIGNUMERIC":
                return 32;
            case "INTERVAL":
                return 16;
            default:
                return -1;
        }
    }
}
