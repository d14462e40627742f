package io.convergence.engine.bench;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.SourceMap;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.model.BadRows;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.steps.StepRunners;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Ingest benchmark harness, not a test: generates a CSV of N rows (about 70 bytes each), times DuckDB's
 * own {@code CREATE TABLE AS SELECT * FROM read_csv(...)} as the baseline, then the ingest runner on the
 * same file (schema enforced, quarantine on, a few bad rows), in one JVM, and prints the ratio and peak
 * RSS. Arguments: {@code rows [memory_limit [threads]] [--runner-only] [--typed-baseline]}, e.g.
 * {@code 10000000 2GB 2}; with {@code --runner-only} the baseline is skipped, so the peak RSS printed is the
 * runner's own; {@code --baseline-only} stops after the baseline (DuckDB's own peak RSS);
 * {@code --typed-baseline} also times DuckDB's reader given the schema's own column types, and DuckDB's fast
 * typed reading stored as those types without any check (the cost of the types alone); {@code --clean}
 * writes no bad row (the file every row of which loads: no reject is copied, no blank-record check runs);
 * {@code --rounds=N} alternates baseline and runner N times in one JVM and prints the median ratios.
 *
 * <p>{@code --workspace=DIR rows} instead writes a workspace with that file and an ingest pipeline
 * ({@code acme/bench}, write: replace) and exits, to measure the real CLI from the outside, e.g.
 * {@code /usr/bin/time -f %M java -Xmx256m -jar app/target/convergence.jar run acme/bench --workspace DIR}.
 */
public final class IngestBench {
    private static final String HEADER = "order_id,customer_id,status,amount,order_date,updated_at,note";
    private static final String[] STATUS = {"new", "paid", "shipped", "returned"};
    private static final long BAD_EVERY = 100_003;
    /** {@link #BAD_EVERY}, or never with {@code --clean}. */
    private static long badEvery = BAD_EVERY;

    private IngestBench() {
    }

    public static void main(String[] argv) throws Exception {
        boolean runnerOnly = List.of(argv).contains("--runner-only");
        boolean typedBaseline = List.of(argv).contains("--typed-baseline");
        boolean baselineOnly = List.of(argv).contains("--baseline-only");
        badEvery = List.of(argv).contains("--clean") ? Long.MAX_VALUE : BAD_EVERY;
        String[] args = Stream.of(argv).filter(a -> !a.startsWith("--")).toArray(String[]::new);
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000L;
        Optional<String> workspace = Stream.of(argv).filter(a -> a.startsWith("--workspace=")).map(a -> a.substring(12)).findFirst();
        if (workspace.isPresent()) {
            writeWorkspace(Path.of(workspace.get()), rows);
            return;
        }
        String memoryLimit = args.length > 1 ? args[1] : null;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int rounds = Stream.of(argv).filter(a -> a.startsWith("--rounds=")).map(a -> Integer.parseInt(a.substring(9))).findFirst().orElse(0);
        Path dir = Files.createTempDirectory("cvg-ingest-bench");
        try {
            if (rounds > 0) {
                rounds(dir, rows, memoryLimit, threads, rounds);
                return;
            }
            run(dir, rows, memoryLimit, threads, runnerOnly, typedBaseline, baselineOnly);
        } finally {
            deleteTree(dir);
        }
    }

    /** The CSV and schema file under {@code dir/tenants/acme/pipelines/bench}; returns the pipeline folder. */
    private static Path writeInputs(Path dir, long rows) throws IOException {
        Path pipelineDir = dir.resolve("tenants/acme/pipelines/bench");
        Files.createDirectories(pipelineDir.resolve("data"));
        Path csv = pipelineDir.resolve("data/orders.csv");
        long t0 = System.nanoTime();
        long bad = generate(csv, rows);
        long bytes = Files.size(csv);
        print("generated %,d rows (%,d bad), %.1f MB (%.1f bytes/row) in %.1f s", rows, bad, bytes / 1e6, (double) bytes / rows, secs(t0));
        Files.writeString(pipelineDir.resolve("schema.json"), """
                [{"name": "order_id", "type": "INT64", "mode": "REQUIRED"},
                 {"name": "customer_id", "type": "INT64", "mode": "REQUIRED"},
                 {"name": "status", "type": "STRING"},
                 {"name": "amount", "type": "NUMERIC"},
                 {"name": "order_date", "type": "DATE"},
                 {"name": "updated_at", "type": "TIMESTAMP"},
                 {"name": "note", "type": "STRING"}]
                """);
        return pipelineDir;
    }

