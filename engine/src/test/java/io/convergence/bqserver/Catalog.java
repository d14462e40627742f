package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.engine.warehouse.duckdb.DuckDbMacros;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;

/**
 * The server's storage: one DuckDB database where each BigQuery dataset is a schema, plus the metadata
 * DuckDB has no place for (dataset location, partitioning, clustering, descriptions, creation times),
 * kept in memory and written through to the {@value #META_SCHEMA} schema so a file-backed server keeps it.
 */
final class Catalog implements AutoCloseable {
    /** Holds the metadata rows; never listed as a dataset. */
    static final String META_SCHEMA = "__bqserver";
    /** Hidden dataset of anonymous query result tables, like BigQuery's {@code _<hash>} datasets. */
    static final String TEMP_DATASET = "_bqtemp";
    private static final Set<String> SYSTEM_SCHEMAS = Set.of("information_schema", "pg_catalog", META_SCHEMA);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** BigQuery functions the project's macro pack has no use for locally but a BigQuery client may send. */
    private static final List<String> SERVER_MACROS = List.of("rand() AS random()");

    private final DuckDBConnection root;
    private final Connection metaConnection;
    private final Object rootLock = new Object();
    private final Clock clock;
    private final String defaultLocation;
    private final Map<String, ObjectNode> datasets = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> tables = new ConcurrentHashMap<>();

    private Catalog(DuckDBConnection root, Clock clock, String defaultLocation) throws SQLException {
        this.root = root;
        this.clock = clock;
        this.defaultLocation = defaultLocation;
        this.metaConnection = root.duplicate();
    }

    /** Opens (or creates) the database; {@code file} null means in memory. */
    static Catalog open(Path file, Clock clock, String defaultLocation) {
        requireNonNull(clock, "clock is null");
        Properties props = new Properties();
        props.setProperty("jdbc_stream_results", "true");
        props.setProperty("autoinstall_known_extensions", "false");
        try {
            DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection(
                    "jdbc:duckdb:" + (file == null ? "" : file.toAbsolutePath().toString()), props);
            Catalog catalog = new Catalog(root, clock, defaultLocation);
            catalog.initialize();
            return catalog;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open DuckDB " + (file == null ? "in memory" : file) + ": " + e.getMessage(), e);
        }
    }

    private void initialize() throws SQLException {
        try (Statement s = metaConnection.createStatement()) {
            // BigQuery semantics: TIMESTAMP is UTC, DATETIME conversions are zone-less
            s.execute("SET GLOBAL TimeZone = 'UTC'");
            s.execute("SET GLOBAL preserve_insertion_order = true");
            for (DuckDbMacros.Macro macro : DuckDbMacros.ALL) {
                s.execute("CREATE OR REPLACE MACRO " + macro.name() + String.join(", ", macro.overloads()));
            }
            for (String macro : SERVER_MACROS) {
                s.execute("CREATE OR REPLACE MACRO " + macro);
            }
            s.execute("CREATE SCHEMA IF NOT EXISTS " + BqTypes.quote(META_SCHEMA));
            s.execute("CREATE TABLE IF NOT EXISTS " + BqTypes.quote(META_SCHEMA)
                    + ".meta (kind VARCHAR, name VARCHAR, json VARCHAR, PRIMARY KEY (kind, name))");
            // anonymous results belong to jobs, and jobs live in memory only
            s.execute("DROP SCHEMA IF EXISTS " + BqTypes.quote(TEMP_DATASET) + " CASCADE");
            s.execute("CREATE SCHEMA " + BqTypes.quote(TEMP_DATASET));
            try (ResultSet rs = s.executeQuery("SELECT kind, name, json FROM " + BqTypes.quote(META_SCHEMA) + ".meta")) {
                while (rs.next()) {
                    ObjectNode json = (ObjectNode) MAPPER.readTree(rs.getString(3));
                    (rs.getString(1).equals("dataset") ? datasets : tables).put(rs.getString(2), json);
                }
            } catch (IOException e) {
                throw new SQLException("corrupt server metadata: " + e.getMessage(), e);
            }
        }
    }

    Clock clock() {
        return clock;
    }

    String defaultLocation() {
        return defaultLocation;
    }

