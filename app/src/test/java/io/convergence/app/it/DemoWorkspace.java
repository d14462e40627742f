package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.app.fx.AppFixtureFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A copy of the repository's demo workspace ({@code configs/}) in a temporary folder, with helpers to edit its
 * files, start the CLI in it as child processes, and read its DuckDB warehouse and history afterwards.
 */
final class DemoWorkspace {
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN_ID = Pattern.compile("(?m)^(?:\\d\\d:\\d\\d:\\d\\d )?run (\\S+) of ");

    private final Path root;
    private final Path logs;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<CliProcess> started = new ArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();

    private DemoWorkspace(Path root, Path logs) {
        this.root = root;
        this.logs = logs;
    }

    /** Copies {@code configs/} of the repository (the app module runs from {@code app/}) into {@code temp}. */
    static DemoWorkspace copyOfDemo(Path temp) throws IOException {
        Path root = temp.resolve("workspace");
        // without .convergence/: a workspace run by hand before the copy would bring its warehouse and history along
        AppFixtureFiles.copyDemo(root);
        Path logs = Files.createDirectories(temp.resolve("logs"));
        return new DemoWorkspace(root, logs);
    }

    Path root() {
        return root;
    }

    Path pipelineDir(String tenant, String pipeline) {
        return root.resolve("tenants").resolve(tenant).resolve("pipelines").resolve(pipeline);
    }

    Path warehouseFile() {
        return root.resolve(".convergence/warehouse.duckdb");
    }

    Path stateFile() {
        return root.resolve(".convergence/state.db");
    }

    /** A {@code CONVERGENCE_*} (or other) environment variable for every CLI started from now on. */
    DemoWorkspace env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Rewrites a file of the workspace; fails when the edit changes nothing (the text it looked for moved). */
    void edit(String relative, UnaryOperator<String> change) throws IOException {
        Path file = root.resolve(relative);
        String before = Files.readString(file, StandardCharsets.UTF_8);
        String after = change.apply(before);
        assertThat(after).as("edit of %s", relative).isNotEqualTo(before);
        Files.writeString(file, after, StandardCharsets.UTF_8);
    }

    void write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /**
     * Turns acme/daily_sales into a heavy, checkable pipeline: {@code sales_by_day} writes every order of its day
     * {@code @fanout} times, stamped with {@code @version} (both pipeline parameters), so partitions are big
     * enough for a signal to land while one is being written, and the content of a partition tells which run
     * wrote it and whether it is complete. The quality step is dropped (its checks are about the real sales).
     */
    void makeDailySalesHeavy() throws IOException {
        String dir = "tenants/acme/pipelines/daily_sales/";
        write(dir + "sql/daily_sales.sql", """
                -- Every order of the partition, @fanout times, stamped with @version.
                SELECT
                  order_date,
                  store_id,
                  order_id,
                  amount,
                  @version AS version,
                  n
                FROM {{ ref('raw.orders') }}
                CROSS JOIN UNNEST(GENERATE_ARRAY(1, @fanout)) AS n
                WHERE order_date >= @partition_start
                  AND order_date < @partition_end
                """);
        edit(dir + "pipeline.yml", text -> {
            String withParameters = text.replace("""
                      min_amount:
                        type: float64
                        default: 1.0
                        description: Orders below this amount are till tests and are left out of the sales.
                    """, """
                      version:
                        type: int64
                        default: 1
                      fanout:
                        type: int64
                        default: 1
                    """);
            return withParameters.substring(0, withParameters.indexOf("  - id: check_sales"));
        });
    }

    /**
     * Per partition (day) of acme_mart.daily_sales: row count, versions, and a hash sum of every row, in day order.
     * Two runs that wrote the same rows give equal fingerprints; a partition half written by one run and half by
     * another, or cut short, gives a fingerprint no complete run has.
     */
    Map<String, List<String>> dailySalesFingerprints() {
        Map<String, List<String>> byDay = new TreeMap<>();
        for (List<String> row : query("SELECT CAST(order_date AS VARCHAR), count(*), min(version), max(version),"
                + " sum(hash(order_date, store_id, order_id, amount, version, n)) FROM acme_mart.daily_sales"
                + " GROUP BY order_date ORDER BY order_date")) {
            byDay.put(row.get(0), row.subList(1, row.size()));
        }
        return byDay;
    }

