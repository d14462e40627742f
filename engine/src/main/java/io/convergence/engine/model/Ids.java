package io.convergence.engine.model;

import java.util.regex.Pattern;

/** Identifier patterns shared by the model, the validator and the SQL layer; nothing else reaches SQL text. */
public final class Ids {
    /** Pipeline, step, tenant and parameter ids. */
    public static final String ID = "^[a-z][a-z0-9_]{0,62}$";
    /** A BigQuery dataset or table name as Convergence accepts it (stricter than BigQuery). */
    public static final String NAME = "^[A-Za-z_][A-Za-z0-9_]{0,127}$";
    /** A column name. */
    public static final String COLUMN = "^[A-Za-z_][A-Za-z0-9_]{0,299}$";
    /** A logical table reference {@code dataset.table}. */
    public static final String TABLE_REF = "^[A-Za-z_][A-Za-z0-9_]{0,127}\\.[A-Za-z_][A-Za-z0-9_]{0,127}$";
    /** A Google Cloud project id. */
    public static final String PROJECT = "^[a-z][a-z0-9-]{4,28}[a-z0-9]$";

    public static final Pattern ID_PATTERN = Pattern.compile(ID);
    public static final Pattern NAME_PATTERN = Pattern.compile(NAME);
    public static final Pattern COLUMN_PATTERN = Pattern.compile(COLUMN);
    public static final Pattern TABLE_REF_PATTERN = Pattern.compile(TABLE_REF);
    public static final Pattern PROJECT_PATTERN = Pattern.compile(PROJECT);

    private Ids() {
    }
}