    /** A new connection on the database, for one job or request. */
    Connection connect() {
        synchronized (rootLock) {
            try {
                return root.duplicate();
            } catch (SQLException e) {
                throw new BqException(500, "internalError", "cannot open a DuckDB connection: " + e.getMessage());
            }
        }
    }

    // ---- datasets

    boolean datasetExists(String dataset) {
        return schemas().contains(dataset) && !SYSTEM_SCHEMAS.contains(dataset)
                && (!dataset.equals("main") || datasets.containsKey(dataset));
    }

    /** Whether a DuckDB schema of this name exists, dataset or not. */
    boolean schemaExists(String name) {
        return schemas().contains(name);
    }

    /** Dataset ids; hidden ones (leading underscore) only with {@code all}. */
    List<String> datasetIds(boolean all) {
        List<String> out = new ArrayList<>();
        for (String schema : schemas()) {
            if (datasetExists(schema) && (all || !schema.startsWith("_"))) {
                out.add(schema);
            }
        }
        out.sort(null);
        return out;
    }

    private List<String> schemas() {
        return strings("SELECT schema_name FROM information_schema.schemata WHERE catalog_name = current_database()");
    }

    /** The stored dataset resource extras (location, description, labels, times); defaults for SQL-made schemas. */
    ObjectNode datasetMeta(String dataset) {
        ObjectNode meta = datasets.get(dataset);
        if (meta == null) {
            meta = BqTypes.JSON.objectNode();
            meta.put("location", defaultLocation);
            meta.put("creationTime", Long.toString(clock.millis()));
            meta.put("lastModifiedTime", Long.toString(clock.millis()));
            ObjectNode raced = datasets.putIfAbsent(dataset, meta);
            if (raced != null) {
                return raced.deepCopy();
            }
        }
        return meta.deepCopy();
    }

    String location(String dataset) {
        return datasetMeta(dataset).path("location").asText(defaultLocation);
    }

    void createDataset(String dataset, ObjectNode meta) {
        execute("CREATE SCHEMA " + BqTypes.quote(dataset));
        putDatasetMeta(dataset, meta);
    }

    void putDatasetMeta(String dataset, ObjectNode meta) {
        datasets.put(dataset, meta.deepCopy());
        persist("dataset", dataset, meta);
    }

    void dropDataset(String dataset, boolean contents) {
        if (!contents && !tableIds(dataset).isEmpty()) {
            throw new BqException(400, "resourceInUse", "Dataset " + dataset + " is still in use");
        }
        execute("DROP SCHEMA " + BqTypes.quote(dataset) + " CASCADE");
        datasets.remove(dataset);
        unpersist("dataset", dataset);
        for (String key : List.copyOf(tables.keySet())) {
            if (key.startsWith(dataset + ".")) {
                tables.remove(key);
                unpersist("table", key);
            }
        }
    }

    // ---- tables

    /** One column as DuckDB has it. */
    record Column(String name, String duckType, boolean nullable) {
    }

    /** A table or view and its columns. */
    record TableInfo(String dataset, String table, boolean view, List<Column> columns) {
        TableInfo {
            columns = List.copyOf(columns);
        }

        String quoted() {
            return BqTypes.quote(dataset) + "." + BqTypes.quote(table);
        }
    }

