package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BigQuery v2 REST API as the google-cloud-bigquery client calls it: datasets, tables, tabledata
 * (list and insertAll), jobs (insert, get, list, cancel, delete, getQueryResults), jobs.query, and
 * resumable load-job uploads. Bodies may come gzip-compressed; errors use BigQuery's JSON error format.
 */
final class RestApi implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]{1,1024}");
    private static final Pattern TABLE_ID = Pattern.compile("[\\p{L}\\p{N}_\\- ]{1,1024}");
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,1024}");

    private final Catalog catalog;
    private final Jobs jobs;
    private final JobRunner runner;
    private final Loader loader;
    private final FaultInjector faults;
    private final BigQueryTestServer.Options options;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, Job> finishedUploads = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> insertIds = new ConcurrentHashMap<>();
    private volatile String endpoint = "http://127.0.0.1";

    /** An answer: status, JSON body (null for none) and extra headers. */
    private record Response(int status, JsonNode body, Map<String, String> headers) {
        static Response ok(JsonNode body) {
            return new Response(200, body, Map.of());
        }

        static Response noContent() {
            return new Response(204, null, Map.of());
        }
    }

    /** A resumable upload in progress. */
    private static final class Upload {
        final String project;
        final ObjectNode job;
        final Path file;
        long received;

        Upload(String project, ObjectNode job, Path file) {
            this.project = project;
            this.job = job;
            this.file = file;
        }
    }

    RestApi(Catalog catalog, Jobs jobs, JobRunner runner, Loader loader, FaultInjector faults, BigQueryTestServer.Options options) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.faults = requireNonNull(faults, "faults is null");
        this.options = requireNonNull(options, "options is null");
    }

    void endpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override");
        // the client's HTTP transport has no PATCH: it posts with an override header
        String method = (override != null ? override : ex.getRequestMethod()).toUpperCase(Locale.ROOT);
        String rawPath = ex.getRequestURI().getRawPath();
        String path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        String[] jobId = new String[1];
        int status = 500;
        try {
            byte[] body = readBody(ex);
            FaultInjector.Rule before = faults.take(method, path, false);
            if (before != null) {
                jobId[0] = jobIdOf(path, method.equals("POST") && path.endsWith("/jobs") ? json(body) : null);
                throw before.error();
            }
            // like BigQuery, an expired table is gone before anything else can see it
            catalog.dropExpiredTables();
            Response response = route(method, rawPath, query, body, jobId);
            FaultInjector.Rule after = faults.take(method, path, true);
            if (after != null) {
                throw after.error();
            }
            status = response.status();
            send(ex, response);
        } catch (BqException e) {
            status = e.status();
            send(ex, new Response(e.status(), e.toJson(), Map.of()));
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", method, path, e);
            status = 500;
            send(ex, new Response(500, new BqException(500, "internalError", "The test server failed: " + e).toJson(), Map.of()));
        } finally {
            faults.log(new FaultInjector.LoggedRequest(method, path, jobId[0], status));
            ex.close();
        }
    }

    private static String jobIdOf(String path, JsonNode body) {
        String[] s = path.split("/");
        for (int i = 0; i + 1 < s.length; i++) {
            if ((s[i].equals("jobs") || s[i].equals("queries")) && !s[i + 1].isEmpty()) {
                return s[i + 1];
            }
        }
        return body == null ? null : body.path("jobReference").path("jobId").asText(null);
    }

    private Response route(String method, String rawPath, Map<String, String> query, byte[] body, String[] jobId) {
        List<String> seg = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                seg.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        boolean upload = !seg.isEmpty() && seg.get(0).equals("upload");
        if (upload) {
            seg.remove(0);
        }
        if (seg.size() < 2 || !seg.get(0).equals("bigquery") || !seg.get(1).equals("v2")) {
            throw new BqException(404, "notFound", "Not found: URL " + rawPath);
        }
        List<String> r = seg.subList(2, seg.size());
        if (r.size() < 2 || !r.get(0).equals("projects")) {
            if (r.size() == 1 && r.get(0).equals("projects") && method.equals("GET")) {
                return projects();
            }
            throw new BqException(404, "notFound", "Not found: URL " + rawPath);
        }
        String project = r.get(1);
        List<String> rest = r.subList(2, r.size());
        String what = rest.isEmpty() ? "" : rest.get(0);
        if (upload) {
            return upload(method, project, query, body, jobId);
        }
        switch (what) {
            case "datasets":
                return datasets(method, project, rest, query, body);
            case "jobs":
                if (rest.size() >= 2) {
                    jobId[0] = rest.get(1);
                }
                return jobsApi(method, project, rest, query, body, jobId);
            case "queries":
                if (rest.size() == 2 && method.equals("GET")) {
                    jobId[0] = rest.get(1);
                    return getQueryResults(project, rest.get(1), query);
                }
                if (rest.size() == 1 && method.equals("POST")) {
                    return queryApi(project, json(body), jobId);
                }
                break;
            default:
                break;
        }
        throw new BqException(404, "notFound", "Not found: " + method + " " + rawPath);
    }

    // ---- projects and datasets

    private Response projects() {
        ObjectNode list = BqTypes.JSON.objectNode();
        list.put("kind", "bigquery#projectList");
        list.put("totalItems", 0);
        list.putArray("projects");
        return Response.ok(list);
    }

    private Response datasets(String method, String project, List<String> rest, Map<String, String> query, byte[] body) {
        if (rest.size() == 1) {
            if (method.equals("GET")) {
                return listDatasets(project, query);
            }
            if (method.equals("POST")) {
                return insertDataset(project, json(body));
            }
        } else if (rest.size() == 2) {
            String dataset = rest.get(1);
            switch (method) {
                case "GET":
                    return Response.ok(datasetJson(project, requireDataset(project, dataset)));
                case "DELETE":
                    requireDataset(project, dataset);
                    catalog.dropDataset(dataset, Boolean.parseBoolean(query.getOrDefault("deleteContents", "false")));
                    return Response.noContent();
                case "PATCH":
                case "PUT":
                    return patchDataset(project, requireDataset(project, dataset), json(body), method.equals("PUT"));
                default:
                    break;
            }
        } else if (rest.get(2).equals("tables")) {
            String dataset = requireDataset(project, rest.get(1));
            return tables(method, project, dataset, rest.subList(3, rest.size()), query, body);
        }
        throw new BqException(404, "notFound", "Not found: " + method + " datasets/" + String.join("/", rest.subList(1, rest.size())));
    }

    private String requireDataset(String project, String dataset) {
        if (!catalog.datasetExists(dataset)) {
            throw BqException.notFound("Dataset " + project + ":" + dataset);
        }
        return dataset;
    }

    private Response listDatasets(String project, Map<String, String> query) {
        List<String> ids = catalog.datasetIds(Boolean.parseBoolean(query.getOrDefault("all", "false")));
        ObjectNode list = BqTypes.JSON.objectNode();
        list.put("kind", "bigquery#datasetList");
        list.put("etag", "\"" + ids.hashCode() + "\"");
        int[] page = page(ids.size(), query);
        ArrayNode out = list.putArray("datasets");
        for (String id : ids.subList(page[0], page[1])) {
            ObjectNode d = out.addObject();
            d.put("kind", "bigquery#dataset");
            d.put("id", project + ":" + id);
            d.set("datasetReference", datasetRef(project, id));
            d.put("location", catalog.location(id));
            ObjectNode meta = catalog.datasetMeta(id);
            if (meta.has("labels")) {
                d.set("labels", meta.get("labels"));
            }
        }
        if (page[1] < ids.size()) {
            list.put("nextPageToken", Integer.toString(page[1]));
        }
        return Response.ok(list);
    }

    private Response insertDataset(String project, JsonNode body) {
        String dataset = body.path("datasetReference").path("datasetId").asText("");
        if (!ID.matcher(dataset).matches()) {
            throw BqException.invalid("Invalid dataset ID \"" + dataset + "\". Dataset IDs must be alphanumeric (plus underscores)"
                    + " and must be at most 1024 characters long.");
        }
        if (catalog.datasetExists(dataset) || catalog.schemaExists(dataset)) {
            throw BqException.duplicate("Dataset " + project + ":" + dataset);
        }
        ObjectNode meta = BqTypes.JSON.objectNode();
        meta.put("location", body.path("location").asText(options.location()));
        for (String key : List.of("description", "labels", "friendlyName", "defaultTableExpirationMs", "defaultPartitionExpirationMs")) {
            if (body.has(key)) {
                meta.set(key, body.get(key));
            }
        }
        String now = Long.toString(catalog.clock().millis());
        meta.put("creationTime", now);
        meta.put("lastModifiedTime", now);
        catalog.createDataset(dataset, meta);
        return Response.ok(datasetJson(project, dataset));
    }

    private Response patchDataset(String project, String dataset, JsonNode body, boolean replace) {
        ObjectNode meta = catalog.datasetMeta(dataset);
        if (body.has("location") && !body.get("location").asText().equalsIgnoreCase(meta.path("location").asText())) {
            throw BqException.invalid("Cannot change the location of dataset " + project + ":" + dataset);
        }
        for (String key : List.of("description", "labels", "friendlyName", "defaultTableExpirationMs", "defaultPartitionExpirationMs")) {
            if (body.has(key)) {
                meta.set(key, body.get(key));
            } else if (replace) {
                meta.remove(key);
            }
        }
        meta.put("lastModifiedTime", Long.toString(catalog.clock().millis()));
        catalog.putDatasetMeta(dataset, meta);
        return Response.ok(datasetJson(project, dataset));
    }

    private ObjectNode datasetJson(String project, String dataset) {
        ObjectNode meta = catalog.datasetMeta(dataset);
        ObjectNode d = BqTypes.JSON.objectNode();
        d.put("kind", "bigquery#dataset");
        d.put("etag", "\"" + Integer.toHexString(meta.hashCode()) + "\"");
        d.put("id", project + ":" + dataset);
        d.put("selfLink", endpoint + "/bigquery/v2/projects/" + project + "/datasets/" + dataset);
        d.set("datasetReference", datasetRef(project, dataset));
        d.setAll(meta);
        d.putArray("access");
        d.put("type", "DEFAULT");
        return d;
    }

    private static ObjectNode datasetRef(String project, String dataset) {
        ObjectNode ref = BqTypes.JSON.objectNode();
        ref.put("projectId", project);
        ref.put("datasetId", dataset);
        return ref;
    }

    // ---- tables

    private Response tables(String method, String project, String dataset, List<String> rest, Map<String, String> query, byte[] body) {
        if (rest.isEmpty()) {
            if (method.equals("GET")) {
                return listTables(project, dataset, query);
            }
            if (method.equals("POST")) {
                return insertTable(project, dataset, json(body));
            }
        } else {
            String table = rest.get(0);
            if (rest.size() == 1) {
                switch (method) {
                    case "GET":
                        return Response.ok(tableJson(project, requireTable(project, dataset, table)));
                    case "DELETE": {
                        Catalog.TableInfo info = requireTable(project, dataset, table);
                        catalog.execute("DROP " + (info.view() ? "VIEW " : "TABLE ") + info.quoted());
                        catalog.tableDropped(dataset, table);
                        return Response.noContent();
                    }
                    case "PATCH":
                    case "PUT":
                        return patchTable(project, requireTable(project, dataset, table), json(body));
                    default:
                        break;
                }
            } else if (rest.size() == 2 && rest.get(1).equals("data") && method.equals("GET")) {
                return listTableData(project, requireTable(project, dataset, table), query);
            } else if (rest.size() == 2 && rest.get(1).equals("insertAll") && method.equals("POST")) {
                return insertAll(project, requireTable(project, dataset, table), json(body));
            }
        }
        throw new BqException(404, "notFound", "Not found: " + method + " tables/" + String.join("/", rest));
    }

    private Catalog.TableInfo requireTable(String project, String dataset, String table) {
        Catalog.TableInfo info = catalog.table(dataset, table.split("\\$")[0]);
        if (info == null) {
            throw BqException.notFound("Table " + project + ":" + dataset + "." + table);
        }
        return info;
    }

    private Response listTables(String project, String dataset, Map<String, String> query) {
        List<String> ids = catalog.tableIds(dataset);
        ObjectNode list = BqTypes.JSON.objectNode();
        list.put("kind", "bigquery#tableList");
        list.put("etag", "\"" + ids.hashCode() + "\"");
        list.put("totalItems", ids.size());
        int[] page = page(ids.size(), query);
        ArrayNode tables = list.putArray("tables");
        for (String id : ids.subList(page[0], page[1])) {
            Catalog.TableInfo info = catalog.table(dataset, id);
            if (info == null) {
                continue;
            }
            ObjectNode meta = catalog.tableMeta(dataset, id);
            ObjectNode t = tables.addObject();
            t.put("kind", "bigquery#table");
            t.put("id", project + ":" + dataset + "." + id);
            t.set("tableReference", tableRef(project, dataset, id));
            t.put("type", info.view() ? "VIEW" : "TABLE");
            t.put("creationTime", meta.path("creationTime").asText());
            for (String key : List.of("timePartitioning", "rangePartitioning", "clustering", "labels", "friendlyName", "expirationTime")) {
                if (meta.has(key)) {
                    t.set(key, meta.get(key));
                }
            }
        }
        if (page[1] < ids.size()) {
            list.put("nextPageToken", Integer.toString(page[1]));
        }
        return Response.ok(list);
    }

    private Response insertTable(String project, String dataset, JsonNode body) {
        String table = body.path("tableReference").path("tableId").asText("");
        if (!TABLE_ID.matcher(table).matches()) {
            throw BqException.invalid("Invalid table ID \"" + table + "\".");
        }
        if (catalog.table(dataset, table) != null) {
            throw BqException.duplicate("Table " + project + ":" + dataset + "." + table);
        }
        String quoted = BqTypes.quote(dataset) + "." + BqTypes.quote(table);
        ObjectNode extras = BqTypes.JSON.objectNode();
        if (body.has("view")) {
            String sql = body.path("view").path("query").asText();
            BqSql.Context ctx = new BqSql.Context(Set.of(project), project, dataset, catalog);
            BqSql.Statement st = BqSql.prepare(sql, ctx, QueryParams.none());
            if (st.kind != BqSql.Kind.QUERY) {
                throw BqException.invalidQuery("A view needs a query");
            }
            catalog.execute("CREATE VIEW " + quoted + " AS " + st.duckSql);
            extras.set("view", body.get("view"));
        } else {
            JsonNode fields = body.path("schema").path("fields");
            if (!fields.isArray() || fields.isEmpty()) {
                throw BqException.invalid("The test server needs a schema with at least one field to create table " + table);
            }
            List<String> columns = new ArrayList<>();
            Set<String> names = new java.util.HashSet<>();
            for (JsonNode f : fields) {
                String name = f.path("name").asText();
                if (!names.add(name.toLowerCase(Locale.ROOT))) {
                    throw BqException.invalid("Duplicate column name " + name);
                }
                columns.add(BqTypes.quote(name) + " " + BqTypes.duckType(f) + ("REQUIRED".equalsIgnoreCase(f.path("mode").asText()) ? " NOT NULL" : ""));
            }
            checkPartitioning(body, fields);
            catalog.execute("CREATE TABLE " + quoted + " (" + String.join(", ", columns) + ")");
            extras.set("schema", body.get("schema"));
        }
        for (String key : List.of("timePartitioning", "rangePartitioning", "clustering", "description", "labels", "friendlyName",
                "expirationTime", "requirePartitionFilter")) {
            if (body.has(key)) {
                extras.set(key, body.get(key));
            }
        }
        catalog.tableCreated(dataset, table, extras);
        return Response.ok(tableJson(project, catalog.table(dataset, table)));
    }

    private static void checkPartitioning(JsonNode body, JsonNode fields) {
        String field = body.path("timePartitioning").path("field").asText(null);
        if (field != null) {
            JsonNode f = null;
            for (JsonNode candidate : fields) {
                if (candidate.path("name").asText().equals(field)) {
                    f = candidate;
                }
            }
            String type = f == null ? "" : BqTypes.legacy(f.path("type").asText());
            if (!type.equals("DATE") && !type.equals("TIMESTAMP") && !type.equals("DATETIME")) {
                throw BqException.invalid("The field specified for time partitioning can only be of type TIMESTAMP, DATE or DATETIME."
                        + " The type found is: " + (f == null ? "missing" : type) + ".");
            }
        }
        for (JsonNode c : body.path("clustering").path("fields")) {
            boolean found = false;
            for (JsonNode candidate : fields) {
                found |= candidate.path("name").asText().equals(c.asText());
            }
            if (!found) {
                throw BqException.invalid("The field specified for clustering cannot be found in the schema: " + c.asText());
            }
        }
    }

    private Response patchTable(String project, Catalog.TableInfo info, JsonNode body) {
        ObjectNode meta = catalog.tableMeta(info.dataset(), info.table());
        JsonNode fields = body.path("schema").path("fields");
        if (fields.isArray() && !info.view()) {
            Set<String> existing = new java.util.HashSet<>();
            info.columns().forEach(c -> existing.add(c.name()));
            for (JsonNode f : fields) {
                String name = f.path("name").asText();
                if (!existing.contains(name)) {
                    if ("REQUIRED".equalsIgnoreCase(f.path("mode").asText())) {
                        throw BqException.invalid("Provided Schema does not match Table " + project + ":" + info.dataset() + "."
                                + info.table() + ". Cannot add required field " + name + ".");
                    }
                    catalog.execute("ALTER TABLE " + info.quoted() + " ADD COLUMN " + BqTypes.quote(name) + " " + BqTypes.duckType(f));
                } else if ("NULLABLE".equalsIgnoreCase(f.path("mode").asText(""))) {
                    for (Catalog.Column c : info.columns()) {
                        if (c.name().equals(name) && !c.nullable()) {
                            catalog.execute("ALTER TABLE " + info.quoted() + " ALTER COLUMN " + BqTypes.quote(name) + " DROP NOT NULL");
                        }
                    }
                }
            }
            meta.set("schema", body.get("schema"));
        }
        for (String key : List.of("description", "labels", "friendlyName", "expirationTime", "clustering", "requirePartitionFilter")) {
            if (body.has(key)) {
                meta.set(key, body.get(key));
            }
        }
        meta.put("lastModifiedTime", Long.toString(catalog.clock().millis()));
        catalog.putTableMeta(info.dataset(), info.table(), meta);
        return Response.ok(tableJson(project, catalog.table(info.dataset(), info.table())));
    }

    private ObjectNode tableJson(String project, Catalog.TableInfo info) {
        ObjectNode meta = catalog.tableMeta(info.dataset(), info.table());
        ObjectNode t = BqTypes.JSON.objectNode();
        t.put("kind", "bigquery#table");
        t.put("etag", "\"" + Integer.toHexString(meta.hashCode()) + "\"");
        t.put("id", project + ":" + info.dataset() + "." + info.table());
        t.put("selfLink", endpoint + "/bigquery/v2/projects/" + project + "/datasets/" + info.dataset() + "/tables/" + info.table());
        t.set("tableReference", tableRef(project, info.dataset(), info.table()));
        ObjectNode schema = catalog.schema(info);
        t.set("schema", schema);
        t.put("type", info.view() ? "VIEW" : "TABLE");
        t.put("location", catalog.location(info.dataset()));
        t.put("creationTime", meta.path("creationTime").asText());
        t.put("lastModifiedTime", meta.path("lastModifiedTime").asText());
        if (!info.view()) {
            long rows;
            try (Connection c = catalog.connect()) {
                rows = JobRunner.count(c, new BqSql.TableRef(info.dataset(), info.table()));
            } catch (SQLException e) {
                throw new BqException(500, "internalError", e.getMessage());
            }
            long width = 0;
            for (JsonNode f : schema.path("fields")) {
                int w = BqTypes.fixedWidth(f.path("type").asText());
                width += w > 0 ? w : 16;
            }
            t.put("numRows", Long.toString(rows));
            t.put("numBytes", Long.toString(rows * width));
            t.put("numLongTermBytes", "0");
        }
        for (String key : List.of("timePartitioning", "rangePartitioning", "clustering", "description", "labels", "friendlyName",
                "expirationTime", "requirePartitionFilter", "view")) {
            if (meta.has(key)) {
                t.set(key, meta.get(key));
            }
        }
        return t;
    }

    private static ObjectNode tableRef(String project, String dataset, String table) {
        ObjectNode ref = datasetRef(project, dataset);
        ref.put("tableId", table);
        return ref;
    }

    private Response listTableData(String project, Catalog.TableInfo info, Map<String, String> query) {
        long max = Long.parseLong(query.getOrDefault("maxResults", Integer.toString(options.pageSize())));
        long start = Long.parseLong(query.getOrDefault("startIndex", "0"));
        List<String> selected = query.containsKey("selectedFields") ? Arrays.asList(query.get("selectedFields").split(",")) : null;
        boolean int64 = Boolean.parseBoolean(query.getOrDefault("formatOptions.useInt64Timestamp", "false"));
        ObjectNode out = BqTypes.JSON.objectNode();
        out.put("kind", "bigquery#tableDataList");
        try (Connection c = catalog.connect()) {
            ObjectNode schema = catalog.schema(info);
            Cells.Page page = Cells.read(c, info, (ArrayNode) schema.get("fields"), selected, query.get("pageToken"), start, max, int64);
            out.put("etag", "\"" + info.hashCode() + "\"");
            out.put("totalRows", Long.toString(info.view() ? page.rows().size() : JobRunner.count(c, new BqSql.TableRef(info.dataset(), info.table()))));
            if (page.nextToken() != null) {
                out.put("pageToken", page.nextToken());
            }
            if (!page.rows().isEmpty()) {
                out.set("rows", page.rows());
            }
        } catch (SQLException e) {
            throw runner.translate(e, null, null);
        }
        return Response.ok(out);
    }

    /** tabledata.insertAll: each row is checked on its own; with errors and no skipInvalidRows, nothing is inserted. */
    private Response insertAll(String project, Catalog.TableInfo info, JsonNode body) {
        if (info.view()) {
            throw BqException.invalid("Cannot insert into view " + project + ":" + info.dataset() + "." + info.table());
        }
        ArrayNode fields = (ArrayNode) catalog.schema(info).get("fields");
        boolean skipInvalid = body.path("skipInvalidRows").asBoolean(false);
        boolean ignoreUnknown = body.path("ignoreUnknownValues").asBoolean(false);
        List<String> placeholders = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        for (JsonNode f : fields) {
            columns.add(BqTypes.quote(f.path("name").asText()));
            placeholders.add(insertPlaceholder(f));
        }
        String values = "(" + String.join(", ", placeholders) + ")";
        ObjectNode response = BqTypes.JSON.objectNode();
        response.put("kind", "bigquery#tableDataInsertAllResponse");
        ArrayNode errors = BqTypes.JSON.arrayNode();
        List<List<String>> valid = new ArrayList<>();
        Set<String> seen = insertIds.computeIfAbsent(info.dataset() + "." + info.table(), k -> ConcurrentHashMap.newKeySet());
        List<String> pendingIds = new ArrayList<>();
        try (Connection c = catalog.connect()) {
            int index = 0;
            for (JsonNode row : body.path("rows")) {
                JsonNode json = row.path("json");
                String insertId = row.path("insertId").asText(null);
                String problem = null;
                List<String> texts = new ArrayList<>();
                Set<String> known = new java.util.HashSet<>();
                for (JsonNode f : fields) {
                    String name = f.path("name").asText();
                    known.add(name);
                    JsonNode v = json.get(name);
                    if ((v == null || v.isNull()) && "REQUIRED".equals(f.path("mode").asText())) {
                        problem = "Missing required field: " + name + ".";
                    }
                    texts.add(v == null || v.isNull() ? null : insertText(v, f));
                }
                if (!ignoreUnknown) {
                    for (var it = json.fieldNames(); it.hasNext(); ) {
                        String name = it.next();
                        if (!known.contains(name)) {
                            problem = "no such field: " + name + ".";
                        }
                    }
                }
                if (problem == null) {
                    problem = check(c, values, texts);
                }
                if (problem != null) {
                    ObjectNode e = errors.addObject();
                    e.put("index", index);
                    ObjectNode err = e.putArray("errors").addObject();
                    err.put("reason", "invalid");
                    err.put("location", "");
                    err.put("message", problem);
                } else if (insertId == null || !seen.contains(insertId)) {
                    valid.add(texts);
                    if (insertId != null) {
                        pendingIds.add(insertId);
                    }
                }
                index++;
            }
            if (errors.isEmpty() || skipInvalid) {
                if (!valid.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + info.quoted() + " (" + String.join(", ", columns)
                            + ") VALUES " + values)) {
                        for (List<String> texts : valid) {
                            for (int i = 0; i < texts.size(); i++) {
                                ps.setString(i + 1, texts.get(i));
                            }
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    seen.addAll(pendingIds);
                    catalog.touch(info.dataset(), info.table());
                }
            } else {
                // BigQuery marks the valid rows of a rejected request as stopped
                Set<Integer> bad = new java.util.HashSet<>();
                errors.forEach(e -> bad.add(e.path("index").asInt()));
                for (int i = 0; i < index; i++) {
                    if (!bad.contains(i)) {
                        ObjectNode e = errors.addObject();
                        e.put("index", i);
                        ObjectNode err = e.putArray("errors").addObject();
                        err.put("reason", "stopped");
                        err.put("location", "");
                        err.put("message", "");
                    }
                }
            }
        } catch (SQLException e) {
            throw runner.translate(e, null, new BqSql.TableRef(info.dataset(), info.table()));
        }
        if (!errors.isEmpty()) {
            response.set("insertErrors", errors);
        }
        return Response.ok(response);
    }

    /** Why the row's values do not cast to the table's types, or null. */
    private static String check(Connection c, String values, List<String> texts) {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM (VALUES " + values + ")")) {
            for (int i = 0; i < texts.size(); i++) {
                ps.setString(i + 1, texts.get(i));
            }
            ps.executeQuery().close();
            return null;
        } catch (SQLException e) {
            return String.valueOf(e.getMessage()).lines().findFirst().orElse("invalid value");
        }
    }

    /** A JSON value as the text its column's placeholder casts; TIMESTAMPs may come as epoch seconds. */
    private static String insertText(JsonNode v, JsonNode f) {
        if (!v.isValueNode()) {
            return v.toString();
        }
        String text = v.asText();
        if ("TIMESTAMP".equals(f.path("type").asText()) && !"REPEATED".equals(f.path("mode").asText())) {
            if (v.isNumber() || text.matches("-?\\d+(\\.\\d*)?")) {
                java.math.BigDecimal micros = new java.math.BigDecimal(text).movePointRight(6);
                return java.time.Instant.EPOCH.plus(micros.longValue(), java.time.temporal.ChronoUnit.MICROS).toString();
            }
            if (text.toUpperCase(Locale.ROOT).endsWith(" UTC")) {
                return text.substring(0, text.length() - 4) + "+00";
            }
        }
        return text;
    }

    private static String insertPlaceholder(JsonNode f) {
        return Loader.castText(f, "CAST(? AS VARCHAR)");
    }

    // ---- jobs

    private Response jobsApi(String method, String project, List<String> rest, Map<String, String> query, byte[] body, String[] jobId) {
        if (rest.size() == 1 && method.equals("POST")) {
            ObjectNode job = json(body);
            jobId[0] = job.path("jobReference").path("jobId").asText(null);
            return insertJob(project, job, query, jobId);
        }
        if (rest.size() == 1 && method.equals("GET")) {
            return listJobs(project);
        }
        Job job = jobs.get(project, rest.get(1));
        if (job == null) {
            throw BqException.notFound("Job " + project + ":" + query.getOrDefault("location", options.location()) + "." + rest.get(1));
        }
        if (rest.size() == 2 && method.equals("GET")) {
            jobs.polled(job);
            return Response.ok(job.toJson(endpoint));
        }
        if (rest.size() == 3 && rest.get(2).equals("cancel") && method.equals("POST")) {
            jobs.cancel(job);
            await(job, 2000);
            ObjectNode out = BqTypes.JSON.objectNode();
            out.put("kind", "bigquery#jobCancelResponse");
            out.set("job", job.toJson(endpoint));
            return Response.ok(out);
        }
        if (rest.size() == 3 && rest.get(2).equals("delete") && method.equals("DELETE")) {
            return Response.noContent();
        }
        throw new BqException(404, "notFound", "Not found: " + method + " jobs/" + String.join("/", rest.subList(1, rest.size())));
    }

    private Response insertJob(String project, ObjectNode body, Map<String, String> query, String[] jobIdOut) {
        ObjectNode configuration = body.has("configuration") ? (ObjectNode) body.get("configuration") : BqTypes.JSON.objectNode();
        String jobId = body.path("jobReference").path("jobId").asText(null);
        if (jobId == null || jobId.isEmpty()) {
            jobId = "job_" + UUID.randomUUID().toString().replace("-", "");
        } else if (!JOB_ID.matcher(jobId).matches()) {
            throw BqException.invalid("Invalid job ID \"" + jobId + "\". Job IDs must be alphanumeric (plus underscores and dashes)"
                    + " and must be at most 1024 characters long.");
        }
        jobIdOut[0] = jobId;
        String location = location(body.path("jobReference").path("location").asText(query.get("location")), configuration);
        long now = catalog.clock().millis();
        if (configuration.path("dryRun").asBoolean(false)) {
            return Response.ok(runner.dryRun(project, jobId, location, configuration, now));
        }
        Job job = new Job(project, jobId, location, configuration.deepCopy(), now, null);
        jobs.submit(job);
        await(job, options.syncWaitMillis());
        return Response.ok(job.toJson(endpoint));
    }

    /** A job's location: as given, else its datasets', else the server default. */
    private String location(String given, JsonNode configuration) {
        if (given != null && !given.isEmpty()) {
            return given;
        }
        for (JsonNode ref : List.of(configuration.path("query").path("defaultDataset"), configuration.path("query").path("destinationTable"),
                configuration.path("load").path("destinationTable"), configuration.path("copy").path("destinationTable"))) {
            String dataset = ref.path("datasetId").asText(null);
            if (dataset != null && catalog.datasetExists(dataset)) {
                return catalog.location(dataset);
            }
        }
        return options.location();
    }

    private Response listJobs(String project) {
        ObjectNode list = BqTypes.JSON.objectNode();
        list.put("kind", "bigquery#jobList");
        ArrayNode out = list.putArray("jobs");
        for (Job job : jobs.all()) {
            if (job.project.equals(project)) {
                ObjectNode j = job.toJson(endpoint);
                j.put("state", job.state.name());
                out.add(j);
            }
        }
        return Response.ok(list);
    }

    private static void await(Job job, long millis) {
        try {
            job.await(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Response getQueryResults(String project, String jobId, Map<String, String> query) {
        Job job = jobs.get(project, jobId);
        if (job == null) {
            throw BqException.notFound("Job " + project + ":" + query.getOrDefault("location", options.location()) + "." + jobId);
        }
        jobs.polled(job);
        boolean pending;
        synchronized (job) {
            pending = !job.started;
        }
        if (!pending) {
            await(job, Math.min(Long.parseLong(query.getOrDefault("timeoutMs", "10000")), 10_000));
        }
        long max = query.containsKey("maxResults") ? Long.parseLong(query.get("maxResults")) : options.pageSize();
        ObjectNode out = results(job, max, query.get("pageToken"), Long.parseLong(query.getOrDefault("startIndex", "0")),
                Boolean.parseBoolean(query.getOrDefault("formatOptions.useInt64Timestamp", "false")));
        out.put("kind", "bigquery#getQueryResultsResponse");
        return Response.ok(out);
    }

    /** The common part of getQueryResults and jobs.query answers. */
    private ObjectNode results(Job job, long max, String pageToken, long startIndex, boolean int64) {
        ObjectNode out = BqTypes.JSON.objectNode();
        out.put("etag", "\"" + Integer.toHexString(job.key().hashCode()) + "\"");
        out.set("jobReference", job.reference());
        if (!job.isDone()) {
            out.put("jobComplete", false);
            return out;
        }
        if (job.error != null) {
            throw job.error;
        }
        out.put("jobComplete", true);
        out.put("cacheHit", false);
        out.put("totalBytesProcessed", Long.toString(job.bytesProcessed));
        if (job.dmlAffectedRows != null) {
            out.put("numDmlAffectedRows", Long.toString(job.dmlAffectedRows));
        }
        if (job.dmlStats != null) {
            out.set("dmlStats", job.dmlStats);
        }
        if (job.resultTable == null || job.resultSchema == null) {
            out.put("totalRows", "0");
            return out;
        }
        out.set("schema", job.resultSchema);
        out.put("totalRows", Long.toString(job.totalRows));
        if (max > 0) {
            Catalog.TableInfo info = catalog.table(job.resultTable.dataset(), job.resultTable.table());
            if (info == null) {
                throw BqException.notFound("Table " + job.project + ":" + job.resultTable + " (the job's results are gone)");
            }
            try (Connection c = catalog.connect()) {
                Cells.Page page = Cells.read(c, info, (ArrayNode) job.resultSchema.get("fields"), null, pageToken, startIndex, max, int64);
                if (!page.rows().isEmpty()) {
                    out.set("rows", page.rows());
                }
                if (page.nextToken() != null) {
                    out.put("pageToken", page.nextToken());
                }
            } catch (SQLException e) {
                throw runner.translate(e, null, null);
            }
        }
        return out;
    }

    /** jobs.query: runs the query as a job and answers inline; a retried requestId reattaches to its job. */
    private Response queryApi(String project, ObjectNode request, String[] jobIdOut) {
        ObjectNode queryConfig = BqTypes.JSON.objectNode();
        for (String key : List.of("query", "useLegacySql", "defaultDataset", "queryParameters", "parameterMode", "maximumBytesBilled",
                "labels", "useQueryCache", "connectionProperties", "createSession")) {
            if (request.has(key)) {
                queryConfig.set(key, request.get(key));
            }
        }
        ObjectNode configuration = BqTypes.JSON.objectNode();
        configuration.set("query", queryConfig);
        String location = location(request.path("location").asText(null), configuration);
        long now = catalog.clock().millis();
        boolean int64 = request.path("formatOptions").path("useInt64Timestamp").asBoolean(false);
        if (request.path("dryRun").asBoolean(false)) {
            ObjectNode dry = runner.dryRun(project, "job_" + UUID.randomUUID().toString().replace("-", ""), location, configuration, now);
            ObjectNode out = BqTypes.JSON.objectNode();
            out.put("kind", "bigquery#queryResponse");
            out.put("jobComplete", true);
            out.put("totalBytesProcessed", dry.path("statistics").path("totalBytesProcessed").asText("0"));
            if (dry.path("statistics").path("query").has("schema")) {
                out.set("schema", dry.path("statistics").path("query").get("schema"));
            }
            out.put("cacheHit", false);
            return Response.ok(out);
        }
        String requestId = request.path("requestId").asText(null);
        Job job = jobs.byRequestId(requestId);
        if (job == null) {
            job = new Job(project, "job_" + UUID.randomUUID().toString().replace("-", ""), location, configuration, now, requestId);
            jobs.submit(job);
        }
        jobIdOut[0] = job.jobId;
        boolean pending;
        synchronized (job) {
            pending = !job.started;
        }
        if (!pending) {
            await(job, Math.min(request.path("timeoutMs").asLong(10_000), 10_000));
        }
        long max = request.has("maxResults") ? request.get("maxResults").asLong() : options.pageSize();
        ObjectNode out = results(job, max, null, 0, int64);
        out.put("kind", "bigquery#queryResponse");
        return Response.ok(out);
    }

    // ---- resumable uploads (load jobs from the client's writer)

    private Response upload(String method, String project, Map<String, String> query, byte[] body, String[] jobIdOut) {
        if (method.equals("POST")) {
            ObjectNode job = json(body);
            String uploadId = UUID.randomUUID().toString().replace("-", "");
            try {
                Path file = Files.createTempFile("bqserver-upload-", ".data");
                uploads.put(uploadId, new Upload(project, job, file));
            } catch (IOException e) {
                throw new BqException(500, "internalError", "cannot buffer the upload: " + e.getMessage());
            }
            jobIdOut[0] = job.path("jobReference").path("jobId").asText(null);
            return new Response(200, null, Map.of("Location", endpoint + "/upload/bigquery/v2/projects/" + project
                    + "/jobs?uploadType=resumable&upload_id=" + uploadId));
        }
        if (method.equals("PUT")) {
            String uploadId = query.getOrDefault("upload_id", "");
            Job finished = finishedUploads.get(uploadId);
            if (finished != null) {
                // a retried last chunk whose answer was lost: the upload is complete, answer with its job again
                jobIdOut[0] = finished.jobId;
                return new Response(200, finished.toJson(endpoint), Map.of());
            }
            Upload upload = uploads.get(uploadId);
            if (upload == null) {
                throw BqException.notFound("Upload " + uploadId);
            }
            jobIdOut[0] = upload.job.path("jobReference").path("jobId").asText(null);
            synchronized (upload) {
                ContentRange range = ContentRange.parse(lastContentRange.get(), body.length);
                if (body.length > 0) {
                    if (range.start() > upload.received) {
                        throw BqException.invalid("Upload chunk starts at byte " + range.start() + " but only " + upload.received
                                + " bytes were received");
                    }
                    // a resent chunk overlaps what arrived already: keep only the new bytes
                    int skip = (int) (upload.received - range.start());
                    if (skip < body.length) {
                        try {
                            Files.write(upload.file, java.util.Arrays.copyOfRange(body, skip, body.length), StandardOpenOption.APPEND);
                        } catch (IOException e) {
                            throw new BqException(500, "internalError", "cannot buffer the upload: " + e.getMessage());
                        }
                        upload.received += body.length - skip;
                    }
                }
                if (range.total() < 0 || upload.received < range.total()) {
                    return new Response(308, null, upload.received > 0 ? Map.of("Range", "bytes=0-" + (upload.received - 1)) : Map.of());
                }
                uploads.remove(uploadId);
                Job job = finishUpload(upload, jobIdOut);
                finishedUploads.put(uploadId, job);
                return new Response(200, job.toJson(endpoint), Map.of());
            }
        }
        throw new BqException(404, "notFound", "Not found: " + method + " upload");
    }

    /** {@code Content-Range: bytes first-last/total}, {@code bytes first-last/*} or {@code bytes *}{@code /total}; total -1 if unknown. */
    private record ContentRange(long start, long total) {
        static ContentRange parse(String header, int length) {
            if (header == null) {
                // a single-request upload: the body is everything
                return new ContentRange(0, length);
            }
            String h = header.trim();
            if (h.startsWith("bytes ")) {
                h = h.substring("bytes ".length()).trim();
            }
            int slash = h.indexOf('/');
            if (slash < 0) {
                throw BqException.invalid("Invalid Content-Range " + header);
            }
            String span = h.substring(0, slash);
            String total = h.substring(slash + 1);
            try {
                long start = span.equals("*") ? 0 : Long.parseLong(span.substring(0, span.indexOf('-')));
                return new ContentRange(start, total.equals("*") ? -1 : Long.parseLong(total));
            } catch (RuntimeException e) {
                throw BqException.invalid("Invalid Content-Range " + header);
            }
        }
    }

    private final ThreadLocal<String> lastContentRange = new ThreadLocal<>();

    /** Creates the load job of a complete upload; 409 if a job with its id exists (the rows are not loaded twice). */
    private Job finishUpload(Upload upload, String[] jobIdOut) {
        ObjectNode configuration = upload.job.has("configuration") ? (ObjectNode) upload.job.get("configuration") : BqTypes.JSON.objectNode();
        String jobId = upload.job.path("jobReference").path("jobId").asText("job_" + UUID.randomUUID().toString().replace("-", ""));
        jobIdOut[0] = jobId;
        String location = location(upload.job.path("jobReference").path("location").asText(null), configuration);
        Job job = new Job(upload.project, jobId, location, configuration.deepCopy(), catalog.clock().millis(), null);
        try {
            jobs.submitWith(job, () -> {
                try {
                    loader.loadFiles(job, runner, List.of(upload.file.toString()));
                } finally {
                    deleteQuietly(upload.file);
                }
            });
        } catch (RuntimeException e) {
            deleteQuietly(upload.file);
            throw e;
        }
        await(job, options.syncWaitMillis());
        return job;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", file, e);
        }
    }

    // ---- plumbing

    private byte[] readBody(HttpExchange ex) throws IOException {
        lastContentRange.set(ex.getRequestHeaders().getFirst("Content-Range"));
        try (InputStream raw = ex.getRequestBody()) {
            String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
            InputStream in = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip") ? new GZIPInputStream(raw) : raw;
            return in.readAllBytes();
        }
    }

    private static ObjectNode json(byte[] body) {
        if (body == null || body.length == 0) {
            return BqTypes.JSON.objectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (!(node instanceof ObjectNode)) {
                throw BqException.invalid("The request body must be a JSON object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw BqException.invalid("Invalid JSON payload received: " + e.getMessage());
        }
    }

    private static void send(HttpExchange ex, Response response) throws IOException {
        response.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        if (response.body() == null) {
            ex.sendResponseHeaders(response.status(), -1);
            return;
        }
        byte[] bytes = MAPPER.writeValueAsBytes(response.body());
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        Map<String, List<String>> multi = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            multi.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        // repeated parameters (selectedFields=a&selectedFields=b) join like a comma list
        multi.forEach((k, v) -> out.put(k, String.join(",", v)));
        return out;
    }

    private int[] page(int size, Map<String, String> query) {
        int start = Integer.parseInt(query.getOrDefault("pageToken", "0"));
        int max = Integer.parseInt(query.getOrDefault("maxResults", "1000"));
        return new int[] {Math.min(start, size), Math.min(size, start + Math.max(1, max))};
    }
}
