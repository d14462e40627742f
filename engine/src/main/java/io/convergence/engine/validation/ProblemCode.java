package io.convergence.engine.validation;

/**
 * Stable validation codes ({@code CV###}). A code is never reused: retire it by commenting it out.
 * The user guide lists every code with an example and a fix.
 */
public enum ProblemCode {
    // 0xx: YAML and JSON syntax
    YAML_SYNTAX(1, Severity.ERROR),
    DUPLICATE_KEY(2, Severity.ERROR),
    DOCUMENT_TOO_LARGE(3, Severity.ERROR),
    JSON_SYNTAX(4, Severity.ERROR),
    IO_ERROR(5, Severity.ERROR),
    EMPTY_FILE(6, Severity.ERROR),
    TOO_MANY_PROBLEMS(7, Severity.WARNING),

    // 1xx: structure (keys, types, values)
    UNKNOWN_KEY(101, Severity.ERROR),
    MISSING_KEY(102, Severity.ERROR),
    WRONG_TYPE(103, Severity.ERROR),
    INVALID_ENUM(104, Severity.ERROR),
    INVALID_VALUE(105, Severity.ERROR),
    PATTERN_MISMATCH(106, Severity.ERROR),

    // 2xx: ids and the DAG
    INVALID_ID(201, Severity.ERROR),
    DUPLICATE_STEP_ID(202, Severity.ERROR),
    UNKNOWN_DEPENDENCY(203, Severity.ERROR),
    SELF_DEPENDENCY(204, Severity.ERROR),
    CYCLE(205, Severity.ERROR),
    MISSING_DEPENDENCY(206, Severity.ERROR),
    ID_MISMATCH(207, Severity.ERROR),
    DUPLICATE_TARGET_TABLE(208, Severity.ERROR),
    EMPTY_PIPELINE(209, Severity.ERROR),

    // 3xx: files
    FILE_NOT_FOUND(301, Severity.ERROR),
    PATH_OUTSIDE_WORKSPACE(302, Severity.ERROR),
    NO_DATA_FILES(303, Severity.ERROR),
    INVALID_SCHEMA_FILE(304, Severity.ERROR),
    INVALID_SCHEMA_TYPE(305, Severity.ERROR),
    INVALID_SCHEMA_MODE(306, Severity.ERROR),
    DUPLICATE_COLUMN(307, Severity.ERROR),

    // 4xx: identifiers and SQL
    INVALID_IDENTIFIER(401, Severity.ERROR),
    RAW_TABLE_REFERENCE(402, Severity.ERROR),
    REF_OTHER_TENANT(403, Severity.ERROR),
    INVALID_REF(404, Severity.ERROR),
    UNDECLARED_PARAMETER(405, Severity.ERROR),
    REF_NOT_PRODUCED(406, Severity.WARNING),
    UNUSED_PARAMETER(407, Severity.WARNING),
    INVALID_PARAMETER_DEFAULT(408, Severity.ERROR),
    SQL_NOT_SELECT(409, Severity.ERROR),
    MULTIPLE_STATEMENTS(410, Severity.ERROR),
    RESERVED_PARAMETER(411, Severity.ERROR),
    SQL_SYNTAX(412, Severity.ERROR),
    SQL_UNKNOWN_NAME(413, Severity.ERROR),
    SQL_TYPE(414, Severity.ERROR),
    SQL_REFUSED(415, Severity.ERROR),
    SQL_OUTPUT_COLUMN(416, Severity.ERROR),
    SQL_ANALYSIS_OFF(417, Severity.WARNING),
    SQL_ANALYZER_FAILED(418, Severity.ERROR),
    COLUMN_NOT_FOUND(419, Severity.ERROR),
    COLUMN_TYPE(420, Severity.ERROR),
    LOCAL_UNSUPPORTED(421, Severity.WARNING),

    // 5xx: workspace, targets, tenants, settings
    UNKNOWN_TARGET(501, Severity.ERROR),
    SECRET_IN_CONFIG(502, Severity.ERROR),
    INVALID_SETTING(503, Severity.ERROR),
    NO_WORKSPACE(504, Severity.ERROR),
    PARTITION_CONFIG(505, Severity.ERROR),
    DUPLICATE_TENANT(506, Severity.ERROR);

    private final int number;
    private final Severity defaultSeverity;

    ProblemCode(int number, Severity defaultSeverity) {
        this.number = number;
        this.defaultSeverity = defaultSeverity;
    }

    public int number() {
        return number;
    }

    /** Display id such as {@code CV205}. */
    public String id() {
        return String.format("CV%03d", number);
    }

    public Severity defaultSeverity() {
        return defaultSeverity;
    }
}