    List<String> tableIds(String dataset) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_catalog = current_database() AND table_schema = ? ORDER BY table_name")) {
            ps.setString(1, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new BqException(500, "internalError", e.getMessage());
        }
        return out;
    }

    /** The table or view, or null; reads through {@code c} so a job sees its own uncommitted DDL. */
    TableInfo table(Connection c, String dataset, String table) {
        String type = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT table_type FROM information_schema.tables"
                + " WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?")) {
            ps.setString(1, dataset);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    type = rs.getString(1);
                }
            }
            if (type == null) {
                return null;
            }
            List<Column> columns = new ArrayList<>();
            try (PreparedStatement cols = c.prepareStatement("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                    + " WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
                cols.setString(1, dataset);
                cols.setString(2, table);
                try (ResultSet rs = cols.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new Column(rs.getString(1), rs.getString(2), !"NO".equals(rs.getString(3))));
                    }
                }
            }
            return new TableInfo(dataset, table, type.contains("VIEW"), columns);
        } catch (SQLException e) {
            throw new BqException(500, "internalError", e.getMessage());
        }
    }

    TableInfo table(String dataset, String table) {
        try (Connection c = connect()) {
            return table(c, dataset, table);
        } catch (SQLException e) {
            throw new BqException(500, "internalError", e.getMessage());
        }
    }

    /** Stored table extras (timePartitioning, clustering, description, labels, schema descriptions, times). */
    ObjectNode tableMeta(String dataset, String table) {
        ObjectNode meta = tables.get(dataset + "." + table);
        if (meta == null) {
            meta = BqTypes.JSON.objectNode();
            meta.put("creationTime", Long.toString(clock.millis()));
            meta.put("lastModifiedTime", Long.toString(clock.millis()));
            ObjectNode raced = tables.putIfAbsent(dataset + "." + table, meta);
            if (raced != null) {
                return raced.deepCopy();
            }
        }
        return meta.deepCopy();
    }

    void putTableMeta(String dataset, String table, ObjectNode meta) {
        tables.put(dataset + "." + table, meta.deepCopy());
        persist("table", dataset + "." + table, meta);
    }

    /** A new table: fresh creation time, the given extras ({@code expiration_timestamp} of DDL becomes {@code expirationTime}). */
    void tableCreated(String dataset, String table, ObjectNode extras) {
        ObjectNode meta = extras == null ? BqTypes.JSON.objectNode() : extras.deepCopy();
        long now = clock.millis();
        meta.put("creationTime", Long.toString(now));
        meta.put("lastModifiedTime", Long.toString(now));
        if (meta.has("expiration_timestamp")) {
            meta.put("expirationTime", Long.toString(expirationMillis(meta.remove("expiration_timestamp").asText(), now)));
        }
        putTableMeta(dataset, table, meta);
    }

    private static final Pattern TIMESTAMP_LITERAL = Pattern.compile("(?is)(?:TIMESTAMP\\s*)?'([^']+)'");
    private static final Pattern RELATIVE = Pattern.compile(
            "(?is)TIMESTAMP_ADD\\(\\s*CURRENT_TIMESTAMP\\s*\\(\\s*\\)\\s*,\\s*INTERVAL\\s+([0-9]+)\\s+(SECOND|MINUTE|HOUR|DAY)\\s*\\)");

    /**
     * The {@code expiration_timestamp} option of CREATE TABLE in epoch millis: a timestamp literal (quoted, with or without
     * the TIMESTAMP keyword; UTC unless it names an offset) or {@code TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL n unit)}
     * on the server's clock.
     */
    static long expirationMillis(String expression, long now) {
        String text = expression.strip();
        Matcher relative = RELATIVE.matcher(text);
        if (relative.matches()) {
            ChronoUnit unit = ChronoUnit.valueOf(relative.group(2).toUpperCase(Locale.ROOT) + "S");
            return now + Duration.of(Long.parseLong(relative.group(1)), unit).toMillis();
        }
        Matcher literal = TIMESTAMP_LITERAL.matcher(text);
        if (literal.matches()) {
            String value = literal.group(1).strip().replace(' ', 'T');
            if (value.endsWith("UTC")) {
                value = value.substring(0, value.length() - 3).strip() + "Z";
            }
            // BigQuery writes an offset as +HH or +HH:MM; java.time wants +HH:MM
            value = value.replaceFirst("([+-][0-9]{2})$", "$1:00");
            try {
                TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(value, OffsetDateTime::from, LocalDateTime::from);
                return parsed instanceof OffsetDateTime odt ? odt.toInstant().toEpochMilli()
                        : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw BqException.invalidQuery("Invalid TIMESTAMP literal in expiration_timestamp: " + expression);
            }
        }
        throw BqException.invalidQuery("The BigQuery test server supports a TIMESTAMP literal or TIMESTAMP_ADD(CURRENT_TIMESTAMP(),"
                + " INTERVAL n unit) as expiration_timestamp, not " + expression);
    }

    /**
     * Drops every table whose {@code expirationTime} has passed on the server's clock, as BigQuery does: after that
     * tables.get answers 404, tables.list leaves it out and queries on it fail with notFound.
     */
    void dropExpiredTables() {
        long now = clock.millis();
        for (Map.Entry<String, ObjectNode> e : List.copyOf(tables.entrySet())) {
            JsonNode expiration = e.getValue().get("expirationTime");
            if (expiration == null || expiration.isNull() || expiration.asLong(Long.MAX_VALUE) > now) {
                continue;
            }
            int dot = e.getKey().indexOf('.');
            String dataset = e.getKey().substring(0, dot);
            String table = e.getKey().substring(dot + 1);
            TableInfo info = table(dataset, table);
            if (info != null) {
                try {
                    execute("DROP " + (info.view() ? "VIEW" : "TABLE") + " IF EXISTS " + info.quoted());
                } catch (BqException ex) {
                    // a job holds it right now: the next request tries again
                    continue;
                }
            }
            tableDropped(dataset, table);
        }
    }

    void tableDropped(String dataset, String table) {
        tables.remove(dataset + "." + table);
        unpersist("table", dataset + "." + table);
    }

    /** Records a data change (kept in memory only: it changes on every DML). */
    void touch(String dataset, String table) {
        ObjectNode meta = tables.get(dataset + "." + table);
        if (meta != null) {
            meta.put("lastModifiedTime", Long.toString(clock.millis()));
        }
    }

    /** The REST schema of a table: DuckDB's columns with the modes and descriptions stored at creation. */
    ObjectNode schema(TableInfo info) {
        ObjectNode stored = tableMeta(info.dataset(), info.table()).path("schema") instanceof ObjectNode
                ? (ObjectNode) tableMeta(info.dataset(), info.table()).get("schema") : null;
        return schemaOf(info.columns(), stored);
    }

    static ObjectNode schemaOf(List<Column> columns, ObjectNode stored) {
        ObjectNode schema = BqTypes.JSON.objectNode();
        ArrayNode fields = schema.putArray("fields");
        for (Column column : columns) {
            ObjectNode field = BqTypes.field(column.name(), column.duckType(), column.nullable());
            JsonNode declared = find(stored, column.name());
            if (declared != null) {
                overlay(field, declared);
            }
            fields.add(field);
        }
        return schema;
    }

    private static JsonNode find(JsonNode schema, String name) {
        if (schema == null) {
            return null;
        }
        for (JsonNode f : schema.path("fields")) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Keeps what DuckDB cannot hold: descriptions, and GEOGRAPHY/BIGNUMERIC/JSON names stored as another type. */
    private static void overlay(ObjectNode field, JsonNode declared) {
        if (declared.has("description")) {
            field.set("description", declared.get("description"));
        }
        String declaredType = BqTypes.legacy(declared.path("type").asText(""));
        if (!declaredType.equals(field.path("type").asText())
                && BqTypes.duckScalarOrNull(declaredType) != null
                && BqTypes.duckScalarOrNull(declaredType).equals(BqTypes.duckScalarOrNull(field.path("type").asText()))) {
            field.put("type", declaredType);
        }
        if (field.has("fields")) {
            for (JsonNode sub : field.get("fields")) {
                JsonNode d = find(declared, sub.path("name").asText());
                if (d != null) {
                    overlay((ObjectNode) sub, d);
                }
            }
        }
    }

    // ---- plumbing

    private void persist(String kind, String name, ObjectNode json) {
        synchronized (metaConnection) {
            try (PreparedStatement ps = metaConnection.prepareStatement("INSERT OR REPLACE INTO "
                    + BqTypes.quote(META_SCHEMA) + ".meta VALUES (?, ?, ?)")) {
                ps.setString(1, kind);
                ps.setString(2, name);
                ps.setString(3, json.toString());
                ps.execute();
            } catch (SQLException e) {
                throw new BqException(500, "internalError", "cannot store metadata: " + e.getMessage());
            }
        }
    }

    private void unpersist(String kind, String name) {
        synchronized (metaConnection) {
            try (PreparedStatement ps = metaConnection.prepareStatement("DELETE FROM "
                    + BqTypes.quote(META_SCHEMA) + ".meta WHERE kind = ? AND name = ?")) {
                ps.setString(1, kind);
                ps.setString(2, name);
                ps.execute();
            } catch (SQLException e) {
                throw new BqException(500, "internalError", "cannot store metadata: " + e.getMessage());
            }
        }
    }

    void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new BqException(400, "invalid", e.getMessage());
        }
    }

    List<String> strings(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new BqException(500, "internalError", e.getMessage());
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (rootLock) {
            try {
                metaConnection.close();
                root.close();
            } catch (SQLException e) {
                // closing at shutdown: nothing left to do with the error
            }
        }
    }
}
