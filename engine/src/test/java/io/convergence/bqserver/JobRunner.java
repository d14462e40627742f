package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convergence.bqserver.BqSql.Kind;
import io.convergence.bqserver.BqSql.Statement;
import io.convergence.bqserver.BqSql.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs jobs against DuckDB: query jobs (one statement or a script, with destination tables and write
 * dispositions, DML, DDL, ASSERT and transactions), copy jobs and load jobs; estimates bytes processed
 * and enforces {@code maximumBytesBilled}.
 */
final class JobRunner {
    private final Catalog catalog;
    private final FaultInjector faults;
    private final Loader loader;

    JobRunner(Catalog catalog, FaultInjector faults, Loader loader) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.faults = requireNonNull(faults, "faults is null");
        this.loader = requireNonNull(loader, "loader is null");
    }

    void run(Job job) {
        catalog.dropExpiredTables();
        switch (job.type()) {
            case "QUERY":
                query(job);
                break;
            case "COPY":
                copy(job);
                break;
            case "LOAD":
                loader.load(job, this);
                break;
            default:
                throw BqException.invalid("Unsupported job configuration: only query, copy and load jobs are supported");
        }
    }

    // ---- query jobs

    BqSql.Context context(String project, JsonNode query) {
        Set<String> projects = new HashSet<>();
        projects.add(project);
        JsonNode dd = query.path("defaultDataset");
        if (dd.hasNonNull("projectId")) {
            projects.add(dd.get("projectId").asText());
        }
        JsonNode dest = query.path("destinationTable");
        if (dest.hasNonNull("projectId")) {
            projects.add(dest.get("projectId").asText());
        }
        return new BqSql.Context(projects, project, dd.hasNonNull("datasetId") ? dd.get("datasetId").asText() : null, catalog);
    }

    List<Statement> prepare(BqSql.Context ctx, JsonNode query) {
        if (query.path("useLegacySql").asBoolean(false)) {
            throw BqException.invalidQuery("Legacy SQL is not supported by the BigQuery test server; set useLegacySql to false");
        }
        String sql = query.path("query").asText("");
        List<String> texts = BqSql.split(sql);
        if (texts.isEmpty()) {
            throw BqException.invalidQuery("Syntax error: Unexpected end of script");
        }
        QueryParams params = QueryParams.of(query.get("queryParameters"));
        List<Statement> statements = new ArrayList<>();
        for (String text : texts) {
            statements.add(BqSql.prepare(text, ctx, params));
        }
        return statements;
    }

    private void query(Job job) {
        JsonNode q = job.configuration.get("query");
        BqSql.Context ctx = context(job.project, q);
        List<Statement> statements = prepare(ctx, q);
        try (Connection c = catalog.connect()) {
            searchPath(c, ctx);
            job.bytesProcessed = estimate(c, statements, ctx);
            checkBytesBilled(q, job.bytesProcessed);
            for (Statement st : statements) {
                if (st.kind.isDml() && st.target != null && st.target.dataset() != null
                        && faults.takeConflict(st.target.dataset(), st.target.table())) {
                    throw serializationConflict(job.project, st.target);
                }
            }
            if (statements.size() == 1 && !isTransactionControl(statements.get(0).kind)) {
                Statement st = statements.get(0);
                job.statementType = st.kind.statementType();
                if (st.kind == Kind.QUERY) {
                    select(job, c, st, q, true);
                } else {
                    statement(job, c, st, ctx);
                }
            } else {
                script(job, c, statements, ctx, q);
            }
        } catch (SQLException e) {
            throw translate(e, job, null);
        }
    }

    private static boolean isTransactionControl(Kind kind) {
        return kind == Kind.BEGIN || kind == Kind.COMMIT || kind == Kind.ROLLBACK;
    }

    private void script(Job job, Connection c, List<Statement> statements, BqSql.Context ctx, JsonNode q) throws SQLException {
        job.statementType = "SCRIPT";
        int lastQuery = -1;
        for (int i = 0; i < statements.size(); i++) {
            if (statements.get(i).kind == Kind.QUERY) {
                lastQuery = i;
            }
        }
        boolean inTransaction = false;
        try {
            for (int i = 0; i < statements.size(); i++) {
                Statement st = statements.get(i);
                switch (st.kind) {
                    case BEGIN:
                        if (inTransaction) {
                            throw BqException.invalidQuery("Nested transactions are not supported");
                        }
                        execute(job, c, st.duckSql, List.of(), null);
                        inTransaction = true;
                        break;
                    case COMMIT:
                    case ROLLBACK:
                        if (!inTransaction) {
                            throw BqException.invalidQuery(st.kind + " TRANSACTION without an active transaction");
                        }
                        execute(job, c, st.duckSql, List.of(), null);
                        inTransaction = false;
                        break;
                    case QUERY:
                        if (i == lastQuery) {
                            select(job, c, st, q, false);
                        } else {
                            execute(job, c, st.duckSql, st.binds, null);
                        }
                        break;
                    default:
                        statement(job, c, st, ctx);
                }
            }
            if (inTransaction) {
                throw BqException.invalidQuery("Transaction was not committed or rolled back by the end of the script");
            }
        } catch (SQLException | RuntimeException e) {
            if (inTransaction) {
                rollbackQuietly(c);
            }
            if (e instanceof SQLException) {
                throw translate((SQLException) e, job, null);
            }
            throw (RuntimeException) e;
        }
        // a script's numDmlAffectedRows is per child job in BigQuery; the parent reports none
        job.dmlAffectedRows = null;
        job.dmlStats = null;
    }

    /** A SELECT: materialized into an anonymous table, or written to the configured destination. */
    private void select(Job job, Connection c, Statement st, JsonNode q, boolean honourDestination) throws SQLException {
        JsonNode destJson = honourDestination ? q.get("destinationTable") : null;
        TableRef stage = new TableRef(Catalog.TEMP_DATASET, (destJson == null ? "anon_" : "stage_") + job.jobId);
        execute(job, c, "CREATE OR REPLACE TABLE " + stage.quoted() + " AS " + st.duckSql, st.binds, null);
        normalize(c, stage);
        Catalog.TableInfo stageInfo = catalog.table(c, stage.dataset(), stage.table());
        job.resultSchema = Catalog.schemaOf(stageInfo.columns(), null);
        job.totalRows = count(c, stage);
        if (destJson == null) {
            job.resultTable = stage;
        } else {
            ObjectNode extras = BqTypes.JSON.objectNode();
            for (String key : List.of("timePartitioning", "rangePartitioning", "clustering")) {
                if (q.has(key)) {
                    extras.set(key, q.get(key));
                }
            }
            TableRef dest = writeDestination(job, c, stage, destJson, q.path("writeDisposition").asText("WRITE_EMPTY"),
                    q.path("createDisposition").asText("CREATE_IF_NEEDED"), extras);
            execute(job, c, "DROP TABLE " + stage.quoted(), List.of(), null);
            job.resultTable = dest;
        }
        ObjectNode destination = ((ObjectNode) job.configuration.get("query")).putObject("destinationTable");
        destination.put("projectId", destJson != null ? destJson.path("projectId").asText(job.project) : job.project);
        destination.put("datasetId", job.resultTable.dataset());
        destination.put("tableId", destJson != null ? destJson.path("tableId").asText() : job.resultTable.table());
    }

    /**
     * Writes a staged result into a destination table under BigQuery's dispositions, atomically. A
     * {@code table$YYYYMMDD} decorator writes one partition: TRUNCATE replaces only that partition.
     */
    TableRef writeDestination(Job job, Connection c, TableRef stage, JsonNode destJson, String write, String create,
            ObjectNode extras) throws SQLException {
        String dataset = destJson.path("datasetId").asText();
        String tableId = destJson.path("tableId").asText();
        String partition = null;
        int dollar = tableId.indexOf('$');
        if (dollar >= 0) {
            partition = tableId.substring(dollar + 1);
            tableId = tableId.substring(0, dollar);
        }
        TableRef dest = new TableRef(dataset, tableId);
        String name = job.project + ":" + dataset + "." + tableId;
        if (!catalog.datasetExists(dataset)) {
            throw BqException.notFound("Dataset " + job.project + ":" + dataset);
        }
        execute(job, c, "BEGIN TRANSACTION", List.of(), null);
        try {
            Catalog.TableInfo existing = catalog.table(c, dataset, tableId);
            if (existing == null) {
                if ("CREATE_NEVER".equals(create)) {
                    throw BqException.notFound("Table " + name);
                }
                if (partition != null) {
                    throw BqException.invalid("Cannot write to partition " + partition + " of " + name + ": the table does not exist");
                }
                execute(job, c, "CREATE TABLE " + dest.quoted() + " AS SELECT * FROM " + stage.quoted(), List.of(), dest);
                execute(job, c, "COMMIT", List.of(), dest);
                catalog.tableCreated(dataset, tableId, extras);
                return dest;
            }
            if (partition != null) {
                String pid = InformationSchema.partitionId(catalog.tableMeta(dataset, tableId));
                if (pid == null) {
                    throw BqException.invalid("Cannot use a partition decorator on " + name + ": it is not partitioned");
                }
                long stray = longValue(c, "SELECT count(*) FROM " + stage.quoted() + " WHERE (" + pid + ") IS DISTINCT FROM "
                        + InformationSchema.literal(partition));
                if (stray > 0) {
                    throw BqException.invalid("Some rows belong to different partitions rather than destination partition " + partition);
                }
            }
            switch (write) {
                case "WRITE_TRUNCATE":
                    if (partition != null) {
                        String pid = InformationSchema.partitionId(catalog.tableMeta(dataset, tableId));
                        execute(job, c, "DELETE FROM " + dest.quoted() + " WHERE (" + pid + ") = " + InformationSchema.literal(partition),
                                List.of(), dest);
                        execute(job, c, "INSERT INTO " + dest.quoted() + " BY NAME SELECT * FROM " + stage.quoted(), List.of(), dest);
                    } else {
                        execute(job, c, "CREATE OR REPLACE TABLE " + dest.quoted() + " AS SELECT * FROM " + stage.quoted(), List.of(), dest);
                    }
                    break;
                case "WRITE_APPEND":
                    execute(job, c, "INSERT INTO " + dest.quoted() + " BY NAME SELECT * FROM " + stage.quoted(), List.of(), dest);
                    break;
                case "WRITE_EMPTY":
                    if (count(c, dest) > 0) {
                        throw BqException.duplicate("Table " + name);
                    }
                    execute(job, c, "INSERT INTO " + dest.quoted() + " BY NAME SELECT * FROM " + stage.quoted(), List.of(), dest);
                    break;
                default:
                    throw BqException.invalid("Unknown writeDisposition " + write);
            }
            execute(job, c, "COMMIT", List.of(), dest);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
        if (!extras.isEmpty() && "WRITE_TRUNCATE".equals(write) && partition == null) {
            ObjectNode meta = catalog.tableMeta(dataset, tableId);
            meta.setAll(extras);
            catalog.putTableMeta(dataset, tableId, meta);
        }
        catalog.touch(dataset, tableId);
        return dest;
    }

    /** DML, DDL and ASSERT statements. */
    private void statement(Job job, Connection c, Statement st, BqSql.Context ctx) throws SQLException {
        TableRef target = st.target;
        switch (st.kind) {
            case INSERT:
            case UPDATE:
            case DELETE:
            case MERGE: {
                long n = execute(job, c, st.duckSql, st.binds, target);
                job.dmlAffectedRows = (job.dmlAffectedRows == null ? 0 : job.dmlAffectedRows) + Math.max(0, n);
                if (st.kind != Kind.MERGE) {
                    ObjectNode stats = BqTypes.JSON.objectNode();
                    stats.put("insertedRowCount", st.kind == Kind.INSERT ? Long.toString(n) : "0");
                    stats.put("updatedRowCount", st.kind == Kind.UPDATE ? Long.toString(n) : "0");
                    stats.put("deletedRowCount", st.kind == Kind.DELETE ? Long.toString(n) : "0");
                    job.dmlStats = stats;
                }
                if (target != null && target.dataset() != null) {
                    catalog.touch(target.dataset(), target.table());
                }
                return;
            }
            case ASSERT: {
                Object value = scalar(job, c, st.duckSql, st.binds);
                if (!Boolean.TRUE.equals(value)) {
                    throw BqException.invalidQuery(st.assertMessage);
                }
                return;
            }
            case CREATE_TABLE: {
                boolean existed = target != null && target.dataset() != null && catalog.table(c, target.dataset(), target.table()) != null;
                if (target != null && target.dataset() != null && !catalog.datasetExists(target.dataset())) {
                    throw BqException.notFound("Dataset " + ctx.project() + ":" + target.dataset());
                }
                if (existed && !st.orReplace && !st.ifNotExists) {
                    throw BqException.duplicate("Table " + ctx.project() + ":" + target);
                }
                execute(job, c, st.duckSql, st.binds, target);
                String op = existed ? (st.orReplace ? "REPLACE" : "SKIP") : "CREATE";
                ddl(job, op, target);
                if (target != null && !"SKIP".equals(op)) {
                    normalize(c, target);
                    if (target.dataset() != null && !st.temporary) {
                        catalog.tableCreated(target.dataset(), target.table(), st.extras);
                    }
                }
                if (st.asSelect) {
                    job.statementType = "CREATE_TABLE_AS_SELECT";
                }
                return;
            }
            case CREATE_VIEW:
                execute(job, c, st.duckSql, st.binds, target);
                ddl(job, "CREATE", target);
                if (target != null && target.dataset() != null) {
                    catalog.tableCreated(target.dataset(), target.table(), null);
                }
                return;
            case DROP_TABLE:
            case DROP_VIEW:
                execute(job, c, st.duckSql, st.binds, target);
                ddl(job, "DROP", target);
                if (target != null && target.dataset() != null) {
                    catalog.tableDropped(target.dataset(), target.table());
                }
                return;
            case CREATE_SCHEMA: {
                execute(job, c, st.duckSql, st.binds, null);
                String dataset = lastPathPart(st);
                if (dataset != null) {
                    ObjectNode meta = catalog.datasetMeta(dataset);
                    if (st.extras != null && st.extras.has("location")) {
                        meta.put("location", st.extras.get("location").asText());
                    }
                    if (st.extras != null && st.extras.has("description")) {
                        meta.put("description", st.extras.get("description").asText());
                    }
                    catalog.putDatasetMeta(dataset, meta);
                }
                return;
            }
            case DROP_SCHEMA:
                execute(job, c, st.duckSql, st.binds, null);
                return;
            case ALTER_TABLE:
            case TRUNCATE_TABLE:
                execute(job, c, st.duckSql, st.binds, target);
                if (target != null && target.dataset() != null) {
                    catalog.touch(target.dataset(), target.table());
                }
                return;
            default:
                execute(job, c, st.duckSql, st.binds, target);
        }
    }

    private static String lastPathPart(Statement st) {
        for (List<String> path : st.paths) {
            return path.get(path.size() - 1);
        }
        for (String w : st.words) {
            if (!Set.of("CREATE", "SCHEMA", "IF", "NOT", "EXISTS", "OPTIONS", "LOCATION", "DEFAULT", "COLLATE")
                    .contains(w.toUpperCase(Locale.ROOT))) {
                return w;
            }
        }
        return null;
    }

    private void ddl(Job job, String operation, TableRef target) {
        ObjectNode ddl = BqTypes.JSON.objectNode();
        ddl.put("ddlOperationPerformed", operation);
        if (target != null && target.dataset() != null) {
            ObjectNode t = ddl.putObject("ddlTargetTable");
            t.put("projectId", job.project);
            t.put("datasetId", target.dataset());
            t.put("tableId", target.table());
        }
        job.ddl = ddl;
    }

    // ---- copy jobs

    private void copy(Job job) {
        JsonNode copy = job.configuration.get("copy");
        List<JsonNode> sources = new ArrayList<>();
        if (copy.has("sourceTable")) {
            sources.add(copy.get("sourceTable"));
        }
        copy.path("sourceTables").forEach(sources::add);
        if (sources.isEmpty()) {
            throw BqException.invalid("A copy job needs a source table");
        }
        TableRef stage = new TableRef(Catalog.TEMP_DATASET, "copy_" + job.jobId);
        List<String> selects = new ArrayList<>();
        ObjectNode extras = BqTypes.JSON.objectNode();
        for (JsonNode s : sources) {
            String d = s.path("datasetId").asText();
            String t = s.path("tableId").asText();
            if (catalog.table(d, t) == null) {
                throw BqException.notFound("Table " + s.path("projectId").asText(job.project) + ":" + d + "." + t);
            }
            if (extras.isEmpty()) {
                ObjectNode meta = catalog.tableMeta(d, t);
                for (String key : List.of("timePartitioning", "rangePartitioning", "clustering", "schema", "description")) {
                    if (meta.has(key)) {
                        extras.set(key, meta.get(key));
                    }
                }
            }
            selects.add("SELECT * FROM " + new TableRef(d, t).quoted());
        }
        try (Connection c = catalog.connect()) {
            execute(job, c, "CREATE OR REPLACE TABLE " + stage.quoted() + " AS " + String.join(" UNION ALL BY NAME ", selects),
                    List.of(), null);
            job.totalRows = count(c, stage);
            writeDestination(job, c, stage, copy.get("destinationTable"), copy.path("writeDisposition").asText("WRITE_EMPTY"),
                    copy.path("createDisposition").asText("CREATE_IF_NEEDED"), extras);
            execute(job, c, "DROP TABLE " + stage.quoted(), List.of(), null);
        } catch (SQLException e) {
            throw translate(e, job, null);
        }
    }

    // ---- dry runs

    /** A dry run: validates the statements and estimates bytes without running anything. */
    ObjectNode dryRun(String project, String jobId, String location, ObjectNode configuration, long now) {
        JsonNode q = configuration.path("query");
        if (!q.isObject()) {
            throw BqException.invalid("Only query jobs can be dry run");
        }
        BqSql.Context ctx = context(project, q);
        List<Statement> statements = prepare(ctx, q);
        ObjectNode job = BqTypes.JSON.objectNode();
        job.put("kind", "bigquery#job");
        ObjectNode ref = job.putObject("jobReference");
        ref.put("projectId", project);
        ref.put("jobId", jobId);
        ref.put("location", location);
        job.set("configuration", configuration.deepCopy());
        ObjectNode stats = job.putObject("statistics");
        stats.put("creationTime", Long.toString(now));
        stats.put("startTime", Long.toString(now));
        stats.put("endTime", Long.toString(now));
        ObjectNode query = stats.putObject("query");
        try (Connection c = catalog.connect()) {
            searchPath(c, ctx);
            long bytes = estimate(c, statements, ctx);
            checkBytesBilled(q, bytes);
            stats.put("totalBytesProcessed", Long.toString(bytes));
            query.put("totalBytesProcessed", Long.toString(bytes));
            query.put("totalBytesBilled", "0");
            query.put("cacheHit", false);
            if (statements.size() == 1) {
                Statement st = statements.get(0);
                query.put("statementType", st.kind.statementType());
                if (st.kind != Kind.BEGIN && st.kind != Kind.COMMIT && st.kind != Kind.ROLLBACK) {
                    try (PreparedStatement ps = c.prepareStatement(st.duckSql)) {
                        if (st.kind == Kind.QUERY) {
                            query.set("schema", schemaOf(ps.getMetaData()));
                        }
                    }
                }
            } else {
                query.put("statementType", "SCRIPT");
                for (Statement st : statements) {
                    // later statements may need tables that earlier DDL creates: only the first ones are checked
                    if (st.kind.isDml() || st.kind == Kind.QUERY || st.kind == Kind.ASSERT) {
                        try (PreparedStatement ps = c.prepareStatement(st.duckSql)) {
                            ps.getMetaData();
                        }
                    } else if (st.kind != Kind.BEGIN) {
                        break;
                    }
                }
            }
        } catch (SQLException e) {
            throw translate(e, null, null);
        }
        job.putObject("status").put("state", "DONE");
        return job;
    }

    private static ObjectNode schemaOf(ResultSetMetaData md) throws SQLException {
        List<Catalog.Column> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(new Catalog.Column(md.getColumnName(i), md.getColumnTypeName(i), true));
        }
        return Catalog.schemaOf(columns, null);
    }

    // ---- bytes

    /**
     * Bytes processed, the way BigQuery bills on-demand queries but deterministic: for each existing
     * table the statements name, the size of the columns they name (all columns with {@code *}): 8 bytes
     * per INT64/FLOAT64/DATE/TIMESTAMP value, 16 per NUMERIC, 1 per BOOL, 2 + length per STRING or BYTES.
     */
    long estimate(Connection c, List<Statement> statements, BqSql.Context ctx) throws SQLException {
        Map<TableRef, Boolean> tables = new LinkedHashMap<>();
        Set<String> words = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        boolean star = false;
        for (Statement st : statements) {
            words.addAll(st.words);
            star |= st.star;
            List<TableRef> refs = new ArrayList<>();
            for (List<String> path : st.paths) {
                TableRef ref = ctx.resolve(path);
                if (ref != null && ref.dataset() != null) {
                    refs.add(ref);
                }
            }
            if (ctx.defaultDataset() != null) {
                for (String w : st.words) {
                    refs.add(new TableRef(ctx.defaultDataset(), w));
                }
            }
            for (TableRef ref : refs) {
                // INSERT ... VALUES reads nothing of its target
                boolean onlyAsInsertTarget = st.kind == Kind.INSERT && ref.equals(st.target)
                        && refs.stream().filter(ref::equals).count() == 1;
                if (!onlyAsInsertTarget) {
                    tables.put(ref, Boolean.TRUE);
                }
            }
        }
        long total = 0;
        for (TableRef ref : tables.keySet()) {
            if (!catalog.datasetExists(ref.dataset())) {
                continue;
            }
            Catalog.TableInfo info = catalog.table(c, ref.dataset(), ref.table());
            if (info == null || info.view()) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (JsonNode field : Catalog.schemaOf(info.columns(), null).path("fields")) {
                String name = field.path("name").asText();
                if (!star && !words.contains(name)) {
                    continue;
                }
                String col = BqTypes.quote(name);
                int width = "REPEATED".equals(field.path("mode").asText()) ? -1 : BqTypes.fixedWidth(field.path("type").asText());
                if (width > 0) {
                    parts.add("count(" + col + ") * " + width);
                } else if ("BYTES".equals(field.path("type").asText()) && !"REPEATED".equals(field.path("mode").asText())) {
                    parts.add("coalesce(sum(octet_length(" + col + ")), 0) + 2 * count(" + col + ")");
                } else {
                    parts.add("coalesce(sum(strlen(CAST(" + col + " AS VARCHAR))), 0) + 2 * count(" + col + ")");
                }
            }
            if (!parts.isEmpty()) {
                total += longValue(c, "SELECT CAST(" + String.join(" + ", parts) + " AS BIGINT) FROM " + info.quoted());
            }
        }
        return total;
    }

    private static void checkBytesBilled(JsonNode q, long bytes) {
        if (q.hasNonNull("maximumBytesBilled")) {
            long limit = Long.parseLong(q.get("maximumBytesBilled").asText());
            if (bytes > limit) {
                throw new BqException(400, "bytesBilledLimitExceeded",
                        "Query exceeded limit for bytes billed: " + limit + ". " + bytes + " or higher required.");
            }
        }
    }

    // ---- plumbing

    private static void searchPath(Connection c, BqSql.Context ctx) throws SQLException {
        if (ctx.defaultDataset() != null) {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET search_path = " + InformationSchema.literal(ctx.defaultDataset() + ",main"));
            }
        }
    }

    /** Rewrites columns DuckDB typed differently from BigQuery (HUGEINT sums, INTEGER literals...) to BigQuery's types. */
    void normalize(Connection c, TableRef table) throws SQLException {
        Catalog.TableInfo info = table.dataset() == null ? null : catalog.table(c, table.dataset(), table.table());
        if (info == null || info.view()) {
            return;
        }
        for (Catalog.Column column : info.columns()) {
            String canonical = BqTypes.canonical(column.duckType());
            if (!spelling(canonical).equals(spelling(column.duckType()))) {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE " + table.quoted() + " ALTER COLUMN " + BqTypes.quote(column.name())
                            + " SET DATA TYPE " + canonical);
                }
            }
        }
    }

    private static String spelling(String duckType) {
        return duckType.toUpperCase(Locale.ROOT).replace("\"", "").replace(" ", "")
                .replace("TIMESTAMPWITHTIMEZONE", "TIMESTAMPTZ");
    }

    /** Runs SQL with bindings on the job's connection, interruptible by a cancel; returns the update count or -1. */
    long execute(Job job, Connection c, String sql, List<QueryParams.Bind> binds, TableRef target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < binds.size(); i++) {
                binds.get(i).set(ps, i + 1);
            }
            if (job != null) {
                job.running = ps;
                if (job.cancelRequested) {
                    throw BqException.stopped();
                }
            }
            boolean hasResult = ps.execute();
            if (hasResult) {
                try (ResultSet rs = ps.getResultSet()) {
                    if (rs.next() && rs.getMetaData().getColumnCount() == 1 && rs.getMetaData().getColumnName(1).equalsIgnoreCase("Count")) {
                        Object v = rs.getObject(1);
                        return v instanceof Number ? ((Number) v).longValue() : -1;
                    }
                    return -1;
                }
            }
            return ps.getUpdateCount();
        } catch (SQLException e) {
            throw translate(e, job, target);
        } finally {
            if (job != null) {
                job.running = null;
            }
        }
    }

    private Object scalar(Job job, Connection c, String sql, List<QueryParams.Bind> binds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < binds.size(); i++) {
                binds.get(i).set(ps, i + 1);
            }
            job.running = ps;
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw translate(e, job, null);
        } finally {
            job.running = null;
        }
    }

    static long count(Connection c, TableRef table) throws SQLException {
        return longValue(c, "SELECT count(*) FROM " + table.quoted());
    }

    static long longValue(Connection c, String sql) throws SQLException {
        try (java.sql.Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction was open after all
        }
    }

    static BqException serializationConflict(String project, TableRef table) {
        return BqException.invalidQuery("Could not serialize access to table " + project + ":" + table + " due to concurrent update");
    }

    /** A DuckDB error in BigQuery's terms: cancellations, conflicts, missing tables, and query errors. */
    BqException translate(SQLException e, Job job, TableRef target) {
        String message = String.valueOf(e.getMessage());
        if (job != null && job.cancelRequested || message.contains("INTERRUPT")) {
            return BqException.stopped();
        }
        String project = job == null ? "project" : job.project;
        if (message.contains("Conflict on") || message.contains("write-write conflict") || message.contains("TransactionContext Error")) {
            return serializationConflict(project, target == null ? new TableRef(null, "unknown") : target);
        }
        String firstLine = message.lines().findFirst().orElse(message);
        if (firstLine.startsWith("Catalog Error: Table with name") || firstLine.startsWith("Catalog Error: Schema with name")) {
            return new BqException(404, "notFound", "Not found: " + firstLine.substring("Catalog Error: ".length()));
        }
        return BqException.invalidQuery(message.strip());
    }
}
