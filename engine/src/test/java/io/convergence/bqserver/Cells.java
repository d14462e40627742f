package io.convergence.bqserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Table rows in the REST encoding: {@code {"f":[{"v":...}]}} with every scalar as a string (TIMESTAMP as
 * epoch seconds, or epoch microseconds when the client asks for int64 timestamps), REPEATED fields as
 * {@code {"v":[{"v":...}]}}, RECORDs as {@code {"v":{"f":[...]}}} and NULL as {@code {"v":null}}.
 */
final class Cells {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Cells() {
    }

    /** One page of rows and where the next starts (null at the end). */
    record Page(ArrayNode rows, String nextToken) {
    }

    /**
     * Reads up to {@code max} rows of a table in insertion order. A page token is the rowid to resume
     * at; {@code startIndex} skips rows instead. Views have no rowid and page by offset.
     */
    static Page read(Connection c, Catalog.TableInfo table, ArrayNode fields, List<String> selected, String pageToken,
            long startIndex, long max, boolean int64Timestamps) throws SQLException {
        List<JsonNode> wanted = new ArrayList<>();
        List<String> exprs = new ArrayList<>();
        for (JsonNode f : fields) {
            if (selected == null || selected.contains(f.path("name").asText())) {
                wanted.add(f);
                exprs.add(expression(BqTypes.quote(f.path("name").asText()), f));
            }
        }
        if (exprs.isEmpty()) {
            exprs.add("NULL");
        }
        boolean byRowid = !table.view();
        long resume = 0;
        long offset = startIndex;
        if (pageToken != null && !pageToken.isEmpty()) {
            try {
                long token = Long.parseLong(pageToken.substring(1));
                if (pageToken.charAt(0) == 'r' && byRowid) {
                    resume = token;
                    offset = 0;
                } else {
                    offset = token;
                }
            } catch (RuntimeException e) {
                throw BqException.invalid("Invalid page token " + pageToken);
            }
        }
        String sql = "SELECT " + (byRowid ? "rowid, " : "") + String.join(", ", exprs) + " FROM " + table.quoted()
                + (byRowid ? " WHERE rowid >= ?" : "") + " LIMIT ? OFFSET ?";
        ArrayNode rows = BqTypes.JSON.arrayNode();
        long lastRowid = -1;
        long count = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (byRowid) {
                ps.setLong(p++, resume);
            }
            ps.setLong(p++, max + 1);
            ps.setLong(p, offset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (count == max) {
                        String next = byRowid ? "r" + (lastRowid + 1) : "o" + (offset + max);
                        return new Page(rows, next);
                    }
                    int col = 1;
                    if (byRowid) {
                        lastRowid = rs.getLong(col++);
                    }
                    ObjectNode row = rows.addObject();
                    ArrayNode f = row.putArray("f");
                    for (JsonNode field : wanted) {
                        f.addObject().set("v", cell(rs.getString(col++), field, int64Timestamps));
                    }
                    count++;
                }
            }
        }
        return new Page(rows, null);
    }

    /** A DuckDB expression yielding the column as text BigQuery-like cells are made from. */
    static String expression(String column, JsonNode field) {
        if ("REPEATED".equals(field.path("mode").asText()) || "RECORD".equals(field.path("type").asText())) {
            return "CAST(to_json(" + column + ") AS VARCHAR)";
        }
        switch (field.path("type").asText()) {
            case "BYTES":
                return "to_base64(" + column + ")";
            case "TIMESTAMP":
                return "CAST(epoch_us(" + column + ") AS VARCHAR)";
            default:
                return "CAST(" + column + " AS VARCHAR)";
        }
    }

    /** The cell value of one column: text as {@link #expression} produced it, shaped by the field. */
    static JsonNode cell(String text, JsonNode field, boolean int64Timestamps) {
        if (text == null) {
            return BqTypes.JSON.nullNode();
        }
        if ("REPEATED".equals(field.path("mode").asText()) || "RECORD".equals(field.path("type").asText())) {
            try {
                return nested(MAPPER.readTree(text), field, int64Timestamps);
            } catch (IOException e) {
                throw new BqException(500, "internalError", "cannot encode " + field.path("name").asText() + ": " + e.getMessage());
            }
        }
        return BqTypes.JSON.textNode(scalar(text, field.path("type").asText(), int64Timestamps));
    }

    private static JsonNode nested(JsonNode value, JsonNode field, boolean int64Timestamps) {
        if (value == null || value.isNull()) {
            return BqTypes.JSON.nullNode();
        }
        if ("REPEATED".equals(field.path("mode").asText())) {
            ObjectNode element = ((ObjectNode) field).deepCopy();
            element.put("mode", "NULLABLE");
            ArrayNode out = BqTypes.JSON.arrayNode();
            for (JsonNode e : value) {
                out.addObject().set("v", nested(e, element, int64Timestamps));
            }
            return out;
        }
        if ("RECORD".equals(field.path("type").asText())) {
            ObjectNode record = BqTypes.JSON.objectNode();
            ArrayNode f = record.putArray("f");
            for (JsonNode sub : field.path("fields")) {
                f.addObject().set("v", nested(value.get(sub.path("name").asText()), sub, int64Timestamps));
            }
            return record;
        }
        String text = value.isTextual() ? value.asText() : value.toString();
        if (field.path("type").asText().equals("TIMESTAMP")) {
            text = Long.toString(micros(text));
        }
        return BqTypes.JSON.textNode(scalar(text, field.path("type").asText(), int64Timestamps));
    }

    /** Microseconds since the epoch of DuckDB's TIMESTAMPTZ text ({@code 2024-01-01 10:00:00.5+00}). */
    static long micros(String text) {
        String iso = text.replace(' ', 'T');
        if (iso.matches(".*[+-]\\d\\d$")) {
            iso = iso + ":00";
        }
        OffsetDateTime t = OffsetDateTime.parse(iso);
        return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, t.toInstant());
    }

    static String scalar(String text, String type, boolean int64Timestamps) {
        switch (type) {
            case "FLOAT":
                switch (text) {
                    case "inf":
                        return "Infinity";
                    case "-inf":
                        return "-Infinity";
                    case "nan":
                    case "-nan":
                        return "NaN";
                    default:
                        return text;
                }
            case "NUMERIC":
            case "BIGNUMERIC":
                return new BigDecimal(text).stripTrailingZeros().toPlainString();
            case "DATETIME":
                return text.replace(' ', 'T');
            case "TIMESTAMP":
                if (int64Timestamps) {
                    return text;
                }
                return BigDecimal.valueOf(Long.parseLong(text), 6).toPlainString();
            default:
                return text;
        }
    }
}
