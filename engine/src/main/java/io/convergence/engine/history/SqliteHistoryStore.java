package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Run history in one SQLite file (the workspace's state database). WAL mode lets readers (the UI,
 * {@code convergence runs}) work while a run writes; writers in several processes take turns
 * through {@code BEGIN IMMEDIATE}, SQLite's busy timeout and a retry on SQLITE_BUSY. The schema is
 * versioned with {@code PRAGMA user_version} and migrated on open. Times are stored as epoch
 * milliseconds, durations as milliseconds, states as enum names.
 */
public final class SqliteHistoryStore implements HistoryStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteHistoryStore.class);

    /** The schema version this build writes; a newer file is refused rather than misread. */
    public static final int SCHEMA_VERSION = 1;

    private static final int BUSY_TIMEOUT_MILLIS = 10_000;
    private static final int BUSY_RETRIES = 8;

    /** Migration i (1-based) brings the schema from version i-1 to i. Never edit one that shipped; add another. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE runs (
                run_id TEXT PRIMARY KEY,
                tenant TEXT NOT NULL,
                pipeline TEXT NOT NULL,
                target TEXT NOT NULL,
                state TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                duration_ms INTEGER,
                rows INTEGER NOT NULL DEFAULT 0,
                bytes INTEGER NOT NULL DEFAULT 0,
                error_code TEXT,
                error_message TEXT,
                pipeline_version TEXT,
                parameters TEXT NOT NULL DEFAULT '{}',
                partitions TEXT NOT NULL DEFAULT '[]',
                steps TEXT NOT NULL DEFAULT '[]',
                host TEXT,
                user_name TEXT,
                resumed_from TEXT,
                updated_at INTEGER NOT NULL)""",
            "CREATE INDEX runs_by_time ON runs(started_at DESC, run_id DESC)",
            "CREATE INDEX runs_by_tenant ON runs(tenant, started_at DESC, run_id DESC)",
            "CREATE INDEX runs_by_pipeline ON runs(tenant, pipeline, started_at DESC, run_id DESC)",
            "CREATE INDEX runs_by_state ON runs(state, started_at DESC, run_id DESC)",
            """
            CREATE TABLE run_events (
                seq INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                state TEXT NOT NULL,
                error_code TEXT,
                error_message TEXT)""",
            "CREATE INDEX run_events_by_run ON run_events(run_id, seq)",
            """
            CREATE TABLE step_events (
                seq INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                step_id TEXT NOT NULL,
                state TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                rows INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                duration_ms INTEGER,
                error_code TEXT,
                error_message TEXT)""",
            "CREATE INDEX step_events_by_run ON step_events(run_id, seq)",
            """
            CREATE TABLE partition_events (
                seq INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                step_id TEXT NOT NULL,
                partition_key TEXT NOT NULL,
                state TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                rows INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                duration_ms INTEGER,
                error_code TEXT,
                error_message TEXT)""",
            "CREATE INDEX partition_events_by_run ON partition_events(run_id, seq)",
            """
            CREATE TABLE check_events (
                seq INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                step_id TEXT NOT NULL,
                partition_key TEXT,
                check_name TEXT NOT NULL,
                check_type TEXT,
                severity TEXT,
                passed INTEGER NOT NULL,
                failing_rows INTEGER NOT NULL,
                example_rows TEXT NOT NULL DEFAULT '[]',
                detail TEXT)""",
            "CREATE INDEX check_events_by_run ON check_events(run_id, seq)",
            """
            CREATE TABLE log_events (
                seq INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                step_id TEXT,
                partition_key TEXT,
                level TEXT NOT NULL,
                message TEXT NOT NULL)""",
            "CREATE INDEX log_events_by_run ON log_events(run_id, seq)",
            """
            CREATE TABLE lock_events (
                seq INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL,
                at INTEGER NOT NULL,
                tenant TEXT,
                pipeline TEXT,
                change TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                detail TEXT)""",
            "CREATE INDEX lock_events_by_run ON lock_events(run_id, seq)"));

    private static final String SUMMARY_COLUMNS = "run_id, tenant, pipeline, target, state, started_at, finished_at, duration_ms, "
            + "rows, bytes, error_code, error_message, pipeline_version, parameters, host, user_name, resumed_from, updated_at";
    private static final String TERMINAL_STATES = "('SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED', 'SKIPPED')";

    private final Path file;
    private final String url;
    private final ObjectMapper json = new ObjectMapper();
    private final Object writeLock = new Object();
    private final Object readLock = new Object();
    private Connection writer;
    private PreparedStatement begin;
    private PreparedStatement commit;
    private Writes writes;
    private Connection reader;
    private volatile boolean closed;

    private SqliteHistoryStore(Path file) {
        this.file = file;
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
    }

    /** Opens (creating the file and its folders if needed) and migrates the history at {@code file}. */
    public static SqliteHistoryStore open(Path file) {
        requireNonNull(file, "file is null");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        }
        catch (IOException e) {
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "cannot create the folder of " + file + ": " + e.getMessage(), e);
        }
        SqliteHistoryStore store = new SqliteHistoryStore(file);
        try {
            store.migrate();
        }
        catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    public Path file() {
        return file;
    }

    /** The schema version of the file (after migration: {@link #SCHEMA_VERSION}). */
    public int schemaVersion() {
        return read(c -> userVersion(c));
    }

    private void migrate() {
        write(c -> {
            int version = userVersion(c);
            if (version > SCHEMA_VERSION) {
                throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "run history " + file + " has schema version " + version
                        + ", newer than this Convergence understands (" + SCHEMA_VERSION + "); upgrade Convergence");
            }
            try (Statement s = c.createStatement()) {
                for (int v = version + 1; v <= SCHEMA_VERSION; v++) {
                    for (String sql : MIGRATIONS.get(v - 1)) {
                        s.execute(sql);
                    }
                    log.info("Migrated run history {} to schema version {}", file, v);
                }
                if (version < SCHEMA_VERSION) {
                    s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                }
            }
            return null;
        });
    }

    private static int userVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void append(List<RunEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        write(c -> {
            if (writes == null) {
                // prepared after the migration, which creates the tables they name
                writes = new Writes(c);
            }
            Writes w = writes;
            Map<String, Long> touched = new HashMap<>();
            for (RunEvent event : events) {
                w.write(event);
                touched.merge(event.runId(), event.at().toEpochMilli(), Math::max);
            }
            for (Map.Entry<String, Long> entry : touched.entrySet()) {
                w.touch.setLong(1, entry.getValue());
                w.touch.setString(2, entry.getKey());
                w.touch.setLong(3, entry.getValue());
                w.touch.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean markInterrupted(String runId, Instant at, String reason) {
        return write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE runs SET state = 'INTERRUPTED', finished_at = ?, "
                    + "duration_ms = MAX(0, ? - started_at), error_message = ?, updated_at = ? "
                    + "WHERE run_id = ? AND state IN ('QUEUED', 'RUNNING')")) {
                long millis = at.toEpochMilli();
                update.setLong(1, millis);
                update.setLong(2, millis);
                update.setString(3, reason);
                update.setLong(4, millis);
                update.setString(5, runId);
                if (update.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO run_events(run_id, at, state, error_code, error_message) VALUES (?, ?, 'INTERRUPTED', NULL, ?)")) {
                insert.setString(1, runId);
                insert.setLong(2, at.toEpochMilli());
                insert.setString(3, reason);
                insert.executeUpdate();
            }
            return true;
        });
    }

    /** Runs {@code work} in one write transaction, retrying the whole transaction when another writer holds the lock too long. */
    private <T> T write(SqlWork<T> work) {
        synchronized (writeLock) {
            checkOpen();
            for (int attempt = 1; ; attempt++) {
                Connection c;
                try {
                    c = writer();
                }
                catch (SQLException e) {
                    throw unavailable("open", e);
                }
                try {
                    begin.execute();
                    boolean committed = false;
                    try {
                        T result = work.apply(c);
                        commit.execute();
                        committed = true;
                        return result;
                    }
                    finally {
                        if (!committed) {
                            rollbackQuietly(c);
                        }
                    }
                }
                catch (SQLException e) {
                    if (isBusy(e) && attempt < BUSY_RETRIES) {
                        log.debug("Run history {} is busy (attempt {}); retrying", file, attempt);
                        pause(attempt);
                        continue;
                    }
                    throw unavailable("write", e);
                }
            }
        }
    }

    private Connection writer() throws SQLException {
        if (writer == null) {
            writer = connect();
            // prepared once: small batches would otherwise spend much of their time parsing these
            begin = writer.prepareStatement("BEGIN IMMEDIATE");
            commit = writer.prepareStatement("COMMIT");
        }
        return writer;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public List<RunSummary> runs(HistoryQuery query) {
        requireNonNull(query, "query is null");
        StringBuilder sql = new StringBuilder("SELECT ").append(SUMMARY_COLUMNS).append(" FROM runs");
        List<Object> args = new ArrayList<>();
        where(query, sql, args, true);
        sql.append(" ORDER BY started_at DESC, run_id DESC LIMIT ? OFFSET ?");
        args.add(query.limit());
        args.add(query.offset());
        return read(c -> {
            try (PreparedStatement ps = prepare(c, sql.toString(), args); ResultSet rs = ps.executeQuery()) {
                List<RunSummary> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(summary(rs));
                }
                return result;
            }
        });
    }

    @Override
    public long countRuns(HistoryQuery query) {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM runs");
        List<Object> args = new ArrayList<>();
        where(query, sql, args, false);
        return read(c -> {
            try (PreparedStatement ps = prepare(c, sql.toString(), args); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    @Override
    public Optional<RunSummary> latestRun(String tenant, String pipeline) {
        return runs(HistoryQuery.all().withTenant(tenant).withPipeline(pipeline).withLimit(1)).stream().findFirst();
    }

    @Override
    public Optional<RunDetail> run(String runId) {
        requireNonNull(runId, "runId is null");
        return read(c -> {
            // one read transaction, so the detail is a consistent snapshot while a run keeps writing
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
                try {
                    return Optional.ofNullable(detail(c, runId));
                }
                finally {
                    s.execute("COMMIT");
                }
            }
        });
    }

    @Override
    public Set<UnitKey> succeededUnits(String runId) {
        requireNonNull(runId, "runId is null");
        return read(c -> {
            Set<UnitKey> result = new LinkedHashSet<>();
            Set<UnitKey> pendingSkipped = null;
            Set<String> visited = new HashSet<>();
            String current = runId;
            // walk the resume chain: a unit skipped in a resumed run counts if the run it resumed had it
            while (current != null && visited.add(current)) {
                Optional<String> resumedFrom = resumedFrom(c, current);
                if (resumedFrom == null) {
                    if (current.equals(runId)) {
                        throw new ConvergenceException(ErrorCode.RUN_NOT_FOUND, "no run " + runId + " in history " + file);
                    }
                    break;
                }
                Map<UnitKey, RunState> units = latestUnitStates(c, current);
                Set<UnitKey> succeeded = new LinkedHashSet<>();
                Set<UnitKey> skipped = new LinkedHashSet<>();
                units.forEach((key, state) -> {
                    if (state == RunState.SUCCEEDED) {
                        succeeded.add(key);
                    }
                    else if (state == RunState.SKIPPED) {
                        skipped.add(key);
                    }
                });
                if (pendingSkipped == null) {
                    result.addAll(succeeded);
                    pendingSkipped = skipped;
                }
                else {
                    Set<UnitKey> found = new LinkedHashSet<>(pendingSkipped);
                    found.retainAll(succeeded);
                    result.addAll(found);
                    pendingSkipped.retainAll(skipped);
                }
                if (pendingSkipped.isEmpty()) {
                    break;
                }
                current = resumedFrom.orElse(null);
            }
            return Set.copyOf(result);
        });
    }

    /** The run's resumed_from (empty when it resumed nothing), or null when the run is unknown. */
    private static Optional<String> resumedFrom(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT resumed_from FROM runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return Optional.ofNullable(rs.getString(1));
            }
        }
    }

    /** Latest state of each unit: a partitioned step's units are its partitions, any other step is one unit. */
    private static Map<UnitKey, RunState> latestUnitStates(Connection c, String runId) throws SQLException {
        Map<UnitKey, RunState> partitions = new LinkedHashMap<>();
        Set<String> partitionedSteps = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT step_id, partition_key, state FROM partition_events WHERE run_id = ? ORDER BY seq")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    partitionedSteps.add(rs.getString(1));
                    partitions.put(UnitKey.of(rs.getString(1), rs.getString(2)), RunState.valueOf(rs.getString(3)));
                }
            }
        }
        Map<UnitKey, RunState> result = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT step_id, state FROM step_events WHERE run_id = ? ORDER BY seq")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!partitionedSteps.contains(rs.getString(1))) {
                        result.put(UnitKey.of(rs.getString(1)), RunState.valueOf(rs.getString(2)));
                    }
                }
            }
        }
        result.putAll(partitions);
        return result;
    }

    private RunDetail detail(Connection c, String runId) throws SQLException {
        RunSummary summary;
        List<String> plannedSteps;
        List<String> plannedPartitions;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SUMMARY_COLUMNS + ", steps, partitions FROM runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                summary = summary(rs);
                plannedSteps = fromJson(rs.getString("steps"), new TypeReference<List<String>>() { });
                plannedPartitions = fromJson(rs.getString("partitions"), new TypeReference<List<String>>() { });
            }
        }
        List<StepRecord> steps = fold(c, "SELECT step_id, NULL, at, state, attempt, rows, bytes, duration_ms, error_code, error_message "
                + "FROM step_events WHERE run_id = ? ORDER BY seq", runId);
        Map<String, Integer> order = new HashMap<>();
        for (String step : plannedSteps) {
            order.put(step, order.size());
        }
        steps.sort(java.util.Comparator.comparing(r -> order.getOrDefault(r.stepId(), Integer.MAX_VALUE)));
        List<StepRecord> partitions = fold(c, "SELECT step_id, partition_key, at, state, attempt, rows, bytes, duration_ms, error_code, "
                + "error_message FROM partition_events WHERE run_id = ? ORDER BY seq", runId);
        partitions.sort(java.util.Comparator.<StepRecord, Integer>comparing(r -> order.getOrDefault(r.stepId(), Integer.MAX_VALUE))
                .thenComparing(r -> r.partition().orElse("")));

        List<CheckRecord> checks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT at, step_id, partition_key, check_name, check_type, severity, passed, "
                + "failing_rows, example_rows, detail FROM check_events WHERE run_id = ? ORDER BY seq")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    checks.add(new CheckRecord(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), Optional.ofNullable(rs.getString(3)),
                            rs.getString(4), Optional.ofNullable(rs.getString(5)), Optional.ofNullable(rs.getString(6)), rs.getInt(7) != 0,
                            rs.getLong(8), fromJson(rs.getString(9), new TypeReference<List<String>>() { }),
                            Optional.ofNullable(rs.getString(10))));
                }
            }
        }
        // recorded as parallel units finished; read in plan order so a run shows the same way every time
        checks.sort(java.util.Comparator.<CheckRecord, Integer>comparing(r -> order.getOrDefault(r.stepId(), Integer.MAX_VALUE))
                .thenComparing(r -> r.partition().orElse(""))
                .thenComparing(CheckRecord::checkName));
        List<LogRecord> logs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT at, step_id, partition_key, level, message FROM log_events WHERE run_id = ? ORDER BY seq")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    logs.add(new LogRecord(Instant.ofEpochMilli(rs.getLong(1)), Optional.ofNullable(rs.getString(2)),
                            Optional.ofNullable(rs.getString(3)), rs.getString(4), rs.getString(5)));
                }
            }
        }
        List<LockRecord> locks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT at, change, epoch, detail FROM lock_events WHERE run_id = ? ORDER BY seq")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    locks.add(new LockRecord(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getLong(3),
                            Optional.ofNullable(rs.getString(4))));
                }
            }
        }
        return new RunDetail(summary, plannedSteps, plannedPartitions, steps, partitions, checks, logs, locks);
    }

    /** Folds state events into the latest record per step (or per step and partition). */
    private static List<StepRecord> fold(Connection c, String sql, String runId) throws SQLException {
        Map<String, StepRecord> latest = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String stepId = rs.getString(1);
                    Optional<String> partition = Optional.ofNullable(rs.getString(2));
                    Instant at = Instant.ofEpochMilli(rs.getLong(3));
                    RunState state = RunState.valueOf(rs.getString(4));
                    String key = stepId + "\u0000" + partition.orElse("");
                    StepRecord previous = latest.get(key);
                    Optional<Instant> startedAt = previous == null ? Optional.empty() : previous.startedAt();
                    if (startedAt.isEmpty() && state == RunState.RUNNING) {
                        startedAt = Optional.of(at);
                    }
                    long durationMs = rs.getLong(8);
                    Optional<Duration> duration = rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(durationMs));
                    latest.put(key, new StepRecord(stepId, partition, state, rs.getInt(5), rs.getLong(6), rs.getLong(7), startedAt,
                            state.isTerminal() ? Optional.of(at) : Optional.empty(), duration,
                            Optional.ofNullable(rs.getString(9)), Optional.ofNullable(rs.getString(10))));
                }
            }
        }
        return new ArrayList<>(latest.values());
    }

    private RunSummary summary(ResultSet rs) throws SQLException {
        long finished = rs.getLong("finished_at");
        Optional<Instant> finishedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
        long durationMs = rs.getLong("duration_ms");
        Optional<Duration> duration = rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(durationMs));
        return new RunSummary(rs.getString("run_id"), rs.getString("tenant"), rs.getString("pipeline"), rs.getString("target"),
                RunState.valueOf(rs.getString("state")), Instant.ofEpochMilli(rs.getLong("started_at")), finishedAt, duration,
                rs.getLong("rows"), rs.getLong("bytes"), Optional.ofNullable(rs.getString("error_code")),
                Optional.ofNullable(rs.getString("error_message")), Optional.ofNullable(rs.getString("pipeline_version")),
                fromJson(rs.getString("parameters"), new TypeReference<Map<String, String>>() { }),
                Optional.ofNullable(rs.getString("host")), Optional.ofNullable(rs.getString("user_name")),
                Optional.ofNullable(rs.getString("resumed_from")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    private static void where(HistoryQuery query, StringBuilder sql, List<Object> args, boolean withCursor) {
        List<String> conditions = new ArrayList<>();
        query.tenant().ifPresent(t -> {
            conditions.add("tenant = ?");
            args.add(t);
        });
        query.pipeline().ifPresent(p -> {
            conditions.add("pipeline = ?");
            args.add(p);
        });
        if (!query.states().isEmpty()) {
            List<String> names = query.states().stream().map(Enum::name).sorted().toList();
            conditions.add("state IN (" + String.join(", ", java.util.Collections.nCopies(names.size(), "?")) + ")");
            args.addAll(names);
        }
        query.since().ifPresent(s -> {
            conditions.add("started_at >= ?");
            args.add(s.toEpochMilli());
        });
        query.until().ifPresent(u -> {
            conditions.add("started_at < ?");
            args.add(u.toEpochMilli());
        });
        if (withCursor) {
            query.after().ifPresent(cursor -> {
                conditions.add("(started_at, run_id) < (?, ?)");
                args.add(cursor.startedAt().toEpochMilli());
                args.add(cursor.runId());
            });
        }
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, List<Object> args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg instanceof Long l) {
                ps.setLong(i + 1, l);
            }
            else if (arg instanceof Integer n) {
                ps.setInt(i + 1, n);
            }
            else {
                ps.setString(i + 1, (String) arg);
            }
        }
        return ps;
    }

    private <T> T read(SqlWork<T> work) {
        synchronized (readLock) {
            checkOpen();
            for (int attempt = 1; ; attempt++) {
                try {
                    if (reader == null) {
                        reader = connect();
                    }
                    return work.apply(reader);
                }
                catch (SQLException e) {
                    if (isBusy(e) && attempt < BUSY_RETRIES) {
                        pause(attempt);
                        continue;
                    }
                    throw unavailable("read", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private Connection connect() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        // otherwise the driver runs (and parses) SELECT last_insert_rowid() after every insert
        config.setGetGeneratedKeys(false);
        return DriverManager.getConnection(url, config.toProperties());
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            synchronized (readLock) {
                if (closed) {
                    return;
                }
                closed = true;
                if (writer != null) {
                    try (Statement s = writer.createStatement()) {
                        // keeps the planner's statistics fresh; cheap when nothing changed
                        s.execute("PRAGMA optimize");
                    }
                    catch (SQLException e) {
                        log.debug("PRAGMA optimize failed on {}", file, e);
                    }
                }
                closeQuietly(writes);
                closeQuietly(begin);
                closeQuietly(commit);
                closeQuietly(writer);
                closeQuietly(reader);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("history store " + file + " is closed");
        }
    }

    private ConvergenceException unavailable(String what, SQLException e) {
        return new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "cannot " + what + " run history " + file + ": " + e.getMessage(), e);
    }

    static boolean isBusy(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == 5 || primary == 6 || (e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY"));
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(1000L, 25L << attempt));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "interrupted while waiting for the run history", e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        }
        catch (SQLException e) {
            // no transaction left to roll back (SQLite may already have rolled back after an error)
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        }
        catch (Exception e) {
            log.debug("Closing {} failed", closeable, e);
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T fromJson(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        }
        catch (JsonProcessingException e) {
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "run history " + file + " holds invalid JSON: " + text, e);
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Prepared statements of the writer connection, reused across batches. */
    private final class Writes implements AutoCloseable {
        final PreparedStatement runStarted;
        final PreparedStatement runFinished;
        final PreparedStatement runEvent;
        final PreparedStatement step;
        final PreparedStatement partition;
        final PreparedStatement check;
        final PreparedStatement logLine;
        final PreparedStatement lock;
        final PreparedStatement touch;

        Writes(Connection c) throws SQLException {
            runStarted = c.prepareStatement("INSERT INTO runs(run_id, tenant, pipeline, target, state, started_at, pipeline_version, "
                    + "parameters, partitions, steps, host, user_name, resumed_from, updated_at) "
                    + "VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT(run_id) DO UPDATE SET tenant = excluded.tenant, pipeline = excluded.pipeline, target = excluded.target, "
                    + "state = 'RUNNING', started_at = excluded.started_at, finished_at = NULL, duration_ms = NULL, error_code = NULL, "
                    + "error_message = NULL, pipeline_version = excluded.pipeline_version, parameters = excluded.parameters, "
                    + "partitions = excluded.partitions, steps = excluded.steps, host = excluded.host, user_name = excluded.user_name, "
                    + "resumed_from = excluded.resumed_from, updated_at = excluded.updated_at");
            runFinished = c.prepareStatement("UPDATE runs SET state = ?, finished_at = ?, duration_ms = ?, error_code = ?, "
                    + "error_message = ?, updated_at = ?, "
                    + "rows = (SELECT COALESCE(SUM(rows), 0) FROM step_events s WHERE s.run_id = runs.run_id AND s.state IN " + TERMINAL_STATES + "), "
                    + "bytes = (SELECT COALESCE(SUM(bytes), 0) FROM step_events s WHERE s.run_id = runs.run_id AND s.state IN " + TERMINAL_STATES + ") "
                    + "WHERE run_id = ?");
            runEvent = c.prepareStatement("INSERT INTO run_events(run_id, at, state, error_code, error_message) VALUES (?, ?, ?, ?, ?)");
            step = c.prepareStatement("INSERT INTO step_events(run_id, at, step_id, state, attempt, rows, bytes, duration_ms, error_code, "
                    + "error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            partition = c.prepareStatement("INSERT INTO partition_events(run_id, at, step_id, partition_key, state, attempt, rows, bytes, "
                    + "duration_ms, error_code, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            check = c.prepareStatement("INSERT INTO check_events(run_id, at, step_id, partition_key, check_name, check_type, severity, "
                    + "passed, failing_rows, example_rows, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            logLine = c.prepareStatement("INSERT INTO log_events(run_id, at, step_id, partition_key, level, message) VALUES (?, ?, ?, ?, ?, ?)");
            lock = c.prepareStatement("INSERT INTO lock_events(run_id, at, tenant, pipeline, change, epoch, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
            touch = c.prepareStatement("UPDATE runs SET updated_at = ? WHERE run_id = ? AND updated_at < ?");
        }

        void write(RunEvent event) throws SQLException {
            if (event instanceof RunEvent.RunStarted e) {
                runStarted.setString(1, e.runId());
                runStarted.setString(2, e.tenant());
                runStarted.setString(3, e.pipeline());
                runStarted.setString(4, e.target());
                runStarted.setLong(5, e.at().toEpochMilli());
                runStarted.setString(6, e.pipelineVersion());
                runStarted.setString(7, toJson(new TreeMap<>(e.parameters())));
                runStarted.setString(8, toJson(e.partitions()));
                runStarted.setString(9, toJson(e.steps()));
                runStarted.setString(10, e.host());
                runStarted.setString(11, e.user());
                runStarted.setString(12, e.resumedFrom());
                runStarted.setLong(13, e.at().toEpochMilli());
                runStarted.executeUpdate();
                insertRunEvent(e.runId(), e.at(), RunState.RUNNING, null, null);
            }
            else if (event instanceof RunEvent.RunFinished e) {
                runFinished.setString(1, e.state().name());
                runFinished.setLong(2, e.at().toEpochMilli());
                setMillis(runFinished, 3, e.duration());
                runFinished.setString(4, e.errorCode());
                runFinished.setString(5, e.errorMessage());
                runFinished.setLong(6, e.at().toEpochMilli());
                runFinished.setString(7, e.runId());
                if (runFinished.executeUpdate() == 0) {
                    log.debug("Run {} finished but its start was never recorded", e.runId());
                }
                insertRunEvent(e.runId(), e.at(), e.state(), e.errorCode(), e.errorMessage());
            }
            else if (event instanceof RunEvent.StepStateChanged e) {
                step.setString(1, e.runId());
                step.setLong(2, e.at().toEpochMilli());
                step.setString(3, e.stepId());
                step.setString(4, e.state().name());
                step.setInt(5, e.attempt());
                step.setLong(6, e.rows());
                step.setLong(7, e.bytes());
                setMillis(step, 8, e.duration());
                step.setString(9, e.errorCode());
                step.setString(10, e.errorMessage());
                step.executeUpdate();
            }
            else if (event instanceof RunEvent.PartitionStateChanged e) {
                partition.setString(1, e.runId());
                partition.setLong(2, e.at().toEpochMilli());
                partition.setString(3, e.stepId());
                partition.setString(4, e.partition());
                partition.setString(5, e.state().name());
                partition.setInt(6, e.attempt());
                partition.setLong(7, e.rows());
                partition.setLong(8, e.bytes());
                setMillis(partition, 9, e.duration());
                partition.setString(10, e.errorCode());
                partition.setString(11, e.errorMessage());
                partition.executeUpdate();
            }
            else if (event instanceof RunEvent.CheckEvaluated e) {
                check.setString(1, e.runId());
                check.setLong(2, e.at().toEpochMilli());
                check.setString(3, e.stepId());
                check.setString(4, e.partition());
                check.setString(5, e.checkName());
                check.setString(6, e.checkType());
                check.setString(7, e.severity());
                check.setInt(8, e.passed() ? 1 : 0);
                check.setLong(9, e.failingRows());
                check.setString(10, toJson(e.exampleRows()));
                check.setString(11, e.detail());
                check.executeUpdate();
            }
            else if (event instanceof RunEvent.LogLine e) {
                logLine.setString(1, e.runId());
                logLine.setLong(2, e.at().toEpochMilli());
                logLine.setString(3, e.stepId());
                logLine.setString(4, e.partition());
                logLine.setString(5, e.level());
                logLine.setString(6, e.message());
                logLine.executeUpdate();
            }
            else if (event instanceof RunEvent.LockChanged e) {
                lock.setString(1, e.runId());
                lock.setLong(2, e.at().toEpochMilli());
                lock.setString(3, e.tenant());
                lock.setString(4, e.pipeline());
                lock.setString(5, e.change());
                lock.setLong(6, e.epoch());
                lock.setString(7, e.detail());
                lock.executeUpdate();
            }
        }

        private void insertRunEvent(String runId, Instant at, RunState state, String code, String message) throws SQLException {
            runEvent.setString(1, runId);
            runEvent.setLong(2, at.toEpochMilli());
            runEvent.setString(3, state.name());
            runEvent.setString(4, code);
            runEvent.setString(5, message);
            runEvent.executeUpdate();
        }

        private void setMillis(PreparedStatement ps, int index, Duration duration) throws SQLException {
            if (duration == null) {
                ps.setNull(index, Types.BIGINT);
            }
            else {
                ps.setLong(index, duration.toMillis());
            }
        }

        @Override
        public void close() {
            for (PreparedStatement ps : List.of(runStarted, runFinished, runEvent, step, partition, check, logLine, lock, touch)) {
                closeQuietly(ps);
            }
        }
    }
}
