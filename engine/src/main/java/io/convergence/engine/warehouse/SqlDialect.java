package io.convergence.engine.warehouse;

/**
 * How one warehouse spells SQL: identifier quoting, BigQuery-to-native translation and sampling.
 * Runners build their own SQL from a small portable subset plus these hooks.
 */
public interface SqlDialect {
    /** Quotes a column (or other single) identifier after checking it against {@code Ids.COLUMN}. */
    String quoteIdentifier(String name);

    /** The fully qualified, quoted name of a physical table. */
    String quoteTable(TableId table);

    /** Rewrites BigQuery Standard SQL into this dialect; refs and {@code @params} pass through unchanged. */
    String translate(String bigQuerySql);

    /** A relation of about {@code rows} rows drawn from {@code relationSql} (a parenthesized query or a table). */
    String sample(String relationSql, long rows);

    /** This dialect's spelling of a BigQuery type, for casts in generated SQL. */
    String typeName(String bigQueryType);
}
