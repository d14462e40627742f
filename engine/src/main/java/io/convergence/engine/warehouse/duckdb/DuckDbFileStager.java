package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import io.convergence.engine.warehouse.BigQueryTypes;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.StagingColumns;
import io.convergence.engine.warehouse.TableId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads CSV, NDJSON and Parquet files into a staging table beside the target, with the schema enforced
 * in SQL: every value is read as text (CSV, NDJSON) or as stored (Parquet), converted with TRY_CAST-style
 * expressions, and a row whose non-null value did not convert, whose REQUIRED column is null, or whose
 * line could not be parsed gets a reason instead of being dropped. DuckDB streams the files; no row
 * passes through Java.
 *
 * <p>Two tables: the staging table holds the schema's columns and one more, {@code _cvg_reject}, null for
 * good rows and for a rejected row a JSON object with its reason, raw text and (Parquet) line; the
 * rejects table holds every rejected record as {@code _cvg_file}, {@code _cvg_line}, {@code _cvg_reason},
 * {@code _cvg_raw}. After each file its rejected rows are copied to the rejects table, and once all files
 * are read they leave the staging table, which then holds exactly the rows to load. One bookkeeping
 * column rather than four: DuckDB pays for every stored column on every row, null or not (about 0.3 s
 * per column at 10M rows), and only the rejected rows need this information.
 *
 * <p>Files (CSV, NDJSON, Parquet) are first staged on the assumption that every row they parse passes
 * the schema (the usual case): the staging table holds only the schema's columns and the insert stops at
 * the first row that fails; only then are the files staged again classifying every row as above. An
 * append to an existing table takes the same strict insert straight into the target
 * ({@link #stageForAppend}).
 *
 * <p>Line numbers: DuckDB's CSV reject table numbers records (header, skipped and blank lines count; a
 * quoted newline does not). Rows rejected after parsing get the same numbering from their position in
 * the staging table (insertion order is file order) plus the records DuckDB skipped before them.
 */
final class DuckDbFileStager {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbFileStager.class);
    static final String FILE = "_cvg_file";
    static final String LINE = "_cvg_line";
    static final String REASON = "_cvg_reason";
    static final String RAW = "_cvg_raw";
    /** The staging table's bookkeeping column: null for a good row, JSON for a rejected one. */
    static final String REJECT = "_cvg_reject";
    /** Reason of blank NDJSON lines: rows kept only to number lines, deleted before counting. */
    private static final String BLANK = "\u0001blank";
    private static final int RAW_LIMIT = 10_000;
    private static final int VALUE_PREVIEW = 60;
    private static final AtomicLong TEMP_IDS = new AtomicLong();

    private DuckDbFileStager() {
    }

    static StagedLoad stage(DuckDbWarehouse warehouse, FileLoad load, CancellationToken cancellation) {
        validate(load);
        return stageStrict(warehouse, load, cancellation).orElseGet(() -> stageClassified(warehouse, load, cancellation));
    }

    /**
     * Files to append to their target: straight into it when it exists and every parsed row passes
     * ({@link #appendDirectly}), else staged. When the direct append met a failing row, the files are
     * classified at once: a strict staging would only stop at that row again.
     */
    static StagedLoad stageForAppend(DuckDbWarehouse warehouse, FileLoad load, Quarantine quarantine, CancellationToken cancellation) {
        validate(load);
        if (!warehouse.tableExists(load.target())) {
            return stage(warehouse, load, cancellation);
        }
        return appendDirectly(warehouse, load, quarantine, cancellation).orElseGet(() -> stageClassified(warehouse, load, cancellation));
    }

    /** Stages the files classifying every row: good rows and rejected ones with reason, raw text and line. */
    private static StagedLoad stageClassified(DuckDbWarehouse warehouse, FileLoad load, CancellationToken cancellation) {
        TableId staging = warehouse.newStagingTable(load.target());
        TableId rejects = warehouse.newStagingTable(load.target());
        warehouse.ensureDataset(staging.dataset());
        try (DuckDbSession s = warehouse.session("reading files into " + load.target(), cancellation)) {
            try {
                s.update(createStaging(warehouse, staging, load.schema(), true));
                s.update(createRejects(warehouse, rejects));
                Tables tables = new Tables(warehouse, staging, rejects);
                long typedRejected = 0;
                for (Path file : load.files()) {
                    cancellation.throwIfCancelled();
                    switch (load.source().format()) {
                        case CSV:
                        case NDJSON:
                            typedRejected += stageLines(s, tables, load, file);
                            break;
                        case PARQUET:
                            typedRejected += stageParquet(s, tables, load, file);
                            break;
                        default:
                            throw new IllegalStateException("unknown format " + load.source().format());
                    }
                }
                if (typedRejected > 0) {
                    s.update("DELETE FROM " + warehouse.quote(staging) + " WHERE " + REJECT + " IS NOT NULL");
                }
                s.update(new BoundSql("DELETE FROM " + warehouse.quote(rejects) + " WHERE " + REASON + " = ?",
                        List.of(new ParameterValue(ParameterType.STRING, BLANK))));
                long good = warehouse.rowCount(s, staging);
                long rejected = warehouse.rowCount(s, rejects);
                LOG.debug("staged {} records ({} rejected) from {} files into {}", good + rejected, rejected, load.files().size(), staging);
                return new DuckDbStagedLoad(warehouse, staging, rejects, load.schema(), good + rejected, rejected);
            } catch (RuntimeException e) {
                warehouse.dropQuietly(staging);
                warehouse.dropQuietly(rejects);
                throw e;
            }
        }
    }

    /**
     * Appends files straight to the existing target inside a transaction that the returned load holds
     * open until it publishes: no staging table and no copy, which is most of an append's cost. Only for
     * files whose every parsed row passes the schema: the insert stops at the first row that does not (an
     * {@code error()} in its filter), everything is rolled back and empty is returned, and the caller stages
     * the files as usual, having lost the part read before that row. Records the reader cannot parse are
     * kept with their lines, as when staging. {@code quarantine}'s table is created here, before the
     * transaction, which could not see it otherwise.
     */
    private static Optional<StagedLoad> appendDirectly(DuckDbWarehouse warehouse, FileLoad load, Quarantine quarantine,
                                                       CancellationToken cancellation) {
        TableId rejects = warehouse.newStagingTable(load.target());
        DuckDbSession s = warehouse.session("appending files to " + load.target(), cancellation);
        boolean handedOver = false;
        try {
            DuckDbStagedLoad.prepareQuarantine(warehouse, s, quarantine);
            s.update(createRejects(warehouse, rejects));
            s.begin();
            long inserted = insertStrict(s, warehouse, load.target(), load, rejects, cancellation);
            long rejected = warehouse.rowCount(s, rejects);
            DuckDbDirectAppend direct = new DuckDbDirectAppend(warehouse, s, load, quarantine, rejects, inserted + rejected, rejected);
            handedOver = true;
            return Optional.of(direct);
        } catch (ConvergenceException e) {
            return notStrict(load, e, cancellation);
        } finally {
            if (!handedOver) {
                s.close(); // rolls back
                warehouse.dropQuietly(rejects);
            }
        }
    }

    private static String createRejects(DuckDbWarehouse warehouse, TableId rejects) {
        return "CREATE TABLE " + warehouse.quote(rejects) + " (" + FILE + " VARCHAR, " + LINE + " BIGINT, " + REASON + " VARCHAR, "
                + RAW + " VARCHAR)";
    }

    /**
     * Files whose rows all pass the schema, staged without bookkeeping: the staging table holds only the
     * schema's columns, the insert stops at the first row that fails the schema (an {@code error()} in its
     * filter), and records the reader cannot parse go to the rejects table with the lines DuckDB gives them,
     * so neither a reject column (paid on every row) nor a blank-line scan is needed. Empty when a row fails
     * (or anything else goes wrong): the caller then stages the files classifying every row, having lost the
     * part read before that row; a real error shows again there.
     */
    private static Optional<StagedLoad> stageStrict(DuckDbWarehouse warehouse, FileLoad load, CancellationToken cancellation) {
        TableId staging = warehouse.newStagingTable(load.target());
        TableId rejects = warehouse.newStagingTable(load.target());
        warehouse.ensureDataset(staging.dataset());
        boolean staged = false;
        try (DuckDbSession s = warehouse.session("reading files into " + load.target(), cancellation)) {
            s.update(createStaging(warehouse, staging, load.schema(), false));
            s.update(createRejects(warehouse, rejects));
            long inserted = insertStrict(s, warehouse, staging, load, rejects, cancellation);
            long rejected = warehouse.rowCount(s, rejects);
            staged = true;
            return Optional.of(new DuckDbStagedLoad(warehouse, staging, rejects, load.schema(), inserted + rejected, rejected));
        } catch (ConvergenceException e) {
            return notStrict(load, e, cancellation);
        } finally {
            if (!staged) {
                warehouse.dropQuietly(staging);
                warehouse.dropQuietly(rejects);
            }
        }
    }

    /**
     * Inserts every file's rows into {@code destination}, stopping at the first row that fails the schema;
     * records the reader could not parse go to {@code rejects}. Returns the rows inserted.
     */
    private static long insertStrict(DuckDbSession s, DuckDbWarehouse warehouse, TableId destination, FileLoad load, TableId rejects,
                                     CancellationToken cancellation) {
        long inserted = 0;
        for (Path file : load.files()) {
            cancellation.throwIfCancelled();
            inserted += insertStrictFile(s, warehouse.quote(destination), load, file, warehouse.quote(rejects));
        }
        LOG.debug("inserted {} rows from {} files into {}, every parsed row passing", inserted, load.files().size(), destination);
        return inserted;
    }

    /**
     * Why a strict reading gave up: a row failed the schema, or something else went wrong, which the
     * classified reading the caller does next will meet and report again. Cancellation is not retried.
     */
    private static Optional<StagedLoad> notStrict(FileLoad load, ConvergenceException e, CancellationToken cancellation) {
        if (cancellation.isCancelled()) {
            throw e;
        }
        LOG.debug("{}: not every row passes the schema ({}); classifying the rows one by one", load.target(), e.getMessage());
        return Optional.empty();
    }

    /**
     * Inserts one file's rows into {@code destination} (the schema's columns, by name); fails at the first
     * row that does not pass the schema (blank NDJSON lines are skipped, as when classifying). Records the
     * reader cannot parse go to {@code rejectsSql}. Returns the rows inserted.
     */
    private static long insertStrictFile(DuckDbSession s, String destination, FileLoad load, Path file, String rejectsSql) {
        List<SchemaField> schema = load.schema();
        Reading r = reading(s, load, file);
        String insert = "INSERT INTO " + destination + " (" + DuckDbTypes.columnList(schema) + ") SELECT " + convertedValues(schema) + " FROM ("
                + classified(schema, r.sources(), r.typed(), r.rowReason(), r.line(), r.from()) + ") WHERE CASE WHEN _cvg_r IS NULL THEN true"
                + " WHEN _cvg_r = '" + BLANK + "' THEN false ELSE error('row rejected: ' || _cvg_r) END";
        long inserted;
        try {
            inserted = s.update(new BoundSql(insert, r.fromParameters()));
            copyUnparsed(s, rejectsSql, r, string(file.toString()));
        } catch (ConvergenceException e) {
            try {
                r.dropTemporaryTables(s);
            } catch (ConvergenceException dropFailed) {
                // inside a transaction the failed insert aborted it: DuckDB refuses the drop, and the rollback drops them
                e.addSuppressed(dropFailed);
            }
            throw e;
        }
        r.dropTemporaryTables(s);
        return inserted;
    }

    /** The load's two tables: rows to load (and, until the end, rejected ones) and every rejected record. */
    private record Tables(DuckDbWarehouse warehouse, TableId staging, TableId rejects) {
        String stagingSql() {
            return warehouse.quote(staging);
        }

        String rejectsSql() {
            return warehouse.quote(rejects);
        }
    }

    private static void validate(FileLoad load) {
        StagingColumns.check(load.schema());
        for (SchemaField f : load.schema()) {
            DuckDbTypes.quote(f.name());
            boolean nested = "STRUCT".equals(BigQueryTypes.normalize(f.type())) || "REPEATED".equalsIgnoreCase(f.mode());
            if (nested && load.source().format() == FileFormat.CSV) {
                throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, "column '" + f.name()
                        + "' is RECORD or REPEATED, which CSV cannot hold (as in BigQuery); use NDJSON or Parquet");
            }
            DuckDbTypes.of(f); // unsupported types fail here, before any file is read
        }
        String delimiter = load.source().delimiter();
        if (load.source().format() == FileFormat.CSV && (delimiter.isEmpty() || delimiter.length() > 4
                || delimiter.contains("\"") || delimiter.contains("\n") || delimiter.contains("\r"))) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                    "CSV delimiter '" + delimiter + "' must be 1 to 4 characters, not a quote or a line break");
        }
    }

    private static String createStaging(DuckDbWarehouse warehouse, TableId staging, List<SchemaField> schema, boolean withReject) {
        return "CREATE TABLE " + warehouse.quote(staging) + " (" + DuckDbTypes.columnDefinitions(schema, false)
                + (withReject ? ", " + REJECT + " VARCHAR)" : ")");
    }

    // ---- CSV ----

    /**
     * Stages one CSV or NDJSON file; returns how many of its rows were rejected after parsing (for NDJSON,
     * blank lines too: they are kept as rows with the {@link #BLANK} reason, so positions count them, while
     * DuckDB's CSV reader skips blank records and they must be found in the file).
     */
    private static long stageLines(DuckDbSession s, Tables tables, FileLoad load, Path file) {
        Source source = load.source();
        boolean csv = source.format() == FileFormat.CSV;
        long base = tables.warehouse().rowCount(s, tables.staging());
        long firstDataLine = csv ? source.skipLines() + (source.header() ? 1 : 0) + 1L : 1L;
        Reading r = reading(s, load, file);
        ParameterValue path = string(file.toString());
        long inserted = s.update(r.insertInto(tables, load.schema()));
        try {
            long rejectsBase = tables.warehouse().rowCount(s, tables.rejects());
            long typedRejected = copyRejected(s, tables, base, inserted, path, false);
            if (typedRejected > 0) {
                List<Long> blanks = List.of();
                // a one-column CSV reads a blank record as a row of one null, like any other
                if (csv && load.schema().size() > 1) {
                    long lastRow = s.longValue(new BoundSql("SELECT max(" + LINE + ") FROM " + tables.rejectsSql() + " WHERE rowid >= ?",
                            List.of(int64(rejectsBase))));
                    long unparsed = s.longValue(BoundSql.of("SELECT count(DISTINCT line) FROM " + r.unparsed()));
                    blanks = CsvBlankLines.findBefore(file, firstDataLine, lastRow, unparsed);
                }
                numberLines(s, tables, rejectsBase, firstDataLine, r.unparsed(), blanks);
            }
            copyUnparsed(s, tables.rejectsSql(), r, path);
            return typedRejected;
        } finally {
            r.dropTemporaryTables(s);
        }
    }

    /**
     * Copies the records DuckDB's reader could not parse (its reject table {@code unparsed}) to the rejects
     * table, one per line. DuckDB's text of a record that follows a blank line starts with that line's break,
     * which is dropped (a record's own text cannot start with one outside quotes).
     */
    private static void copyUnparsed(DuckDbSession s, String rejectsSql, Reading reading, ParameterValue path) {
        if (reading.unparsed() == null) {
            return;
        }
        s.update(new BoundSql("INSERT INTO " + rejectsSql + " (" + FILE + ", " + LINE + ", " + REASON + ", " + RAW + ")"
                + " SELECT ?, line, " + reading.unparsedReason() + ", left(ltrim(first(csv_line), chr(13) || chr(10)), " + RAW_LIMIT + ")"
                + " FROM " + reading.unparsed() + " GROUP BY line", List.of(path)));
    }

    /**
     * How one file is read, for either way of inserting it: per schema column the source expression and its
     * conversion, a row-level reason tried first ({@code rowReason}, a CASE without its ELSE, or null), the
     * raw record text and line number kept for a rejected row, the relation read ({@code from}), and the
     * reader's own reject table ({@code unparsed}, with {@code scans}) and how its reasons read, when the
     * reader keeps one. Parameters: {@code rawParameters} for {@code raw}, then {@code fromParameters}.
     */
    private record Reading(List<String> sources, List<String> typed, String rowReason, String raw, List<ParameterValue> rawParameters,
                           String line, String from, List<ParameterValue> fromParameters, String unparsed, String scans,
                           String unparsedReason) {
        /** The classifying insert into the staging table. */
        BoundSql insertInto(Tables tables, List<SchemaField> schema) {
            List<ParameterValue> parameters = new ArrayList<>(rawParameters);
            parameters.addAll(fromParameters);
            return new BoundSql(insertSelect(tables, schema, sources, typed, rowReason, raw, line, from), parameters);
        }

        void dropTemporaryTables(DuckDbSession s) {
            if (unparsed != null) {
                s.update("DROP TABLE IF EXISTS " + unparsed);
                s.update("DROP TABLE IF EXISTS " + scans);
            }
        }
    }

    /** How {@code file} is read; for CSV the header is checked first, for Parquet the file's columns are looked up. */
    private static Reading reading(DuckDbSession s, FileLoad load, Path file) {
        switch (load.source().format()) {
            case CSV:
                return csvReading(load, file);
            case NDJSON:
                return ndjsonReading(load, file);
            case PARQUET:
                return parquetReading(s, load, file);
            default:
                throw new IllegalStateException("unknown format " + load.source().format());
        }
    }

    /**
     * A CSV file: every column read as text ({@code c0}, {@code c1}, ...) by a {@code read_csv} that keeps
     * the records it cannot parse; a rejected record's raw text is its values joined again.
     */
    private static Reading csvReading(FileLoad load, Path file) {
        Source source = load.source();
        List<SchemaField> schema = load.schema();
        if (source.header()) {
            checkHeader(file, source, schema);
        }
        long id = TEMP_IDS.incrementAndGet();
        String unparsed = "_cvg_rejects_" + id;
        String scans = "_cvg_scans_" + id;
        StringBuilder columns = new StringBuilder("{");
        List<String> text = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        for (int i = 0; i < schema.size(); i++) {
            columns.append(i == 0 ? "" : ", ").append("'c").append(i).append("': 'VARCHAR'");
            text.add("c" + i);
            typed.add(convertText("c" + i, schema.get(i)));
        }
        columns.append('}');
        String read = "read_csv(?, columns = " + columns + ", header = " + source.header() + ", skip = " + source.skipLines()
                + ", delim = ?, quote = '\"', escape = '\"', auto_detect = false, store_rejects = true"
                + ", rejects_table = '" + unparsed + "', rejects_scan = '" + scans + "')";
        String rawRecord = "concat_ws(?, " + String.join(", ", text.stream().map(c -> "coalesce(" + c + ", '')").toList()) + ")";
        ParameterValue delimiter = string(source.delimiter());
        return new Reading(text, typed, null, rawRecord, List.of(delimiter), "NULL", read, List.of(string(file.toString()), delimiter),
                unparsed, scans, "string_agg(DISTINCT lower(CAST(error_type AS VARCHAR)) || ': ' || error_message, '; ')");
    }

    /**
     * Copies the rejected rows among one file's staged rows ({@code [base, base + count)} in the staging
     * table) to the rejects table, in file order. Their line is the one the JSON carries ({@code ownLine},
     * Parquet) or, for now, their position among the file's rows, which {@link #numberLines} turns into a
     * line. Returns how many there were.
     */
    private static long copyRejected(DuckDbSession s, Tables tables, long base, long count, ParameterValue path, boolean ownLine) {
        String line = ownLine ? "CAST(json_extract_string(" + REJECT + ", '$.line') AS BIGINT)" : "rowid - " + base;
        return s.update(new BoundSql("INSERT INTO " + tables.rejectsSql() + " (" + FILE + ", " + LINE + ", " + REASON + ", " + RAW + ")"
                + " SELECT ?, " + line + ", json_extract_string(" + REJECT + ", '$.reason'), json_extract_string(" + REJECT + ", '$.raw')"
                + " FROM " + tables.stagingSql() + " WHERE rowid >= ? AND rowid < ? AND " + REJECT + " IS NOT NULL ORDER BY rowid",
                List.of(path, int64(base), int64(base + count))));
    }

    /**
     * CSV columns load by position, as in BigQuery, so a header naming the schema's columns in another
     * order means every value would land in the wrong column (or fail its type): that is refused before
     * anything is read. A header with other names is allowed (it may rename by position) but logged.
     */
    private static void checkHeader(Path file, Source source, List<SchemaField> schema) {
        List<String> header = CsvHeader.read(file, source.skipLines(), source.delimiter());
        if (header == null) {
            return;
        }
        List<String> expected = schema.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).toList();
        List<String> actual = header.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        if (actual.equals(expected)) {
            return;
        }
        long line = source.skipLines() + 1L;
        if (actual.size() == expected.size() && new HashSet<>(actual).equals(new HashSet<>(expected))) {
            throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, file + ":" + line + ": the header names the schema's columns in"
                    + " another order (file: " + String.join(", ", header) + "; schema: " + String.join(", ", schema.stream()
                    .map(SchemaField::name).toList()) + "). CSV columns load by position, as in BigQuery: put the schema file's"
                    + " columns in the file's order");
        }
        LOG.warn("{}:{}: header ({}) differs from the schema's column names; columns load by position", file, line, String.join(", ", header));
    }

    /**
     * Gives one file's rows in the rejects table (from rowid {@code rejectsBase}, each holding its position
     * n among the rows read) their line: the n-th row read sits on line {@code firstDataLine + n} plus every
     * skipped record (blank, or rejected by the reader) before it. With skipped lines s_0 < s_1 < ..., s_k
     * lies before row n exactly when {@code s_k - k <= firstDataLine + n}.
     */
    private static void numberLines(DuckDbSession s, Tables tables, long rejectsBase, long firstDataLine, String rejectsTable,
                                    List<Long> blanks) {
        String gaps = "_cvg_gaps_" + TEMP_IDS.incrementAndGet();
        try {
            s.update("CREATE TEMP TABLE " + gaps + " (line BIGINT)");
            if (rejectsTable != null) {
                s.update("INSERT INTO " + gaps + " SELECT DISTINCT line FROM " + rejectsTable);
            }
            for (int from = 0; from < blanks.size(); from += 500) {
                List<Long> chunk = blanks.subList(from, Math.min(blanks.size(), from + 500));
                StringBuilder values = new StringBuilder();
                List<ParameterValue> params = new ArrayList<>();
                for (Long line : chunk) {
                    values.append(values.length() == 0 ? "(?)" : ", (?)");
                    params.add(int64(line));
                }
                s.update(new BoundSql("INSERT INTO " + gaps + " VALUES " + values, params));
            }
            String shifted = "(SELECT line - (row_number() OVER (ORDER BY line) - 1) AS g FROM (SELECT DISTINCT line FROM " + gaps + "))";
            String t = tables.rejectsSql();
            s.update(new BoundSql("UPDATE " + t + " SET " + LINE + " = ? + " + LINE + " + (SELECT count(*) FROM " + shifted
                    + " x WHERE x.g <= ? + " + t + "." + LINE + ") WHERE rowid >= ?",
                    List.of(int64(firstDataLine), int64(firstDataLine), int64(rejectsBase))));
        } finally {
            s.update("DROP TABLE IF EXISTS " + gaps);
        }
    }

    // ---- NDJSON ----

    /**
     * An NDJSON file: one line per row, read as text (no quoting, a delimiter JSON text does not contain
     * unescaped), parsed as JSON; scalar fields extracted as text and converted, nested ones cast. A blank
     * line gets the {@link #BLANK} reason (kept only to number lines), a line that is not a JSON object its own.
     */
    private static Reading ndjsonReading(FileLoad load, Path file) {
        List<SchemaField> schema = load.schema();
        long id = TEMP_IDS.incrementAndGet();
        String unparsed = "_cvg_rejects_" + id;
        String scans = "_cvg_scans_" + id;
        String read = "read_csv(?, columns = {'l': 'VARCHAR'}, header = false, delim = ?, quote = '', escape = '',"
                + " auto_detect = false, store_rejects = true, rejects_table = '" + unparsed + "', rejects_scan = '" + scans + "')";
        StringBuilder paths = new StringBuilder("[");
        List<String> text = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        int scalarIndex = 0;
        for (SchemaField f : schema) {
            String key = "'$.\"" + f.name() + "\"'";
            if (isNested(f)) {
                sources.add("json_extract(j, " + key + ")");
                text.add(null);
            } else {
                paths.append(scalarIndex == 0 ? "" : ", ").append(key);
                scalarIndex++;
                text.add("x[" + scalarIndex + "]");
                sources.add(null);
            }
        }
        paths.append(']');
        String lines = "(SELECT l, j, " + (scalarIndex > 0 ? "json_extract_string(j, " + paths + ")" : "NULL") + " AS x FROM "
                + "(SELECT l, CASE WHEN json_valid(l) THEN CAST(l AS JSON) END AS j FROM " + read + "))";
        List<String> values = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        for (int i = 0; i < schema.size(); i++) {
            SchemaField f = schema.get(i);
            if (text.get(i) != null) {
                values.add(text.get(i));
                typed.add(convertText(text.get(i), f));
            } else {
                String src = sources.get(i);
                String value = "CASE WHEN json_type(" + src + ") <> 'NULL' THEN " + src + " END";
                values.add(value);
                typed.add("TRY_CAST(" + value + " AS " + DuckDbTypes.of(f) + ")");
            }
        }
        String rowReason = "CASE WHEN l IS NULL OR trim(l) = '' THEN '" + BLANK + "'"
                + " WHEN j IS NULL THEN 'not valid JSON'"
                + " WHEN json_type(j) <> 'OBJECT' THEN 'not a JSON object'";
        return new Reading(values, typed, rowReason, "l", List.of(), "NULL", lines, List.of(string(file.toString()), string("\u0001")),
                unparsed, scans, "'unreadable line: ' || string_agg(DISTINCT lower(CAST(error_type AS VARCHAR)), '; ')");
    }

    /** Stages one Parquet file; returns how many of its rows were rejected. */
    private static long stageParquet(DuckDbSession s, Tables tables, FileLoad load, Path file) {
        long base = tables.warehouse().rowCount(s, tables.staging());
        long inserted = s.update(parquetReading(s, load, file).insertInto(tables, load.schema()));
        return copyRejected(s, tables, base, inserted, string(file.toString()), true);
    }

    /**
     * A Parquet file: columns matched to the schema by name, whatever their order; text columns converted
     * like CSV values, typed ones cast. A rejected row's raw text is its record as JSON, its line its row
     * number in the file plus one.
     */
    private static Reading parquetReading(DuckDbSession s, FileLoad load, Path file) {
        ParameterValue path = string(file.toString());
        QueryResult described = s.query(new BoundSql("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                List.of(path)), Integer.MAX_VALUE);
        List<String> fileColumns = new ArrayList<>();
        List<String> fileTypes = new ArrayList<>();
        for (List<Object> row : described.rows()) {
            fileColumns.add((String) row.get(0));
            fileTypes.add(((String) row.get(1)).toUpperCase(Locale.ROOT));
        }
        List<String> sources = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        List<String> missingRequired = new ArrayList<>();
        for (SchemaField f : load.schema()) {
            int at = indexOfIgnoreCase(fileColumns, f.name());
            if (at < 0) {
                sources.add("NULL");
                typed.add("CAST(NULL AS " + DuckDbTypes.of(f) + ")");
                if (f.required()) {
                    missingRequired.add(f.name() + ": REQUIRED column is missing from the file");
                }
                continue;
            }
            String src = "p." + quoteAny(fileColumns.get(at));
            sources.add(src);
            typed.add(fileTypes.get(at).equals("VARCHAR") && !isNested(f)
                    ? convertText(src, f) : "TRY_CAST(" + src + " AS " + DuckDbTypes.of(f) + ")");
        }
        // a REQUIRED column the file lacks fails every row, with that reason rather than a null per row
        String rowReason = missingRequired.isEmpty() ? null
                : "CASE WHEN TRUE THEN '" + String.join("; ", missingRequired).replace("'", "''") + "'";
        StringBuilder struct = new StringBuilder("struct_pack(");
        for (int i = 0; i < fileColumns.size(); i++) {
            struct.append(i == 0 ? "" : ", ").append(quoteAny(fileColumns.get(i))).append(" := ").append(quoteAny(fileColumns.get(i)));
        }
        struct.append(')');
        String raw = fileColumns.isEmpty() ? "NULL" : "CAST(to_json(" + struct + ") AS VARCHAR)";
        return new Reading(sources, typed, rowReason, raw, List.of(), "p.file_row_number + 1", "read_parquet(?, file_row_number = true) AS p",
                List.of(path), null, null, null);
    }

    // ---- shared SQL ----

    /**
     * {@code INSERT INTO staging SELECT typed..., reject FROM (...)} in three layers, so that every
     * conversion runs once per value: the inner query converts ({@code _cvg_v<i>}) and names the source
     * values ({@code _cvg_s<i>}); the middle one explains a row only when one of its values failed (a cheap
     * null test decides; reason text is built for rejected rows alone); the outer one builds the reject
     * JSON (reason, raw text, line) only for rejected rows (DuckDB evaluates a CASE branch only for the
     * rows that take it).
     * {@code rowReason}, when given, is a CASE of row-level failures tried before the columns'; it and
     * {@code raw} may use the source's own columns, which the inner query passes through.
     */
    private static String insertSelect(Tables tables, List<SchemaField> schema, List<String> sources, List<String> typed,
                                       String rowReason, String raw, String line, String from) {
        return "INSERT INTO " + tables.stagingSql() + " SELECT " + convertedValues(schema)
                + ", CASE WHEN _cvg_r IS NOT NULL THEN CAST(json_object('reason', _cvg_r, 'raw', left(" + raw + ", " + RAW_LIMIT
                + "), 'line', _cvg_n) AS VARCHAR) END FROM (" + classified(schema, sources, typed, rowReason, line, from) + ")";
    }

    /** The converted values {@link #classified} names, in schema order: {@code _cvg_v0, _cvg_v1, ...}. */
    private static String convertedValues(List<SchemaField> schema) {
        return String.join(", ", IntStream.range(0, schema.size()).mapToObj(i -> "_cvg_v" + i).toList());
    }

    /**
     * The inner two layers of {@link #insertSelect}: every row of {@code from} with its converted values
     * ({@code _cvg_v<i>}), source values ({@code _cvg_s<i>}), line ({@code _cvg_n}), the source's own columns,
     * and {@code _cvg_r}: null for a row that passes the schema, else why it does not.
     */
    private static String classified(List<SchemaField> schema, List<String> sources, List<String> typed, String rowReason,
                                     String line, String from) {
        StringBuilder inner = new StringBuilder("SELECT ");
        List<String> failed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < schema.size(); i++) {
            String source = "_cvg_s" + i;
            String value = "_cvg_v" + i;
            inner.append(typed.get(i)).append(" AS ").append(value).append(", ").append(sources.get(i)).append(" AS ").append(source).append(", ");
            columnFailure(schema.get(i), source, value, !sources.get(i).equals(typed.get(i)), failed, reasons);
        }
        inner.append(line).append(" AS _cvg_n, * FROM ").append(from);
        String columns = failed.isEmpty() ? "CAST(NULL AS VARCHAR)"
                : "CASE WHEN " + String.join(" OR ", failed) + " THEN concat_ws('; ', " + String.join(", ", reasons) + ") END";
        String reason = rowReason == null ? columns : rowReason + " ELSE " + columns + " END";
        return "SELECT *, " + reason + " AS _cvg_r FROM (" + inner + ")";
    }

    /**
     * How a column fails: a REQUIRED value is null, or a non-null source did not convert. Adds the failure
     * test to {@code failed} and the explaining CASE to {@code reasons}; nothing for a column that cannot fail.
     */
    private static void columnFailure(SchemaField field, String source, String value, boolean converts, List<String> failed,
                                      List<String> reasons) {
        String name = field.name();
        String type = BigQueryTypes.normalize(field.type());
        List<String> cases = new ArrayList<>();
        if (field.required()) {
            failed.add(source + " IS NULL");
            cases.add("WHEN " + source + " IS NULL THEN '" + name + ": REQUIRED value is missing'");
        }
        if (converts) {
            String what = "REPEATED".equalsIgnoreCase(field.mode()) ? "REPEATED " + type : type;
            failed.add("(" + value + " IS NULL AND " + source + " IS NOT NULL)");
            cases.add("WHEN " + source + " IS NOT NULL AND " + value + " IS NULL THEN '" + name + ": ''' || left(CAST("
                    + source + " AS VARCHAR), " + VALUE_PREVIEW + ") || ''' is not a valid " + what + "'");
        }
        if (!cases.isEmpty()) {
            reasons.add("CASE " + String.join(" ", cases) + " END");
        }
    }

    /** Converts a VARCHAR expression to the field's type; NULL when it does not convert. */
    static String convertText(String text, SchemaField field) {
        String type = BigQueryTypes.normalize(field.type());
        switch (type) {
            case "STRING":
            case "GEOGRAPHY":
                return text;
            case "INT64":
                // DuckDB would round '1.5' to 2 (and read '1e3', '1_000', '0x10'); BigQuery rejects them, and so
                // do we. A value that reads back as its own text is a plain integer; only the others (sign,
                // leading zeros, blanks, or not an integer) pay for the regular expression, which costs
                // about as much as the cast itself.
                return "CASE WHEN CAST(TRY_CAST(" + text + " AS BIGINT) AS VARCHAR) = " + text + " OR regexp_full_match(" + text
                        + ", '\\s*[+-]?[0-9]+\\s*') THEN TRY_CAST(" + text + " AS BIGINT) END";
            case "BYTES":
                return "TRY(from_base64(" + text + "))";
            case "JSON":
                return "CASE WHEN json_valid(" + text + ") THEN CAST(" + text + " AS JSON) END";
            case "NUMERIC":
            case "BIGNUMERIC":
                // parsing into a 38-digit decimal is several times slower; most values fit 18 digits
                return "COALESCE(TRY_CAST(" + text + " AS DECIMAL(18,9)), TRY_CAST(" + text + " AS DECIMAL(38,9)))";
            case "TIMESTAMP":
                // a value without a zone means UTC (the session zone); said explicitly, DuckDB parses it about
                // twice as fast as when it asks the time zone library. A value with its own zone fails the
                // first cast and takes the second.
                return "COALESCE(TRY_CAST(" + text + " || '+00' AS TIMESTAMPTZ), TRY_CAST(" + text + " AS TIMESTAMPTZ))";
            default:
                return "TRY_CAST(" + text + " AS " + DuckDbTypes.scalar(type) + ")";
        }
    }

    private static boolean isNested(SchemaField f) {
        return "STRUCT".equals(BigQueryTypes.normalize(f.type())) || "REPEATED".equalsIgnoreCase(f.mode());
    }

    private static int indexOfIgnoreCase(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Quotes a column name read from a file (any text), escaping embedded quotes. */
    private static String quoteAny(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static ParameterValue string(String value) {
        return new ParameterValue(ParameterType.STRING, value);
    }

    private static ParameterValue int64(long value) {
        return new ParameterValue(ParameterType.INT64, value);
    }
}
