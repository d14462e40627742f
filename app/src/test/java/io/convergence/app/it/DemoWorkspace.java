package io.convergence.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
import java.util.concurrent.atomic.AtomicInteger;
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
        Path source = repositoryRoot().resolve("configs");
        Path root = temp.resolve("workspace");
        copyTree(source, root);
        // a workspace that was run by hand before the copy would bring its warehouse and history along
        deleteTree(root.resolve(".convergence"));
        Path logs = Files.createDirectories(temp.resolve("logs"));
        return new DemoWorkspace(root, logs);
    }

    static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("configs")) && Files.isRegularFile(p.resolve("configs/workspace.yml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no configs/workspace.yml above " + cwd);
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

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