    /**
     * Asserts that every partition of acme_mart.daily_sales is whole: one version, and each order of its day in
     * acme_raw.orders exactly {@code fanout(version)} times with n = 1..fanout. Returns the version of each day.
     */
    Map<String, Long> assertDailySalesPartitionsWhole(LongUnaryOperator fanoutOfVersion) {
        Map<String, Long> orders = new TreeMap<>();
        for (List<String> row : query("SELECT CAST(order_date AS VARCHAR), count(*) FROM acme_raw.orders GROUP BY 1")) {
            orders.put(row.get(0), Long.parseLong(row.get(1)));
        }
        Map<String, Long> versions = new TreeMap<>();
        for (List<String> row : query("SELECT CAST(order_date AS VARCHAR), min(version), max(version), count(*),"
                + " count(DISTINCT (order_id, n)), sum(n) FROM acme_mart.daily_sales GROUP BY 1")) {
            String day = row.get(0);
            long version = Long.parseLong(row.get(1));
            long fanout = fanoutOfVersion.applyAsLong(version);
            long expectedRows = orders.getOrDefault(day, 0L) * fanout;
            assertThat(row.get(2)).as("one version in partition %s", day).isEqualTo(row.get(1));
            assertThat(Long.parseLong(row.get(3))).as("rows of partition %s (version %d)", day, version).isEqualTo(expectedRows);
            assertThat(Long.parseLong(row.get(4))).as("distinct rows of partition %s", day).isEqualTo(expectedRows);
            assertThat(new BigInteger(row.get(5))).as("sum of n in partition %s", day)
                    .isEqualTo(BigInteger.valueOf(orders.get(day) * (fanout * (fanout + 1) / 2)));
            versions.put(day, version);
        }
        return versions;
    }

    /** Starts {@code convergence ARGS...} in the workspace folder and returns at once. */
    CliProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a CLI lives for seconds: C1 only and the serial collector start faster and leave the cores to DuckDB
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx512m");
        command.add("-Dfile.encoding=UTF-8");
        command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.convergence.app.Main");
        command.addAll(List.of(args));
        int n = counter.incrementAndGet();
        String name = n + "-" + (args.length == 0 ? "gui" : args[0]);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("CONVERGENCE_") || key.equals("CI"));
        builder.environment().putAll(environment);
        CliProcess process = new CliProcess(List.of(args), builder.start(), out, err);
        started.add(process);
        return process;
    }

    /** Runs {@code convergence ARGS...} to the end. */
    CliProcess.Result run(String... args) throws IOException, InterruptedException {
        CliProcess process = start(args);
        int exitCode = process.await(RUN_TIMEOUT);
        return new CliProcess.Result(exitCode, process.out(), process.err(), process.transcript());
    }

    /** Runs a command that must exit 0 and print JSON, and parses it. */
    JsonNode json(String... args) throws IOException, InterruptedException {
        CliProcess.Result result = run(args);
        assertThat(result.exitCode()).as(result.transcript()).isZero();
        return JSON.readTree(result.out());
    }

    /** The run id a {@code run} command printed first. */
    static String runId(String output) {
        Matcher m = RUN_ID.matcher(output);
        if (!m.find()) {
            fail("no 'run ID of ...' line in:%n%s", output);
        }
        return m.group(1);
    }

    /** A run's detail as {@code runs show RUN_ID --format json} prints it. */
    JsonNode runDetail(String runId) throws IOException, InterruptedException {
        return json("runs", "show", runId, "--format", "json");
    }

    /** Latest state of a run in {@code runs --format json}, lower case as printed. */
    String runState(String runId) throws IOException, InterruptedException {
        for (JsonNode run : json("runs", "--format", "json", "--limit", "100").path("runs")) {
            if (run.path("run_id").asText().equals(runId)) {
                return run.path("state").asText();
            }
        }
        return fail("run %s is not in 'runs'", runId);
    }

    /**
     * Stops {@code process} with SIGSTOP, but never while it holds the write lock of the state database: a
     * stopped writer would keep every other process out of history and locks (the busy timeout is 30 s).
     */
    void pauseOutsideStateWrites(CliProcess process) throws InterruptedException {
        process.signal("-STOP");
        for (int i = 0; i < 100 && stateWriteLockHeld(); i++) {
            process.signal("-CONT");
            Thread.sleep(5);
            process.signal("-STOP");
        }
        assertThat(stateWriteLockHeld()).as("the stopped process holds the state database's write lock").isFalse();
    }

    /** True if some process holds SQLite's write lock on the state file right now. */
    boolean stateWriteLockHeld() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stateFile()); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
            try {
                s.execute("BEGIN IMMEDIATE");
            } catch (SQLException busy) {
                return true;
            }
            s.execute("ROLLBACK");
            return false;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open " + stateFile(), e);
        }
    }

    /** Every CLI started here that is still alive is killed (after a SIGCONT, in case it was stopped). */
    void killAll() {
        for (CliProcess p : started) {
            if (p.isAlive()) {
                p.signal("-CONT");
                p.signal("-KILL");
            }
        }
    }

    /**
     * Rows of a query on the warehouse, each cell as text ({@code null} for NULL). The file is opened read-only and
     * closed again, so call it only while no CLI is running here (DuckDB allows one writing process per file).
     */
    List<List<String>> query(String sql) {
        Properties properties = new Properties();
        properties.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile(), properties);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rows(rs);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on " + warehouseFile() + ": " + sql, e);
        }
    }

    /** Column names of a warehouse table in table order. */
    List<String> columns(String table) {
        Properties properties = new Properties();
        properties.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile(), properties);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table + " LIMIT 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                names.add(meta.getColumnName(i));
            }
            return names;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read columns of " + table, e);
        }
    }

    private static List<List<String>> rows(ResultSet rs) throws SQLException {
        int columns = rs.getMetaData().getColumnCount();
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>(columns);
            for (int i = 1; i <= columns; i++) {
                Object value = rs.getObject(i);
                row.add(value == null ? null : text(value));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String text(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        return value.toString();
    }
}
