package io.convergence.engine.warehouse;

import java.util.Locale;
import java.util.Map;

/** BigQuery type names as Convergence speaks them: legacy aliases folded to the Standard SQL names. */
public final class BigQueryTypes {
    private static final Map<String, String> ALIASES = Map.of(
            "INTEGER", "INT64",
            "FLOAT", "FLOAT64",
            "BOOLEAN", "BOOL",
            "RECORD", "STRUCT");

    private BigQueryTypes() {
    }

    /** INTEGER becomes INT64, FLOAT FLOAT64, BOOLEAN BOOL, RECORD STRUCT; other names upper-cased. */
    public static String normalize(String type) {
        String upper = type.trim().toUpperCase(Locale.ROOT);
        return ALIASES.getOrDefault(upper, upper);
    }

    public static boolean isNumeric(String type) {
        String t = normalize(type);
        return t.equals("INT64") || t.equals("FLOAT64") || t.equals("NUMERIC") || t.equals("BIGNUMERIC");
    }

    public static boolean isTemporal(String type) {
        String t = normalize(type);
        return t.equals("DATE") || t.equals("DATETIME") || t.equals("TIMESTAMP") || t.equals("TIME");
    }
}
