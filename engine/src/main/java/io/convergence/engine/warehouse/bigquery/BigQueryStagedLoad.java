package io.convergence.engine.warehouse.bigquery;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.warehouse.BigQueryTypes;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.RowStream;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local files loaded into BigQuery with exactly the local target's schema enforcement and quarantine (ADR 0011):
 * the files are staged and classified by the DuckDB ingest path in a private temporary DuckDB file, the good
 * rows and the rejected rows are uploaded into two staging tables in BigQuery (each a load job fed by a resumable
 * upload of a newline-delimited JSON export, with a deterministic job id), and one multi-statement transaction then
 * writes the quarantine rows and the good rows (append, replace or one partition) after the fence checks. Nothing is
 * visible in the target before that commit.
 */
final class BigQueryStagedLoad implements StagedLoad {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryStagedLoad.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final BigQueryWarehouse warehouse;
    private final FileLoad load;
    private final Path localDir;
    private final DuckDbWarehouse local;
    private final StagedLoad localStage;
    private final List<TableId> remoteStaging = new ArrayList<>();
    private boolean closed;

    private BigQueryStagedLoad(BigQueryWarehouse warehouse, FileLoad load, Path localDir, DuckDbWarehouse local, StagedLoad localStage) {
        this.warehouse = warehouse;
        this.load = load;
        this.localDir = localDir;
        this.local = local;
        this.localStage = localStage;
    }

    static BigQueryStagedLoad stage(BigQueryWarehouse warehouse, FileLoad load, CancellationToken cancellation) {
        Path dir;
        try {
            dir = Files.createTempDirectory(warehouse.tempDir(), "cvg-bq-load-");
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot create a temporary folder for staging files: " + e.getMessage(), e);
        }
        DuckDbWarehouse local = null;
        try {
            local = DuckDbWarehouse.open(dir.resolve("stage.duckdb"), 0, null);
            StagedLoad staged = local.stageFiles(load, cancellation);
            return new BigQueryStagedLoad(warehouse, load, dir, local, staged);
        } catch (RuntimeException e) {
            if (local != null) {
                local.close();
            }
            deleteQuietly(dir);
            throw e;
        }
    }

    @Override
    public long rowsRead() {
        return localStage.rowsRead();
    }

    @Override
    public long rowsRejected() {
        return localStage.rowsRejected();
    }

    @Override
    public List<Rejection> firstRejections(int limit) {
        return localStage.firstRejections(limit);
    }

    @Override
    public long quarantineOnly(Quarantine quarantine, CancellationToken cancellation) {
        long rows = localStage.quarantineOnly(localQuarantine(quarantine), cancellation);
        TableId rejected = uploadQuarantine(quarantine, cancellation);
        ensureQuarantineTable(quarantine);
        BoundSql script = BoundSql.of("INSERT INTO " + q(quarantine.table()) + " (" + quarantineColumns() + ") SELECT "
                + quarantineColumns() + " FROM " + q(rejected));
        warehouse.run(warehouse.jobs().query(script).build(), "writing quarantine " + quarantine.table(), cancellation, true);
        return rows;
    }