    /** A complete workspace around the inputs: the local DuckDB target and a one-step ingest pipeline. */
    private static void writeWorkspace(Path dir, long rows) throws IOException {
        Path pipelineDir = writeInputs(dir, rows);
        Files.writeString(dir.resolve("workspace.yml"), """
                default_target: local
                targets:
                  local: { type: duckdb, path: .convergence/warehouse.duckdb }
                state:
                  path: .convergence/state.db
                """);
        Files.writeString(dir.resolve("tenants/acme/tenant.yml"), "id: acme\nlocation: US\n");
        Files.writeString(pipelineDir.resolve("pipeline.yml"), """
                id: bench
                steps:
                  - id: load
                    type: ingest
                    source: { uri: data/orders.csv, format: csv }
                    schema: schema.json
                    target: raw.orders
                    write: replace
                    bad_rows: { max: %d }
                """.formatted(rows));
        print("wrote workspace %s; run it: ./convergence run acme/bench --workspace %s", dir, dir);
    }

    private static void run(Path dir, long rows, String memoryLimit, int threads, boolean runnerOnly, boolean typedBaseline,
                            boolean baselineOnly) throws Exception {
        Path pipelineDir = writeInputs(dir, rows);
        Path csv = pipelineDir.resolve("data/orders.csv");

        // baseline: DuckDB alone, types sniffed, bad rows dropped, no quarantine
        Properties props = duckDb(memoryLimit, threads);
        long baselineRows = 0;
        double baseline = 0;
        if (!runnerOnly) {
            long t1 = System.nanoTime();
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("baseline.duckdb"), props);
                 Statement s = c.createStatement()) {
                s.execute(baselineSql(csv));
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                    baselineRows = rs.getLong(1);
                }
            }
            baseline = secs(t1);
            print("baseline  read_csv CTAS: %,d rows in %.2f s (%,.0f rows/s), VmHWM %s", baselineRows, baseline, baselineRows / baseline,
                    peakRss());
        }
        double typed = 0;
        if (typedBaseline) {
            // DuckDB alone with the schema's own types (NUMERIC is DECIMAL(38,9), TIMESTAMP has a zone), bad rows dropped
            long t = System.nanoTime();
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("typed.duckdb"), props);
                 Statement s = c.createStatement()) {
                s.execute("SET TimeZone = 'UTC'");
                s.execute("CREATE TABLE t AS SELECT * FROM read_csv('" + csv + "', header = true, auto_detect = false, ignore_errors = true,"
                        + " columns = {'order_id': 'BIGINT', 'customer_id': 'BIGINT', 'status': 'VARCHAR', 'amount': 'DECIMAL(38,9)',"
                        + " 'order_date': 'DATE', 'updated_at': 'TIMESTAMPTZ', 'note': 'VARCHAR'})");
            }
            typed = secs(t);
            print("baseline  typed read_csv CTAS (the schema's types): %.2f s, VmHWM %s", typed, peakRss());
            // the floor of storing the schema's types: DuckDB's fast readings (18-digit decimals, zone-less
            // timestamps) converted to DECIMAL(38,9) and TIMESTAMPTZ on insert, nothing checked, bad rows dropped
            long t4 = System.nanoTime();
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("stored.duckdb"), props);
                 Statement s = c.createStatement()) {
                s.execute("SET TimeZone = 'UTC'");
                s.execute("CREATE TABLE t (order_id BIGINT NOT NULL, customer_id BIGINT NOT NULL, status VARCHAR, amount DECIMAL(38,9),"
                        + " order_date DATE, updated_at TIMESTAMPTZ, note VARCHAR)");
                // explicit casts: with SELECT * DuckDB 1.4.4 takes 5x longer (55 s against 9 s at 10M rows)
                s.execute("INSERT INTO t SELECT order_id, customer_id, status, CAST(amount AS DECIMAL(38,9)), order_date,"
                        + " CAST(updated_at AS TIMESTAMPTZ), note FROM read_csv('" + csv + "', header = true, auto_detect = false, ignore_errors = true,"
                        + " columns = {'order_id': 'BIGINT', 'customer_id': 'BIGINT', 'status': 'VARCHAR', 'amount': 'DECIMAL(18,9)',"
                        + " 'order_date': 'DATE', 'updated_at': 'TIMESTAMP', 'note': 'VARCHAR'})");
            }
            print("baseline  fast typed read_csv stored as the schema's types, unchecked: %.2f s, VmHWM %s", secs(t4), peakRss());
        }
        if (baselineOnly) {
            return;
        }

        // the ingest runner: schema enforced in SQL, rejected rows to quarantine with line numbers
        IngestPipeline ingest = IngestPipeline.of(dir, pipelineDir, rows);
        StepResult first;
        StepResult second;
        double runner;
        double append;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), threads, memoryLimit)) {
            StepRunners runners = StepRunners.create(warehouse);
            long t2 = System.nanoTime();
            first = runners.runner().run(ingest.context("bench-1"));
            runner = secs(t2);
            print("runner    ingest step:   %,d rows loaded, %s quarantined in %.2f s (%,.0f rows/s), VmHWM %s (new table)",
                    first.rows(), first.details().get("rows_quarantined"), runner, rows / runner, peakRss());
            long t3 = System.nanoTime();
            second = runners.runner().run(ingest.context("bench-2"));
            append = secs(t3);
            print("runner    ingest step:   %,d rows loaded, %s quarantined in %.2f s (%,.0f rows/s), VmHWM %s (append to existing)",
                    second.rows(), second.details().get("rows_quarantined"), append, rows / append, peakRss());
        }
        if (!runnerOnly) {
            print("ratio runner/baseline: %.2f new table, %.2f append", runner / baseline, append / baseline);
            if (typedBaseline) {
                print("ratio runner/typed baseline: %.2f new table, %.2f append", runner / typed, append / typed);
            }
        }
        print("%s", settings(memoryLimit, threads));
    }

    /**
     * {@code --rounds=N}: the baseline and the runner (a new table, then an append to it) N times in one
     * JVM, the order alternating each round so that drift on a shared machine (other jobs, CPU frequency)
     * weighs on both sides alike; prints each round's ratios and their medians.
     */
    private static void rounds(Path dir, long rows, String memoryLimit, int threads, int rounds) throws Exception {
        Path pipelineDir = writeInputs(dir, rows);
        Path csv = pipelineDir.resolve("data/orders.csv");
        Properties props = duckDb(memoryLimit, threads);
        IngestPipeline ingest = IngestPipeline.of(dir, pipelineDir, rows);
        List<Double> newRatios = new java.util.ArrayList<>();
        List<Double> appendRatios = new java.util.ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double baseline = 0;
            double created = 0;
            double appended = 0;
            for (int side = 0; side < 2; side++) {
                boolean baselineNow = (side == 0) == (round % 2 == 1);
                if (baselineNow) {
                    Path db = dir.resolve("baseline-" + round + ".duckdb");
                    long t = System.nanoTime();
                    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db, props); Statement st = c.createStatement()) {
                        st.execute(baselineSql(csv));
                    }
                    baseline = secs(t);
                    Files.deleteIfExists(db);
                } else {
                    Path db = dir.resolve("warehouse-" + round + ".duckdb");
                    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(db, threads, memoryLimit)) {
                        StepRunners runners = StepRunners.create(warehouse);
                        long t = System.nanoTime();
                        runners.runner().run(ingest.context("bench-" + round + "-new"));
                        created = secs(t);
                        t = System.nanoTime();
                        runners.runner().run(ingest.context("bench-" + round + "-append"));
                        appended = secs(t);
                    }
                    Files.deleteIfExists(db);
                }
            }
            newRatios.add(created / baseline);
            appendRatios.add(appended / baseline);
            print("round %d (%s first): baseline %.2f s, runner new table %.2f s (%.2fx), append %.2f s (%.2fx)", round,
                    round % 2 == 1 ? "baseline" : "runner", baseline, created, created / baseline, appended, appended / baseline);
        }
        print("median of %d rounds: new table %.2fx, append %.2fx (runner / baseline); %s", rounds, median(newRatios),
                median(appendRatios), settings(memoryLimit, threads));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** DuckDB's connection settings for the baseline; opening a connection first loads the native library, so neither side pays for it. */
    private static Properties duckDb(String memoryLimit, int threads) throws java.sql.SQLException {
        Properties props = new Properties();
        if (memoryLimit != null) {
            props.setProperty("memory_limit", memoryLimit);
        }
        if (threads > 0) {
            props.setProperty("threads", Integer.toString(threads));
        }
        try (Connection warmup = DriverManager.getConnection("jdbc:duckdb:")) {
            warmup.createStatement().execute("SELECT 1");
        }
        return props;
    }

    /** The baseline. ignore_errors: DuckDB alone would stop at the first bad row; it drops them instead of quarantining. */
    private static String baselineSql(Path csv) {
        return "CREATE TABLE t AS SELECT * FROM read_csv('" + csv + "', ignore_errors = true)";
    }

    private static String settings(String memoryLimit, int threads) {
        return String.format(Locale.ROOT, "heap max %d MB, DuckDB threads %s, memory_limit %s", Runtime.getRuntime().maxMemory() >> 20,
                threads > 0 ? threads : "auto", memoryLimit == null ? "default" : memoryLimit);
    }

    /** The one-step ingest pipeline the runner is timed on (appending, so a second run appends to the first's table). */
    private record IngestPipeline(LoadedTenant tenant, LoadedPipeline pipeline, IngestStep step) {
        static IngestPipeline of(Path dir, Path pipelineDir, long rows) {
            TenantConfig tenant = new TenantConfig("acme", null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null);
            IngestStep step = new IngestStep("load", null, List.of(), 0, null, new Source("data/orders.csv", FileFormat.CSV, true, ",", 0),
                    "schema.json", "raw.orders", WriteMode.APPEND, new BadRows(rows, null));
            Pipeline pipeline = new Pipeline("bench", null, Map.of(), null, 1, null, List.of(step));
            LoadedPipeline loaded = new LoadedPipeline("acme", pipelineDir.resolve("pipeline.yml"), pipeline, SourceMap.empty(pipelineDir));
            return new IngestPipeline(new LoadedTenant(dir.resolve("tenants/acme"), tenant, SourceMap.empty(dir), List.of(loaded)), loaded, step);
        }

        StepContext context(String runId) {
            return new StepContext(runId, tenant, pipeline, step, Optional.empty(), Map.of(), 1, new CancellationToken(), event -> { },
                    Clock.systemUTC());
        }
    }

    /** Writes the CSV; every {@link #badEvery}-th row has a non-numeric amount. Returns the bad row count. */
    private static long generate(Path csv, long rows) throws IOException {
        long bad = 0;
        try (BufferedWriter w = Files.newBufferedWriter(csv, java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW)) {
            w.write(HEADER);
            w.write('\n');
            StringBuilder line = new StringBuilder(96);
            for (long i = 1; i <= rows; i++) {
                line.setLength(0);
                int day = (int) (i % 28) + 1;
                line.append(i).append(',').append(i % 99_991).append(',').append(STATUS[(int) (i % STATUS.length)]).append(',');
                if (i % badEvery == 0) {
                    line.append("n/a");
                    bad++;
                } else {
                    line.append(i % 10_000).append('.').append(i % 100 < 10 ? "0" : "").append(i % 100);
                }
                line.append(",2024-03-").append(day < 10 ? "0" : "").append(day)
                        .append(",2024-03-").append(day < 10 ? "0" : "").append(day).append(" 10:").append(i % 50 + 10).append(":00")
                        .append(",note ").append(Long.toHexString(i * 2654435761L & 0xffffff)).append('\n');
                w.append(line);
            }
        }
        return bad;
    }

    private static String peakRss() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
