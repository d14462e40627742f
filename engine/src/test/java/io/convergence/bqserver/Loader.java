package io.convergence.bqserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.bqserver.BqSql.TableRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Load jobs from files DuckDB can read: {@code file://} URIs, local paths, and {@code gs://bucket/object}
 * mapped to {@code <gcsRoot>/bucket/object} (a trailing {@code *} globs). CSV, newline-delimited JSON and
 * Parquet; the schema comes from the job or, with autodetect, from DuckDB's sniffer.
 */
final class Loader {
    private final Catalog catalog;
    private final Path gcsRoot;

    Loader(Catalog catalog, Path gcsRoot) {
        this.catalog = catalog;
        this.gcsRoot = gcsRoot;
    }

    void load(Job job, JobRunner runner) {
        JsonNode load = job.configuration.get("load");
        List<String> files = new ArrayList<>();
        for (JsonNode uri : load.path("sourceUris")) {
            files.addAll(resolve(uri.asText()));
        }
        if (files.isEmpty()) {
            throw BqException.invalid("A load job needs at least one source URI");
        }
        loadFiles(job, runner, files);
    }

    /** Loads local files (also the body of a resumable upload) under the job's load configuration. */
    void loadFiles(Job job, JobRunner runner, List<String> files) {
        JsonNode load = job.configuration.get("load");
        JsonNode dest = load.get("destinationTable");
        if (dest == null) {
            throw BqException.invalid("A load job needs a destination table");
        }
        String format = load.path("sourceFormat").asText("CSV").toUpperCase(Locale.ROOT);
        JsonNode schema = load.get("schema");
        if (schema == null) {
            Catalog.TableInfo existing = catalog.table(dest.path("datasetId").asText(), dest.path("tableId").asText().split("\\$")[0]);
            if (existing != null) {
                schema = catalog.schema(existing);
            }
        }
        List<String> quoted = new ArrayList<>();
        for (String f : files) {
            quoted.add(InformationSchema.literal(f));
        }
        String list = "[" + String.join(", ", quoted) + "]";
        String columns = schema == null ? null : columns(schema);
        String source;
        switch (format) {
            case "CSV": {
                List<String> opts = new ArrayList<>();
                int skip = load.path("skipLeadingRows").asInt(0);
                opts.add("header = false");
                opts.add("skip = " + skip);
                opts.add("delim = " + InformationSchema.literal(load.path("fieldDelimiter").asText(",")));
                opts.add("quote = " + InformationSchema.literal(load.path("quote").asText("\"")));
                opts.add("escape = " + InformationSchema.literal(load.path("quote").asText("\"")));
                if (load.has("nullMarker")) {
                    opts.add("nullstr = " + InformationSchema.literal(load.get("nullMarker").asText()));
                }
                if (load.path("allowJaggedRows").asBoolean(false)) {
                    opts.add("null_padding = true");
                }
                if (load.path("maxBadRecords").asInt(0) > 0) {
                    opts.add("ignore_errors = true");
                }
                if (columns != null) {
                    opts.add("columns = " + columns);
                } else {
                    opts.add("header = " + (skip > 0));
                    opts.set(0, "auto_detect = true");
                }
                source = "read_csv(" + list + ", " + String.join(", ", opts) + ")";
                break;
            }
            case "NEWLINE_DELIMITED_JSON":
                source = schema == null ? "read_json(" + list + ", format = 'newline_delimited')" : jsonSource(list, schema);
                break;
            case "PARQUET":
                source = "read_parquet(" + list + ")";
                break;
            default:
                throw BqException.invalid("Unsupported source format " + format + " (the test server loads CSV, NEWLINE_DELIMITED_JSON and PARQUET)");
        }
        TableRef stage = new TableRef(Catalog.TEMP_DATASET, "load_" + job.jobId);
        ObjectNode extras = BqTypes.JSON.objectNode();
        for (String key : List.of("timePartitioning", "rangePartitioning", "clustering")) {
            if (load.has(key)) {
                extras.set(key, load.get(key));
            }
        }
        if (schema != null) {
            extras.set("schema", schema);
        }
        try (Connection c = catalog.connect()) {
            runner.execute(job, c, "CREATE OR REPLACE TABLE " + stage.quoted() + " AS SELECT * FROM " + source, List.of(), null);
            runner.normalize(c, stage);
            long rows = JobRunner.count(c, stage);
            job.totalRows = rows;
            runner.writeDestination(job, c, stage, dest, load.path("writeDisposition").asText("WRITE_APPEND"),
                    load.path("createDisposition").asText("CREATE_IF_NEEDED"), extras);
            runner.execute(job, c, "DROP TABLE " + stage.quoted(), List.of(), null);
            ObjectNode stats = BqTypes.JSON.objectNode();
            stats.put("inputFiles", Integer.toString(files.size()));
            long bytes = 0;
            for (String f : files) {
                try {
                    bytes += Files.size(Path.of(f));
                } catch (IOException e) {
                    // size is informational
                }
            }
            stats.put("inputFileBytes", Long.toString(bytes));
            stats.put("outputRows", Long.toString(rows));
            stats.put("badRecords", "0");
            job.loadStats = stats;
        } catch (SQLException e) {
            throw runner.translate(e, job, null);
        }
    }

    /**
     * Newline-delimited JSON under a schema: every value is read as JSON and converted the way insertAll converts a
     * row's values ({@link #castText}), so a load and a streaming insert of the same rows store the same cells.
     */
    private static String jsonSource(String list, JsonNode schema) {
        List<String> raw = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        for (JsonNode f : schema.path("fields")) {
            String name = f.path("name").asText();
            raw.add(InformationSchema.literal(name) + ": 'JSON'");
            String column = BqTypes.quote(name);
            boolean json = "JSON".equals(BqTypes.legacy(f.path("type").asText())) && !"REPEATED".equals(f.path("mode").asText());
            typed.add((json ? column : castText(f, "json_extract_string(" + column + ", '$')")) + " AS " + column);
        }
        return "(SELECT " + String.join(", ", typed) + " FROM read_json(" + list + ", format = 'newline_delimited', columns = {"
                + String.join(", ", raw) + "}))";
    }

    /**
     * SQL converting {@code text} (a VARCHAR: a value's text, or JSON text for RECORD and REPEATED fields) to the
     * field's DuckDB type; BYTES come base64-encoded.
     */
    static String castText(JsonNode f, String text) {
        String duck = BqTypes.duckType(f);
        String type = BqTypes.legacy(f.path("type").asText());
        if ("REPEATED".equals(f.path("mode").asText()) || "RECORD".equals(type)) {
            return "CAST(CAST(" + text + " AS JSON) AS " + duck + ")";
        }
        if ("BYTES".equals(type)) {
            return "from_base64(" + text + ")";
        }
        return "CAST(" + text + " AS " + duck + ")";
    }

    private static String columns(JsonNode schema) {
        List<String> parts = new ArrayList<>();
        for (JsonNode f : schema.path("fields")) {
            parts.add(InformationSchema.literal(f.path("name").asText()) + ": " + InformationSchema.literal(BqTypes.duckType(f)));
        }
        return "{" + String.join(", ", parts) + "}";
    }

    private List<String> resolve(String uri) {
        Path path;
        if (uri.startsWith("gs://")) {
            if (gcsRoot == null) {
                throw BqException.invalid("gs:// URIs need the server's GCS root folder (BigQueryTestServer.Options.gcsRoot)");
            }
            path = gcsRoot.resolve(uri.substring("gs://".length()));
        } else if (uri.startsWith("file:")) {
            path = Path.of(URI.create(uri));
        } else {
            path = Path.of(uri);
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.contains("*")) {
            String glob = name;
            try (Stream<Path> s = Files.list(path.getParent())) {
                List<String> out = new ArrayList<>();
                java.nio.file.PathMatcher m = path.getFileSystem().getPathMatcher("glob:" + glob);
                s.filter(p -> m.matches(p.getFileName())).sorted().forEach(p -> out.add(p.toString()));
                if (out.isEmpty()) {
                    throw BqException.notFound("URI " + uri);
                }
                return out;
            } catch (IOException e) {
                throw BqException.notFound("URI " + uri);
            }
        }
        if (!Files.isRegularFile(path)) {
            throw BqException.notFound("URI " + uri);
        }
        return List.of(path.toString());
    }
}
