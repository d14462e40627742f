package io.convergence.bqserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BigQuery's {@code INFORMATION_SCHEMA} views as DuckDB subqueries. PARTITIONS counts rows per partition
 * at query time (so it sees the job's own writes); TABLES, COLUMNS and SCHEMATA are snapshots of the
 * catalog taken when the statement is translated.
 */
final class InformationSchema {
    private InformationSchema() {
    }

    static String subquery(BqSql.Context ctx, String dataset, String view) {
        String d = dataset != null ? dataset : ctx.defaultDataset();
        switch (view) {
            case "PARTITIONS":
                return partitions(ctx, require(d, view));
            case "TABLES":
                return tables(ctx, require(d, view));
            case "COLUMNS":
                return columns(ctx, require(d, view));
            case "SCHEMATA":
                return schemata(ctx);
            default:
                throw BqException.invalidQuery("INFORMATION_SCHEMA." + view + " is not supported by the BigQuery test server");
        }
    }

    private static String require(String dataset, String view) {
        if (dataset == null) {
            throw BqException.invalidQuery("INFORMATION_SCHEMA." + view + " needs a dataset qualifier");
        }
        return dataset;
    }

    private static String partitions(BqSql.Context ctx, String dataset) {
        Catalog catalog = ctx.catalog();
        if (!catalog.datasetExists(dataset)) {
            throw BqException.notFound("Dataset " + ctx.project() + ":" + dataset);
        }
        List<String> parts = new ArrayList<>();
        for (String table : catalog.tableIds(dataset)) {
            Catalog.TableInfo info = catalog.table(dataset, table);
            if (info == null || info.view()) {
                continue;
            }
            ObjectNode meta = catalog.tableMeta(dataset, table);
            String partitionId = partitionId(meta);
            String head = "SELECT " + literal(ctx.project()) + " AS table_catalog, " + literal(dataset) + " AS table_schema, "
                    + literal(table) + " AS table_name, ";
            String tail = " AS total_rows, CAST(NULL AS BIGINT) AS total_logical_bytes, CAST(NULL AS BIGINT) AS total_billable_bytes, "
                    + "CAST(epoch_ms(" + meta.path("lastModifiedTime").asLong() + ") AS TIMESTAMPTZ) AS last_modified_time, "
                    + "'ACTIVE' AS storage_tier FROM " + info.quoted();
            if (partitionId == null) {
                parts.add(head + "CAST(NULL AS VARCHAR) AS partition_id, count(*)" + tail);
            } else {
                parts.add(head + partitionId + " AS partition_id, count(*)" + tail + " GROUP BY ALL");
            }
        }
        if (parts.isEmpty()) {
            parts.add("SELECT CAST(NULL AS VARCHAR) AS table_catalog, CAST(NULL AS VARCHAR) AS table_schema, CAST(NULL AS VARCHAR) AS table_name, "
                    + "CAST(NULL AS VARCHAR) AS partition_id, CAST(NULL AS BIGINT) AS total_rows, CAST(NULL AS BIGINT) AS total_logical_bytes, "
                    + "CAST(NULL AS BIGINT) AS total_billable_bytes, CAST(NULL AS TIMESTAMPTZ) AS last_modified_time, "
                    + "CAST(NULL AS VARCHAR) AS storage_tier WHERE false");
        }
        return "(" + String.join(" UNION ALL ", parts) + ")";
    }

    /** The SQL expression of a row's partition id, or null for an unpartitioned table. */
    static String partitionId(JsonNode meta) {
        JsonNode tp = meta.path("timePartitioning");
        if (tp.isObject() && tp.hasNonNull("field")) {
            String column = BqTypes.quote(tp.get("field").asText());
            String format;
            switch (tp.path("type").asText("DAY").toUpperCase(Locale.ROOT)) {
                case "HOUR":
                    format = "%Y%m%d%H";
                    break;
                case "MONTH":
                    format = "%Y%m";
                    break;
                case "YEAR":
                    format = "%Y";
                    break;
                default:
                    format = "%Y%m%d";
            }
            return "CASE WHEN " + column + " IS NULL THEN '__NULL__' ELSE strftime(" + column + ", '" + format + "') END";
        }
        JsonNode rp = meta.path("rangePartitioning");
        if (rp.isObject() && rp.hasNonNull("field")) {
            String column = BqTypes.quote(rp.get("field").asText());
            long start = rp.path("range").path("start").asLong();
            long end = rp.path("range").path("end").asLong();
            long interval = Math.max(1, rp.path("range").path("interval").asLong(1));
            return "CASE WHEN " + column + " IS NULL THEN '__NULL__' WHEN " + column + " < " + start + " OR " + column + " >= " + end
                    + " THEN '__UNPARTITIONED__' ELSE CAST(" + start + " + ((" + column + " - " + start + ") // " + interval + ") * "
                    + interval + " AS VARCHAR) END";
        }
        return null;
    }

    private static String tables(BqSql.Context ctx, String dataset) {
        Catalog catalog = ctx.catalog();
        List<String> rows = new ArrayList<>();
        for (String table : catalog.tableIds(dataset)) {
            Catalog.TableInfo info = catalog.table(dataset, table);
            if (info == null) {
                continue;
            }
            rows.add("(" + literal(ctx.project()) + ", " + literal(dataset) + ", " + literal(table) + ", "
                    + literal(info.view() ? "VIEW" : "BASE TABLE") + ", " + literal(info.view() ? "NO" : "YES")
                    + ", CAST(epoch_ms(" + catalog.tableMeta(dataset, table).path("creationTime").asLong() + ") AS TIMESTAMPTZ))");
        }
        return values(rows, "table_catalog, table_schema, table_name, table_type, is_insertable_into, creation_time",
                "CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS TIMESTAMPTZ)");
    }

    private static String columns(BqSql.Context ctx, String dataset) {
        Catalog catalog = ctx.catalog();
        List<String> rows = new ArrayList<>();
        for (String table : catalog.tableIds(dataset)) {
            Catalog.TableInfo info = catalog.table(dataset, table);
            if (info == null) {
                continue;
            }
            ObjectNode meta = catalog.tableMeta(dataset, table);
            String partitionField = meta.path("timePartitioning").path("field").asText(meta.path("rangePartitioning").path("field").asText(""));
            List<String> clustering = new ArrayList<>();
            meta.path("clustering").path("fields").forEach(f -> clustering.add(f.asText()));
            int position = 1;
            for (JsonNode field : catalog.schema(info).path("fields")) {
                String name = field.path("name").asText();
                int cluster = clustering.indexOf(name);
                rows.add("(" + literal(ctx.project()) + ", " + literal(dataset) + ", " + literal(table) + ", " + literal(name) + ", "
                        + position++ + ", " + literal("REQUIRED".equals(field.path("mode").asText()) ? "NO" : "YES") + ", "
                        + literal(standardType(field)) + ", " + literal(name.equals(partitionField) ? "YES" : "NO") + ", "
                        + (cluster < 0 ? "CAST(NULL AS BIGINT)" : Integer.toString(cluster + 1)) + ")");
            }
        }
        return values(rows, "table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable, data_type,"
                + " is_partitioning_column, clustering_ordinal_position",
                "CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT),"
                        + " CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT)");
    }

    private static String schemata(BqSql.Context ctx) {
        Catalog catalog = ctx.catalog();
        List<String> rows = new ArrayList<>();
        for (String dataset : catalog.datasetIds(false)) {
            ObjectNode meta = catalog.datasetMeta(dataset);
            rows.add("(" + literal(ctx.project()) + ", " + literal(dataset) + ", " + literal(meta.path("location").asText())
                    + ", CAST(epoch_ms(" + meta.path("creationTime").asLong() + ") AS TIMESTAMPTZ))");
        }
        return values(rows, "catalog_name, schema_name, location, creation_time",
                "CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS TIMESTAMPTZ)");
    }

    /** The GoogleSQL spelling of a field type, as INFORMATION_SCHEMA.COLUMNS.data_type shows it. */
    static String standardType(JsonNode field) {
        String type;
        switch (field.path("type").asText()) {
            case "INTEGER":
                type = "INT64";
                break;
            case "FLOAT":
                type = "FLOAT64";
                break;
            case "BOOLEAN":
                type = "BOOL";
                break;
            case "RECORD":
                List<String> members = new ArrayList<>();
                for (JsonNode f : field.path("fields")) {
                    members.add(f.path("name").asText() + " " + standardType(f));
                }
                type = "STRUCT<" + String.join(", ", members) + ">";
                break;
            default:
                type = field.path("type").asText();
        }
        return "REPEATED".equals(field.path("mode").asText()) ? "ARRAY<" + type + ">" : type;
    }

    private static String values(List<String> rows, String columns, String nullRow) {
        if (rows.isEmpty()) {
            return "(SELECT * FROM (VALUES (" + nullRow + ")) AS v(" + columns + ") WHERE false)";
        }
        return "(SELECT * FROM (VALUES " + String.join(", ", rows) + ") AS v(" + columns + "))";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
