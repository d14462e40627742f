package io.convergence.bqserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.engine.sql.SqlLexer;
import io.convergence.engine.sql.SqlLexer.Token;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A job's query parameters, named or positional, as JDBC bindings: each {@code @name} or {@code ?} in the
 * DuckDB SQL becomes {@code CAST(CAST(? AS VARCHAR) AS <type>)} with the value bound as text, so DuckDB
 * parses the value with the parameter's type and no value is ever spliced into SQL text.
 */
final class QueryParams {
    /** One placeholder's value: text or null; arrays and structs travel as JSON text. */
    record Bind(String value) {
        void set(PreparedStatement ps, int index) throws SQLException {
            if (value == null) {
                ps.setNull(index, Types.VARCHAR);
            } else {
                ps.setString(index, value);
            }
        }
    }

    private final Map<String, JsonNode> named = new HashMap<>();
    private final List<JsonNode> positional = new ArrayList<>();
    private int cursor;

    private QueryParams() {
    }

    static QueryParams of(JsonNode queryParameters) {
        QueryParams p = new QueryParams();
        if (queryParameters != null) {
            for (JsonNode param : queryParameters) {
                String name = param.path("name").asText("");
                if (name.isEmpty()) {
                    p.positional.add(param);
                } else {
                    p.named.put(name.toLowerCase(Locale.ROOT), param);
                }
            }
        }
        return p;
    }

    static QueryParams none() {
        return new QueryParams();
    }

    /** Replaces parameters in DuckDB SQL with typed placeholders, appending their values to {@code out}. */
    String bind(String duckSql, List<Bind> out, BqSql.Context ctx) {
        StringBuilder sql = new StringBuilder();
        for (Token t : SqlLexer.tokenize(duckSql)) {
            if (t.kind() == SqlLexer.Kind.PARAM && t.text().startsWith("@@")) {
                String variable = t.text().substring(2).toLowerCase(Locale.ROOT);
                if (!variable.equals("project_id")) {
                    throw BqException.invalidQuery("Unsupported system variable " + t.text());
                }
                sql.append("'").append(ctx.project().replace("'", "''")).append("'");
            } else if (t.kind() == SqlLexer.Kind.PARAM) {
                String name = t.text().substring(1);
                JsonNode param = named.get(name.toLowerCase(Locale.ROOT));
                if (param == null) {
                    throw BqException.invalidQuery("Query parameter '" + name + "' not found");
                }
                sql.append(placeholder(param, out));
            } else if (t.isSymbol("?")) {
                if (cursor >= positional.size()) {
                    throw BqException.invalidQuery("Positional parameter " + (cursor + 1) + " is not set");
                }
                sql.append(placeholder(positional.get(cursor++), out));
            } else {
                sql.append(t.text());
            }
        }
        return sql.toString();
    }

    private static String placeholder(JsonNode param, List<Bind> out) {
        JsonNode type = param.path("parameterType");
        JsonNode value = param.get("parameterValue");
        String kind = type.path("type").asText("STRING").toUpperCase(Locale.ROOT);
        if (kind.equals("ARRAY") || kind.equals("STRUCT")) {
            JsonNode json = value == null ? null : jsonValue(type, value);
            out.add(new Bind(json == null || json.isNull() ? null : json.toString()));
            return "CAST(CAST(CAST(? AS VARCHAR) AS JSON) AS " + duckType(type) + ")";
        }
        String text = value == null || !value.hasNonNull("value") ? null : value.get("value").asText();
        out.add(new Bind(text));
        if (kind.equals("BYTES")) {
            return "from_base64(CAST(? AS VARCHAR))";
        }
        if (kind.equals("TIMESTAMP") && text != null && text.toUpperCase(Locale.ROOT).endsWith(" UTC")) {
            out.set(out.size() - 1, new Bind(text.substring(0, text.length() - 4) + "+00"));
        }
        return "CAST(CAST(? AS VARCHAR) AS " + BqTypes.duckScalar(kind) + ")";
    }

    static String duckType(JsonNode type) {
        String kind = type.path("type").asText("STRING").toUpperCase(Locale.ROOT);
        if (kind.equals("ARRAY")) {
            return duckType(type.path("arrayType")) + "[]";
        }
        if (kind.equals("STRUCT")) {
            List<String> members = new ArrayList<>();
            int index = 1;
            for (JsonNode member : type.path("structTypes")) {
                String name = member.path("name").asText("f" + index);
                members.add(BqTypes.quote(name) + " " + duckType(member.path("type")));
                index++;
            }
            return "STRUCT(" + String.join(", ", members) + ")";
        }
        return BqTypes.duckScalar(kind);
    }

    /** The parameter value as JSON DuckDB can cast to the parameter's type. */
    private static JsonNode jsonValue(JsonNode type, JsonNode value) {
        String kind = type.path("type").asText("STRING").toUpperCase(Locale.ROOT);
        if (kind.equals("ARRAY")) {
            if (!value.has("arrayValues")) {
                return value.has("value") ? BqTypes.JSON.nullNode() : BqTypes.JSON.arrayNode();
            }
            ArrayNode array = BqTypes.JSON.arrayNode();
            for (JsonNode element : value.path("arrayValues")) {
                array.add(jsonValue(type.path("arrayType"), element));
            }
            return array;
        }
        if (kind.equals("STRUCT")) {
            if (!value.has("structValues")) {
                return BqTypes.JSON.nullNode();
            }
            ObjectNode struct = BqTypes.JSON.objectNode();
            int index = 1;
            for (JsonNode member : type.path("structTypes")) {
                String name = member.path("name").asText("f" + index);
                JsonNode v = value.path("structValues").get(name);
                struct.set(name, v == null ? BqTypes.JSON.nullNode() : jsonValue(member.path("type"), v));
                index++;
            }
            return struct;
        }
        if (!value.hasNonNull("value")) {
            return BqTypes.JSON.nullNode();
        }
        String text = value.get("value").asText();
        switch (BqTypes.legacy(kind)) {
            case "INTEGER":
                return BqTypes.JSON.numberNode(Long.parseLong(text));
            case "FLOAT":
                return BqTypes.JSON.numberNode(new BigDecimal(text));
            case "BOOLEAN":
                return BqTypes.JSON.booleanNode(Boolean.parseBoolean(text));
            default:
                return BqTypes.JSON.textNode(text);
        }
    }
}
