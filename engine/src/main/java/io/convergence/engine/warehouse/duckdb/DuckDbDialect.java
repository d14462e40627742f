package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.warehouse.SqlDialect;
import io.convergence.engine.warehouse.TableId;

/** DuckDB spelling: double-quoted identifiers, BigQuery translated by {@link BigQueryToDuckDb}, reservoir samples. */
public final class DuckDbDialect implements SqlDialect {
    public static final DuckDbDialect INSTANCE = new DuckDbDialect();

    private DuckDbDialect() {
    }

    @Override
    public String quoteIdentifier(String name) {
        return DuckDbTypes.quote(name);
    }

    @Override
    public String quoteTable(TableId table) {
        // TableId has validated both parts; escaping is belt and braces
        return "\"" + table.dataset().replace("\"", "\"\"") + "\".\"" + table.table().replace("\"", "\"\"") + "\"";
    }

    @Override
    public String translate(String bigQuerySql) {
        return BigQueryToDuckDb.translate(bigQuerySql);
    }

    @Override
    public String sample(String relationSql, long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("sample rows must be positive");
        }
        // a fixed seed keeps a re-run checking the same rows
        return "(SELECT * FROM " + relationSql + " USING SAMPLE reservoir(" + rows + " ROWS) REPEATABLE (42))";
    }

    @Override
    public String typeName(String bigQueryType) {
        return DuckDbTypes.scalar(bigQueryType);
    }
}