    @Override
    public LoadOutcome publish(Quarantine quarantine, Publication publication, FenceCheck fence, CancellationToken cancellation) {
        TableId target = publication.target();
        // the local publish classifies and types every row exactly as the local target would
        TableId localGood = new TableId(target.dataset(), target.table());
        local.ensureDataset(localGood.dataset());
        LoadOutcome outcome = localStage.publish(localQuarantine(quarantine), Publication.replace(localGood), FenceCheck.NONE, cancellation);
        Schema schema = BigQueryValues.schema(load.schema());
        TableId good = upload(localGood, schema, target, cancellation);
        TableId rejected = uploadQuarantine(quarantine, cancellation);
        ensureQuarantineTable(quarantine);
        boolean replace = publication.mode() == WriteMode.REPLACE;
        if (!replace) {
            warehouse.createTable(target, schema);
        }
        String columns = load.schema().stream().map(f -> warehouse.dialect().quoteIdentifier(f.name())).collect(Collectors.joining(", "));
        long goodRows = warehouse.rowCount(good);
        long rejectedRows = warehouse.rowCount(rejected);
        if (goodRows != outcome.loaded() || rejectedRows != outcome.quarantined()) {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "uploading to " + target + " lost rows: staged " + outcome.loaded()
                    + " good and " + outcome.quarantined() + " rejected, BigQuery holds " + goodRows + " and " + rejectedRows + "; nothing was written");
        }
        BoundSql.Builder script = BoundSql.builder();
        if (replace) {
            // CREATE OR REPLACE cannot run inside a transaction; the swap is one statement, the quarantine insert another
            warehouse.fenceAssertion(script);
            script.append("INSERT INTO " + q(quarantine.table()) + " (" + quarantineColumns() + ") SELECT " + quarantineColumns()
                    + " FROM " + q(rejected) + ";\n");
            script.append("CREATE OR REPLACE TABLE " + q(target) + warehouse.dialect().columnDefinitions(load.schema()) + " AS SELECT " + columns + " FROM " + q(good));
        } else {
            script.append("BEGIN TRANSACTION;\n");
            warehouse.fenceAssertion(script);
            script.append("INSERT INTO " + q(quarantine.table()) + " (" + quarantineColumns() + ") SELECT " + quarantineColumns()
                    + " FROM " + q(rejected) + ";\n");
            if (publication.mode() == WriteMode.REPLACE_PARTITIONS) {
                PartitionRange range = publication.partition().orElseThrow();
                String column = warehouse.dialect().quoteIdentifier(range.column());
                script.append("DELETE FROM " + q(target) + " WHERE " + column + " >= ").bind(range.start())
                        .append(" AND " + column + " < ").bind(range.end()).append(";\n");
            }
            script.append("INSERT INTO " + q(target) + " (" + columns + ") SELECT " + columns + " FROM " + q(good) + ";\n");
            script.append("COMMIT TRANSACTION");
        }
        fence.verify();
        warehouse.run(warehouse.jobs().query(script.build()).build(), "loading " + target, cancellation, true);
        return outcome;
    }

    private Quarantine localQuarantine(Quarantine quarantine) {
        local.ensureDataset(quarantine.table().dataset());
        return quarantine;
    }

    private void ensureQuarantineTable(Quarantine quarantine) {
        warehouse.ensureDataset(quarantine.table().dataset());
        warehouse.createTable(quarantine.table(), BigQueryValues.schema(Quarantine.SCHEMA));
    }

    /** Uploads this load's rows of the local quarantine table into a BigQuery staging table. */
    private TableId uploadQuarantine(Quarantine quarantine, CancellationToken cancellation) {
        Schema schema = BigQueryValues.schema(Quarantine.SCHEMA);
        TableId remote = warehouse.newStagingTable(quarantine.table());
        warehouse.ensureDataset(remote.dataset());
        warehouse.createTable(remote, schema);
        remoteStaging.add(remote);
        BoundSql rows = BoundSql.of("SELECT " + Quarantine.SCHEMA.stream().map(f -> "\"" + f.name() + "\"").collect(Collectors.joining(", "))
                + " FROM " + local.dialect().quoteTable(quarantine.table()) + " WHERE run_id = ? AND rejected_at = ?",
                new ParameterValue(ParameterType.STRING, quarantine.runId()), new ParameterValue(ParameterType.TIMESTAMP, quarantine.rejectedAt()));
        loadRows(remote, Quarantine.SCHEMA, rows, cancellation);
        return remote;
    }

    /** Uploads a local table into a new BigQuery staging table beside {@code target}; returns the staging table. */
    private TableId upload(TableId localTable, Schema schema, TableId target, CancellationToken cancellation) {
        TableId remote = warehouse.newStagingTable(target);
        warehouse.ensureDataset(remote.dataset());
        warehouse.createTable(remote, schema);
        remoteStaging.add(remote);
        BoundSql rows = BoundSql.of("SELECT " + load.schema().stream().map(this::exportColumn)
                .collect(Collectors.joining(", ")) + " FROM " + local.dialect().quoteTable(localTable));
        loadRows(remote, load.schema(), rows, cancellation);
        return remote;
    }

    /**
     * Exports the local rows to a newline-delimited JSON file and loads it into {@code remote} with a load job fed by a
     * resumable upload (one job, a few large requests, instead of one streaming insert per few hundred rows). Values
     * are written exactly as insertAll rows were ({@link BigQueryValues#insertValue}); RECORD, REPEATED and JSON
     * columns are exported by DuckDB as JSON and embedded as JSON values, which is how a load reads them.
     */
    private void loadRows(TableId remote, List<SchemaField> fields, BoundSql localRows, CancellationToken cancellation) {
        Path file = localDir.resolve(remote.table() + ".ndjson");
        long rows = exportNdjson(file, fields, localRows, cancellation);
        try {
            if (rows == 0) {
                // the staging table exists and is empty: an empty upload would only cost a job
                return;
            }
            WriteChannelConfiguration config = WriteChannelConfiguration.newBuilder(warehouse.clientId(remote), FormatOptions.json())
                    .setSchema(BigQueryValues.schema(fields))
                    .setCreateDisposition(JobInfo.CreateDisposition.CREATE_NEVER)
                    // the staging table was created empty: a second load of the same rows fails instead of doubling them
                    .setWriteDisposition(JobInfo.WriteDisposition.WRITE_EMPTY)
                    .setMaxBadRecords(0)
                    .setIgnoreUnknownValues(false)
                    .build();
            warehouse.jobs().upload(config, file, "uploading rows to " + remote, cancellation);
            LOG.debug("loaded {} rows into {}", rows, remote);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("could not delete {}: {}", file, e.getMessage());
            }
        }
    }

    private long exportNdjson(Path file, List<SchemaField> fields, BoundSql localRows, CancellationToken cancellation) {
        boolean[] raw = new boolean[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            raw[i] = isJsonValued(fields.get(i));
        }
        long written = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8);
                RowStream rows = local.stream(localRows, cancellation)) {
            json.setRootValueSeparator(new SerializedString("\n"));
            while (rows.hasNext()) {
                List<Object> row = rows.next();
                json.writeStartObject();
                for (int i = 0; i < raw.length; i++) {
                    Object value = row.get(i);
                    if (value == null) {
                        continue;
                    }
                    json.writeFieldName(fields.get(i).name());
                    if (raw[i]) {
                        json.writeRawValue(value.toString());
                    } else {
                        writeValue(json, BigQueryValues.insertValue(value));
                    }
                }
                json.writeEndObject();
                written++;
                if ((written & 0xFFF) == 0) {
                    cancellation.throwIfCancelled();
                }
            }
            json.writeRaw('\n');
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot write the upload file " + file + ": " + e.getMessage(), e);
        }
        return written;
    }

    private static void writeValue(JsonGenerator json, Object value) throws IOException {
        if (value instanceof String) {
            json.writeString((String) value);
        } else if (value instanceof Long || value instanceof Integer) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double) {
            double d = (Double) value;
            if (Double.isFinite(d)) {
                json.writeNumber(d);
            } else {
                // JSON has no NaN or Infinity literals; BigQuery reads these strings as FLOAT64
                json.writeString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            }
        } else if (value instanceof Boolean) {
            json.writeBoolean((Boolean) value);
        } else {
            json.writeString(value.toString());
        }
    }

    /** RECORD, REPEATED and JSON columns: their values are JSON text to embed, not strings. */
    private static boolean isJsonValued(SchemaField f) {
        String type = BigQueryTypes.normalize(f.type());
        return !f.fields().isEmpty() || "STRUCT".equals(type) || "JSON".equals(type) || "REPEATED".equalsIgnoreCase(f.mode());
    }

    /** The local column, as JSON text for {@link #isJsonValued} columns (DuckDB renders nested values as JSON). */
    private String exportColumn(SchemaField f) {
        String column = local.dialect().quoteIdentifier(f.name());
        return isJsonValued(f) ? "CAST(to_json(" + column + ") AS VARCHAR)" : column;
    }

    private String q(TableId table) {
        return warehouse.dialect().quoteTable(table);
    }

    private static String quarantineColumns() {
        return Quarantine.SCHEMA.stream().map(SchemaField::name).collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TableId staging : remoteStaging) {
            try {
                warehouse.dropTable(staging);
            } catch (RuntimeException e) {
                LOG.warn("could not drop staging table {}: {}", staging, e.getMessage());
            }
        }
        try {
            localStage.close();
        } finally {
            local.close();
            deleteQuietly(localDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless; the OS cleans the temp folder
                }
            });
        } catch (IOException ignored) {
            // nothing to clean
        }
    }
}
