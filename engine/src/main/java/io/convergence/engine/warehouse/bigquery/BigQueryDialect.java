package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.warehouse.BigQueryTypes;
import io.convergence.engine.warehouse.SqlDialect;
import io.convergence.engine.warehouse.TableId;
import java.util.List;

/**
 * BigQuery's own spelling: backtick-quoted {@code `project.dataset.table`} paths of validated names, SQL passed
 * through untranslated, random samples.
 */
public final class BigQueryDialect implements SqlDialect {
    private final String project;

    public BigQueryDialect(String project) {
        this.project = requireNonNull(project, "project is null");
        if (!Ids.PROJECT_PATTERN.matcher(project).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "'" + project + "' is not a valid Google Cloud project id");
        }
    }

    public String project() {
        return project;
    }

    @Override
    public String quoteIdentifier(String name) {
        if (name == null || !Ids.COLUMN_PATTERN.matcher(name).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID,
                    "'" + name + "' is not a valid column name (letters, digits and _, not starting with a digit)");
        }
        return "`" + name + "`";
    }

    @Override
    public String quoteTable(TableId table) {
        // TableId validated both parts and the project matched its pattern: nothing here can close the backtick
        return "`" + project + "." + table.dataset() + "." + table.table() + "`";
    }

    /** The quoted path of a dataset, for DDL such as {@code CREATE SCHEMA}. */
    public String quoteDataset(String dataset) {
        TableId.requireName(dataset, "dataset");
        return "`" + project + "." + dataset + "`";
    }

    @Override
    public String translate(String bigQuerySql) {
        return bigQuerySql;
    }

    @Override
    public String sample(String relationSql, long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("sample rows must be positive");
        }
        // TABLESAMPLE needs a table and a percentage; ordering by a hash of the whole row draws a spread-out sample
        // of any relation, and the same one on every run (as the local target's fixed seed does)
        return "(SELECT * FROM " + relationSql + " AS _cvg_sampled ORDER BY MD5(TO_JSON_STRING(_cvg_sampled)) LIMIT " + rows + ")";
    }

    @Override
    public String typeName(String bigQueryType) {
        return BigQueryTypes.normalize(bigQueryType);
    }

    /**
     * {@code  (id INT64 NOT NULL, ...)} for a {@code CREATE OR REPLACE TABLE ... AS SELECT}, so a replaced table keeps the
     * schema file's REQUIRED modes; empty for a schema with RECORD or REPEATED columns (their types come from the query).
     */
    String columnDefinitions(List<SchemaField> schema) {
        StringBuilder out = new StringBuilder(" (");
        for (SchemaField f : schema) {
            if ("STRUCT".equals(BigQueryTypes.normalize(f.type())) || "REPEATED".equalsIgnoreCase(f.mode()) || !f.fields().isEmpty()) {
                return "";
            }
            out.append(out.length() == 2 ? "" : ", ").append(quoteIdentifier(f.name())).append(' ')
                    .append(typeName(f.type())).append(f.required() ? " NOT NULL" : "");
        }
        return out.append(')').toString();
    }
}
