package io.convergence.engine.warehouse.bigquery;

import com.google.cloud.bigquery.CsvOptions;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.LoadJobConfiguration;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.warehouse.BigQueryTypes;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.CloudFileLoad;
import io.convergence.engine.warehouse.CountedLoad;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.StagingColumns;
import io.convergence.engine.warehouse.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gs://} objects loaded by BigQuery itself (a load job: no bytes pass through the workstation) with the same
 * schema enforcement and quarantine as local files (ADR 0011). CSV and NDJSON load as text into a raw staging
 * table; one query then converts every column with {@code SAFE_CAST} and writes a reason (the local target's
 * wording) for each value that did not convert and each REQUIRED value that is missing. Parquet loads typed and is
 * checked for REQUIRED values only. A malformed record fails the load job (nothing is dropped silently). Object
 * names and line numbers are not known after a load: rejections name the URI and line 0.
 */
final class BigQueryCloudLoad extends CountedLoad {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryCloudLoad.class);
    private static final String REASON = "_cvg_reason";
    private static final String RAW = "_cvg_raw";
    private static final int VALUE_PREVIEW = 60;

    private final BigQueryWarehouse warehouse;
    private final CloudFileLoad load;
    private final TableId raw;
    private final TableId staging;
    private boolean closed;

    private BigQueryCloudLoad(BigQueryWarehouse warehouse, CloudFileLoad load, TableId raw, TableId staging, long read, long rejected) {
        super(read, rejected);
        this.warehouse = warehouse;
        this.load = load;
        this.raw = raw;
        this.staging = staging;
    }

    static BigQueryCloudLoad stage(BigQueryWarehouse warehouse, CloudFileLoad load, CancellationToken cancellation) {
        validate(load);
        TableId raw = warehouse.newStagingTable(load.target());
        TableId staging = warehouse.newStagingTable(load.target());
        warehouse.ensureDataset(raw.dataset());
        try {
            boolean typed = load.source().format() == FileFormat.PARQUET;
            Schema rawSchema = typed ? BigQueryValues.schema(load.schema()) : textSchema(load.schema());
            // created first, with its expiration, then appended to: a load job cannot set a table's expiration
            warehouse.createTable(raw, rawSchema);
            LoadJobConfiguration.Builder config = LoadJobConfiguration.newBuilder(warehouse.clientId(raw), load.uri())
                    .setFormatOptions(format(load))
                    .setSchema(rawSchema)
                    .setCreateDisposition(JobInfo.CreateDisposition.CREATE_IF_NEEDED)
                    .setWriteDisposition(JobInfo.WriteDisposition.WRITE_APPEND)
                    // a record the reader cannot split into fields fails the load: never drop one silently
                    .setMaxBadRecords(0);
            if (load.source().format() == FileFormat.NDJSON) {
                config.setIgnoreUnknownValues(true);
            }
            warehouse.run(config.build(), "loading " + load.uri(), cancellation, false);
            warehouse.run(warehouse.jobs().query(BoundSql.of(classify(warehouse, load, raw, staging, typed))).build(),
                    "checking " + load.uri() + " against the schema", cancellation, false);
            long read = warehouse.rowCount(staging);
            long rejected = warehouse.longValue(BoundSql.of("SELECT COUNT(*) FROM " + warehouse.dialect().quoteTable(staging)
                    + " WHERE " + REASON + " IS NOT NULL"), cancellation);
            LOG.debug("staged {} records ({} rejected) from {} into {}", read, rejected, load.uri(), staging);
            return new BigQueryCloudLoad(warehouse, load, raw, staging, read, rejected);
        } catch (RuntimeException e) {
            dropQuietly(warehouse, raw);
            dropQuietly(warehouse, staging);
            throw e;
        }
    }

    private static void validate(CloudFileLoad load) {
        StagingColumns.check(load.schema());
        for (SchemaField f : load.schema()) {
            if (isNested(f) && load.source().format() != FileFormat.PARQUET) {
                throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, "column '" + f.name() + "' is RECORD or REPEATED; from gs://"
                        + " Convergence checks nested columns in Parquet files only");
            }
        }
    }

    private static boolean isNested(SchemaField f) {
        return "STRUCT".equals(BigQueryTypes.normalize(f.type())) || "REPEATED".equalsIgnoreCase(f.mode()) || !f.fields().isEmpty();
    }

    private static FormatOptions format(CloudFileLoad load) {
        switch (load.source().format()) {
            case CSV:
                return CsvOptions.newBuilder()
                        .setSkipLeadingRows(load.source().header() ? 1 + load.source().skipLines() : load.source().skipLines())
                        .setFieldDelimiter(load.source().delimiter())
                        .setAllowQuotedNewLines(true)
                        .build();
            case NDJSON:
                return FormatOptions.json();
            case PARQUET:
                return FormatOptions.parquet();
            default:
                throw new IllegalStateException("unknown format " + load.source().format());
        }
    }

    /** Every column as nullable text: conversion and REQUIRED checks happen in SQL, where failures get reasons. */
    private static Schema textSchema(List<SchemaField> fields) {
        List<Field> out = new ArrayList<>();
        for (SchemaField f : fields) {
            out.add(Field.newBuilder(f.name(), StandardSQLTypeName.STRING).setMode(Field.Mode.NULLABLE).build());
        }
        return Schema.of(out);
    }

    /** {@code CREATE TABLE staging AS SELECT typed columns, reason, raw record FROM raw}. */
    private static String classify(BigQueryWarehouse warehouse, CloudFileLoad load, TableId raw, TableId staging, boolean typed) {
        BigQueryDialect d = warehouse.dialect();
        List<String> columns = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (SchemaField f : load.schema()) {
            String source = "r." + d.quoteIdentifier(f.name());
            String type = BigQueryTypes.normalize(f.type());
            String converted = typed || type.equals("STRING") ? source : conversion(source, type);
            columns.add(converted + " AS " + d.quoteIdentifier(f.name()));
            if (f.required()) {
                reasons.add("IF(" + source + " IS NULL, '" + f.name() + ": REQUIRED value is missing; ', '')");
            }
            if (!converted.equals(source)) {
                // BigQuery escapes quotes with a backslash, not by doubling: double-quoted literals hold the single quotes
                reasons.add("IF(" + source + " IS NOT NULL AND " + converted + " IS NULL, CONCAT(\"" + f.name() + ": '\", SUBSTR("
                        + source + ", 1, " + VALUE_PREVIEW + "), \"' is not a valid " + type + "; \"), '')");
            }
        }
        String reason = reasons.isEmpty() ? "CAST(NULL AS STRING)"
                : "NULLIF(RTRIM(CONCAT(" + String.join(", ", reasons) + "), '; '), '')";
        return "CREATE TABLE " + d.quoteTable(staging) + warehouse.tableOptions(staging) + " AS SELECT " + String.join(", ", columns) + ", " + reason + " AS " + REASON
                + ", TO_JSON_STRING(r) AS " + RAW + " FROM " + d.quoteTable(raw) + " AS r";
    }

    private static String conversion(String source, String type) {
        switch (type) {
            case "BYTES":
                return "SAFE.FROM_BASE64(" + source + ")";
            case "BOOL":
                return "SAFE_CAST(LOWER(TRIM(" + source + ")) AS BOOL)";
            default:
                return "SAFE_CAST(TRIM(" + source + ") AS " + type + ")";
        }
    }

    @Override
    public List<Rejection> firstRejections(int limit) {
        QueryResult r = warehouse.quickQuery(BoundSql.of("SELECT " + REASON + " FROM " + q(staging) + " WHERE " + REASON
                + " IS NOT NULL ORDER BY " + RAW + " LIMIT " + Math.max(0, limit)), Math.max(0, limit));
        List<Rejection> out = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            out.add(new Rejection(load.uri(), 0, (String) row.get(0)));
        }
        return out;
    }

    private BoundSql quarantineInsert(Quarantine quarantine) {
        return BoundSql.builder().append("INSERT INTO " + q(quarantine.table()) + " (run_id, source_file, line_number, reason,"
                        + " raw_record, rejected_at) SELECT ").bind(new ParameterValue(ParameterType.STRING, quarantine.runId()))
                .append(", ").bind(new ParameterValue(ParameterType.STRING, load.uri()))
                .append(", CAST(NULL AS INT64), " + REASON + ", " + RAW + ", ")
                .bind(new ParameterValue(ParameterType.TIMESTAMP, quarantine.rejectedAt()))
                .append(" FROM " + q(staging) + " WHERE " + REASON + " IS NOT NULL;\n").build();
    }

    private void ensureQuarantineTable(Quarantine quarantine) {
        warehouse.ensureDataset(quarantine.table().dataset());
        warehouse.createTable(quarantine.table(), BigQueryValues.schema(Quarantine.SCHEMA));
    }

    @Override
    public long quarantineOnly(Quarantine quarantine, CancellationToken cancellation) {
        ensureQuarantineTable(quarantine);
        warehouse.run(warehouse.jobs().query(quarantineInsert(quarantine)).build(), "writing quarantine " + quarantine.table(),
                cancellation, true);
        return rowsRejected();
    }

    @Override
    public LoadOutcome publish(Quarantine quarantine, Publication publication, FenceCheck fence, CancellationToken cancellation) {
        TableId target = publication.target();
        ensureQuarantineTable(quarantine);
        String columns = load.schema().stream().map(f -> warehouse.dialect().quoteIdentifier(f.name())).collect(Collectors.joining(", "));
        String good = "SELECT " + columns + " FROM " + q(staging) + " WHERE " + REASON + " IS NULL";
        BoundSql.Builder script = BoundSql.builder();
        if (publication.mode() == WriteMode.REPLACE) {
            warehouse.fenceAssertion(script);
            script.append(quarantineInsert(quarantine));
            script.append("CREATE OR REPLACE TABLE " + q(target) + warehouse.dialect().columnDefinitions(load.schema()) + " AS " + good);
        } else {
            warehouse.createTable(target, BigQueryValues.schema(load.schema()));
            script.append("BEGIN TRANSACTION;\n");
            warehouse.fenceAssertion(script);
            script.append(quarantineInsert(quarantine));
            if (publication.mode() == WriteMode.REPLACE_PARTITIONS) {
                PartitionRange range = publication.partition().orElseThrow();
                String column = warehouse.dialect().quoteIdentifier(range.column());
                script.append("DELETE FROM " + q(target) + " WHERE " + column + " >= ").bind(range.start())
                        .append(" AND " + column + " < ").bind(range.end()).append(";\n");
            }
            script.append("INSERT INTO " + q(target) + " (" + columns + ") " + good + ";\n");
            script.append("COMMIT TRANSACTION");
        }
        fence.verify();
        warehouse.run(warehouse.jobs().query(script.build()).build(), "loading " + target, cancellation, true);
        return new LoadOutcome(rowsRead() - rowsRejected(), rowsRejected());
    }

    private String q(TableId table) {
        return warehouse.dialect().quoteTable(table);
    }

    private static void dropQuietly(BigQueryWarehouse warehouse, TableId table) {
        try {
            warehouse.dropTable(table);
        } catch (RuntimeException e) {
            LOG.warn("could not drop staging table {}: {}", table, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dropQuietly(warehouse, raw);
        dropQuietly(warehouse, staging);
    }
}
