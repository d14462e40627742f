package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * Locks in a SQLite file, normally the workspace's {@code state.db} (shared with run history).
 * Correct across processes on one machine: every write runs in {@code BEGIN IMMEDIATE}, which takes
 * SQLite's single write lock before reading, so read-decide-write cannot interleave with another
 * process. WAL mode keeps readers from blocking writers; {@code SQLITE_BUSY} is retried with backoff.
 *
 * <p>Tables: {@code locks} (one row per key, kept after release so epochs never go back),
 * {@code lock_audit} (force releases), and the row {@code component = 'locks'} of the shared
 * {@code schema_versions} table; {@code PRAGMA user_version} is left to other components.
 *
 * <p>Thread safe: one connection, used by one thread at a time.
 */
public final class SqliteLockStore implements LockStore {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteLockStore.class);

    /** This component's row in {@code schema_versions}. */
    static final String COMPONENT = "locks";
    /** Migrations, in order; index i brings the schema from version i to i + 1. Never edit a shipped one. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE locks (
                        tenant          TEXT    NOT NULL,
                        pipeline        TEXT    NOT NULL,
                        epoch           INTEGER NOT NULL,
                        run_id          TEXT,
                        host            TEXT,
                        user_name       TEXT,
                        pid             INTEGER,
                        acquired_at_ms  INTEGER,
                        heartbeat_at_ms INTEGER,
                        expires_at_ms   INTEGER,
                        lease_ms        INTEGER,
                        PRIMARY KEY (tenant, pipeline)
                    )""", """
                    CREATE TABLE lock_audit (
                        id             INTEGER PRIMARY KEY AUTOINCREMENT,
                        tenant         TEXT    NOT NULL,
                        pipeline       TEXT    NOT NULL,
                        epoch          INTEGER NOT NULL,
                        run_id         TEXT    NOT NULL,
                        host           TEXT    NOT NULL,
                        user_name      TEXT    NOT NULL,
                        pid            INTEGER NOT NULL,
                        acquired_at_ms INTEGER NOT NULL,
                        expires_at_ms  INTEGER NOT NULL,
                        released_by    TEXT    NOT NULL,
                        reason         TEXT    NOT NULL,
                        at_ms          INTEGER NOT NULL
                    )""",
                    "CREATE INDEX lock_audit_by_key ON lock_audit (tenant, pipeline, id)"));
    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final String LEASE_COLUMNS =
            "tenant, pipeline, epoch, run_id, host, user_name, pid, acquired_at_ms, heartbeat_at_ms, expires_at_ms";

    private final Path path;
    private final Options options;
    private final Connection connection;
    private boolean closed;

    /** Tuning of a {@link SqliteLockStore}; {@link #defaults()} suits a workstation. */
    public record Options(Duration busyTimeout, Duration busyRetryDeadline, boolean durableCommits) {
        public Options {
            requireNonNull(busyTimeout, "busyTimeout is null");
            requireNonNull(busyRetryDeadline, "busyRetryDeadline is null");
        }

        /**
         * SQLite waits up to 5 s for the write lock, then we retry with backoff for up to 30 s in all.
         * Commits are fsynced ({@code synchronous=FULL}): an epoch that was handed out must survive a
         * power cut, else it could be handed out twice.
         */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofSeconds(30), true);
        }
    }

    private SqliteLockStore(Path path, Options options, Connection connection) {
        this.path = path;
        this.options = options;
        this.connection = connection;
    }

    /** Opens (creating when missing) the store in the SQLite file {@code path} with default options. */
    public static SqliteLockStore open(Path path) {
        return open(path, Options.defaults());
    }

    /** Opens (creating when missing) the store in the SQLite file {@code path}. */
    public static SqliteLockStore open(Path path, Options options) {
        requireNonNull(path, "path is null");
        requireNonNull(options, "options is null");
        Path absolute = path.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE,
                    "cannot create the folder of the state store " + absolute + ": " + e.getMessage(), e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(options.durableCommits()
                ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, options.busyTimeout().toMillis()));
        String url = "jdbc:sqlite:" + absolute;
        // switching a fresh file to WAL needs a brief exclusive lock, so opening can meet SQLITE_BUSY too
        Connection connection = retrying(absolute, options, "open", () -> config.createConnection(url));
        SqliteLockStore store = new SqliteLockStore(absolute, options, connection);
        try {
            store.migrate();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return "SQLite " + path;
    }

    @Override
    public synchronized LockGrant tryAcquire(LockKey key, LockHolder holder, Duration leaseDuration, Instant now) {
        requireNonNull(key, "key is null");
        requireNonNull(holder, "holder is null");
        requireNonNull(leaseDuration, "leaseDuration is null");
        if (leaseDuration.isNegative() || leaseDuration.isZero()) {
            throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
        }
        long nowMs = now.toEpochMilli();
        long leaseMs = Math.max(1, leaseDuration.toMillis());
        return write("acquire " + key, c -> {
            Optional<Row> row = selectRow(c, key);
            if (row.isPresent() && row.get().lease().isPresent() && !row.get().lease().get().isExpired(now)) {
                return new LockGrant.Busy(row.get().lease().get());
            }
            long epoch = row.map(r -> r.epoch() + 1).orElse(1L);
            Optional<Lease> predecessor = row.flatMap(Row::lease);
            String sql = row.isPresent()
                    ? "UPDATE locks SET epoch = ?, run_id = ?, host = ?, user_name = ?, pid = ?, acquired_at_ms = ?,"
                            + " heartbeat_at_ms = ?, expires_at_ms = ?, lease_ms = ? WHERE tenant = ? AND pipeline = ?"
                    : "INSERT INTO locks (epoch, run_id, host, user_name, pid, acquired_at_ms, heartbeat_at_ms,"
                            + " expires_at_ms, lease_ms, tenant, pipeline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setLong(1, epoch);
                s.setString(2, holder.runId());
                s.setString(3, holder.host());
                s.setString(4, holder.user());
                s.setLong(5, holder.pid());
                s.setLong(6, nowMs);
                s.setLong(7, nowMs);
                s.setLong(8, nowMs + leaseMs);
                s.setLong(9, leaseMs);
                s.setString(10, key.tenant());
                s.setString(11, key.pipeline());
                s.executeUpdate();
            }
            Instant at = Instant.ofEpochMilli(nowMs);
            Lease lease = new Lease(key, holder, epoch, at, at, Instant.ofEpochMilli(nowMs + leaseMs));
            return new LockGrant.Granted(lease, predecessor);
        });
    }

    @Override
    public synchronized RenewResult renew(LockKey key, String runId, long epoch, Instant now) {
        requireNonNull(key, "key is null");
        requireNonNull(runId, "runId is null");
        long nowMs = now.toEpochMilli();
        return write("renew " + key, c -> {
            Optional<Row> row = selectRow(c, key);
            Optional<Lease> current = row.flatMap(Row::lease);
            if (current.isEmpty()) {
                return new RenewResult.Lost(LossReason.RELEASED, Optional.empty());
            }
            Lease lease = current.get();
            if (lease.epoch() != epoch || !lease.runId().equals(runId)) {
                return new RenewResult.Lost(LossReason.TAKEN_OVER, current);
            }
            if (lease.isExpired(now)) {
                // nobody took it yet, but others may already have seen it expired (and the reaper may be
                // marking the run interrupted): a lapsed epoch is never revived
                return new RenewResult.Lost(LossReason.EXPIRED, current);
            }
            long expiresMs = nowMs + row.get().leaseMs();
            try (PreparedStatement s = c.prepareStatement("UPDATE locks SET heartbeat_at_ms = ?, expires_at_ms = ?"
                    + " WHERE tenant = ? AND pipeline = ? AND epoch = ? AND run_id = ?")) {
                s.setLong(1, nowMs);
                s.setLong(2, expiresMs);
                s.setString(3, key.tenant());
                s.setString(4, key.pipeline());
                s.setLong(5, epoch);
                s.setString(6, runId);
                s.executeUpdate();
            }
            return new RenewResult.Renewed(new Lease(key, lease.holder(), epoch, lease.acquiredAt(),
                    Instant.ofEpochMilli(nowMs), Instant.ofEpochMilli(expiresMs)));
        });
    }

    @Override
    public synchronized boolean release(LockKey key, String runId, long epoch) {
        requireNonNull(key, "key is null");
        requireNonNull(runId, "runId is null");
        return write("release " + key, c -> clearHolder(c, key, runId, epoch) == 1);
    }

    @Override
    public synchronized Optional<ForceRelease> forceRelease(LockKey key, String by, String reason, Instant now) {
        requireNonNull(key, "key is null");
        requireNonNull(by, "by is null");
        requireNonNull(reason, "reason is null");
        Instant at = Instant.ofEpochMilli(now.toEpochMilli());
        return write("force release " + key, c -> {
            Optional<Lease> current = selectRow(c, key).flatMap(Row::lease);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            Lease lease = current.get();
            clearHolder(c, key, lease.runId(), lease.epoch());
            try (PreparedStatement s = c.prepareStatement("INSERT INTO lock_audit (tenant, pipeline, epoch, run_id,"
                    + " host, user_name, pid, acquired_at_ms, expires_at_ms, released_by, reason, at_ms)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, key.tenant());
                s.setString(2, key.pipeline());
                s.setLong(3, lease.epoch());
                s.setString(4, lease.runId());
                s.setString(5, lease.holder().host());
                s.setString(6, lease.holder().user());
                s.setLong(7, lease.holder().pid());
                s.setLong(8, lease.acquiredAt().toEpochMilli());
                s.setLong(9, lease.expiresAt().toEpochMilli());
                s.setString(10, by);
                s.setString(11, reason);
                s.setLong(12, at.toEpochMilli());
                s.executeUpdate();
            }
            return Optional.of(new ForceRelease(key, lease.holder(), lease.epoch(), by, reason, at));
        });
    }

    @Override
    public synchronized List<Lease> currentLeases() {
        return read("list leases", c -> selectLeases(c,
                "SELECT " + LEASE_COLUMNS + " FROM locks WHERE run_id IS NOT NULL ORDER BY tenant, pipeline", null));
    }

    @Override
    public synchronized Optional<Lease> lease(LockKey key) {
        requireNonNull(key, "key is null");
        return read("read lease " + key, c -> selectRow(c, key).flatMap(Row::lease));
    }

    @Override
    public synchronized List<Lease> expiredLeases(Instant now) {
        return read("list expired leases", c -> selectLeases(c, "SELECT " + LEASE_COLUMNS
                + " FROM locks WHERE run_id IS NOT NULL AND expires_at_ms <= ? ORDER BY tenant, pipeline",
                now.toEpochMilli()));
    }

    @Override
    public synchronized List<ForceRelease> forceReleaseHistory(Optional<LockKey> key, int limit) {
        requireNonNull(key, "key is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit is negative: " + limit);
        }
        String sql = "SELECT tenant, pipeline, epoch, run_id, host, user_name, pid, released_by, reason, at_ms"
                + " FROM lock_audit" + (key.isPresent() ? " WHERE tenant = ? AND pipeline = ?" : "")
                + " ORDER BY id DESC LIMIT ?";
        return read("read force release history", c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                if (key.isPresent()) {
                    s.setString(i++, key.get().tenant());
                    s.setString(i++, key.get().pipeline());
                }
                s.setInt(i, limit);
                List<ForceRelease> result = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        LockHolder holder = new LockHolder(rs.getString("host"), rs.getString("user_name"),
                                rs.getLong("pid"), rs.getString("run_id"));
                        result.add(new ForceRelease(new LockKey(rs.getString("tenant"), rs.getString("pipeline")),
                                holder, rs.getLong("epoch"), rs.getString("released_by"), rs.getString("reason"),
                                Instant.ofEpochMilli(rs.getLong("at_ms"))));
                    }
                }
                return result;
            }
        });
    }

    @Override
    public synchronized boolean validateEpoch(LockKey key, long epoch, Instant now) {
        requireNonNull(key, "key is null");
        return read("validate epoch " + key, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM locks WHERE tenant = ? AND pipeline = ?"
                    + " AND epoch = ? AND run_id IS NOT NULL AND expires_at_ms > ?")) {
                s.setString(1, key.tenant());
                s.setString(2, key.pipeline());
                s.setLong(3, epoch);
                s.setLong(4, now.toEpochMilli());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Closing lock store {} failed", path, e);
        }
    }

    /** Schema version of this component as recorded in the file; 0 before the first migration. */
    synchronized int schemaVersion() {
        return read("read schema version", SqliteLockStore::readSchemaVersion);
    }

    private void migrate() {
        write("migrate schema", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_versions ("
                        + "component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
            }
            int version = readSchemaVersion(c);
            if (version > SCHEMA_VERSION) {
                throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "the state store " + path
                        + " holds locks schema version " + version + " from a newer Convergence; this version"
                        + " understands up to " + SCHEMA_VERSION + ". Upgrade Convergence to use this workspace.");
            }
            for (int v = version; v < SCHEMA_VERSION; v++) {
                try (Statement s = c.createStatement()) {
                    for (String ddl : MIGRATIONS.get(v)) {
                        s.execute(ddl);
                    }
                }
            }
            if (version < SCHEMA_VERSION) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO schema_versions (component, version)"
                        + " VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version")) {
                    s.setString(1, COMPONENT);
                    s.setInt(2, SCHEMA_VERSION);
                    s.executeUpdate();
                }
                LOG.info("Lock store {} migrated from schema version {} to {}", path, version, SCHEMA_VERSION);
            }
            return null;
        });
    }

    private static int readSchemaVersion(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM schema_versions WHERE component = ?")) {
            s.setString(1, COMPONENT);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** A row of {@code locks}: the key's last epoch, and its lease while someone holds it. */
    private record Row(long epoch, long leaseMs, Optional<Lease> lease) {
    }

    private static Optional<Row> selectRow(Connection c, LockKey key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + LEASE_COLUMNS
                + ", lease_ms FROM locks WHERE tenant = ? AND pipeline = ?")) {
            s.setString(1, key.tenant());
            s.setString(2, key.pipeline());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(rs.getLong("epoch"), rs.getLong("lease_ms"), toLease(rs)));
            }
        }
    }

    private static List<Lease> selectLeases(Connection c, String sql, Long parameter) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (parameter != null) {
                s.setLong(1, parameter);
            }
            List<Lease> leases = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    toLease(rs).ifPresent(leases::add);
                }
            }
            return leases;
        }
    }

    private static Optional<Lease> toLease(ResultSet rs) throws SQLException {
        String runId = rs.getString("run_id");
        if (runId == null) {
            return Optional.empty();
        }
        LockHolder holder = new LockHolder(rs.getString("host"), rs.getString("user_name"), rs.getLong("pid"), runId);
        return Optional.of(new Lease(new LockKey(rs.getString("tenant"), rs.getString("pipeline")), holder,
                rs.getLong("epoch"), Instant.ofEpochMilli(rs.getLong("acquired_at_ms")),
                Instant.ofEpochMilli(rs.getLong("heartbeat_at_ms")), Instant.ofEpochMilli(rs.getLong("expires_at_ms"))));
    }

    private static int clearHolder(Connection c, LockKey key, String runId, long epoch) throws SQLException {
        // the row and its epoch stay: the next grant continues from this epoch
        try (PreparedStatement s = c.prepareStatement("UPDATE locks SET run_id = NULL, host = NULL, user_name = NULL,"
                + " pid = NULL, acquired_at_ms = NULL, heartbeat_at_ms = NULL, expires_at_ms = NULL, lease_ms = NULL"
                + " WHERE tenant = ? AND pipeline = ? AND epoch = ? AND run_id = ?")) {
            s.setString(1, key.tenant());
            s.setString(2, key.pipeline());
            s.setLong(3, epoch);
            s.setString(4, runId);
            return s.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    private interface SqlAction<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in one write transaction that holds SQLite's write lock from its first statement. */
    private <T> T write(String operation, SqlWork<T> work) {
        checkOpen();
        return retrying(path, options, operation, () -> {
            try (Statement s = connection.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
            try {
                T result = work.apply(connection);
                try (Statement s = connection.createStatement()) {
                    s.execute("COMMIT");
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                throw e;
            }
        });
    }

    /** Runs {@code work}, a single query, in autocommit: SQLite gives it one read transaction. */
    private <T> T read(String operation, SqlWork<T> work) {
        checkOpen();
        return retrying(path, options, operation, () -> work.apply(connection));
    }

    private void rollbackQuietly() {
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            // no transaction left to roll back (BEGIN or COMMIT already ended it); nothing to undo
            LOG.debug("Rollback on {} had nothing to do: {}", path, e.getMessage());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("lock store " + path + " is closed");
        }
    }

    private static <T> T retrying(Path path, Options options, String operation, SqlAction<T> action) {
        long deadline = System.nanoTime() + options.busyRetryDeadline().toNanos();
        long backoffMs = 1;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                return action.run();
            } catch (SQLException e) {
                if (!isBusy(e) || System.nanoTime() - deadline >= 0) {
                    String why = isBusy(e)
                            ? "the file stayed locked by another process for " + attempts + " attempts over "
                                    + options.busyRetryDeadline().toSeconds() + " s"
                            : e.getMessage();
                    throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE,
                            "lock store " + path + ": " + operation + " failed: " + why, e);
                }
                // jitter keeps processes that collided from colliding again in lock step
                long sleep = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
                LOG.debug("Lock store {} busy during {}; retrying in {} ms", path, operation, sleep);
                try {
                    TimeUnit.MILLISECONDS.sleep(Math.max(1, sleep));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE,
                            "lock store " + path + ": " + operation + " interrupted while the file was busy", ie);
                }
                backoffMs = Math.min(200, backoffMs * 2);
            }
        }
    }

    private static boolean isBusy(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            int primary = sqlite.getResultCode().code & 0xFF;
            return primary == 5 || primary == 6; // SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
        }
        return false;
    }
}
