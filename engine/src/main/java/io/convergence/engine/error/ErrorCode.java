package io.convergence.engine.error;

import static java.util.Objects.requireNonNull;

/**
 * Stable error codes of the engine. A code is never reused: retire it by commenting it out.
 * Codes are shown to users as {@code CVG-<number>}.
 */
public enum ErrorCode {
    // 1xxx: configuration and usage
    CONFIG_INVALID(1001, ErrorType.USER),
    WORKSPACE_NOT_FOUND(1002, ErrorType.USER),
    PIPELINE_NOT_FOUND(1003, ErrorType.USER),
    TARGET_NOT_FOUND(1004, ErrorType.USER),
    PARAMETER_INVALID(1005, ErrorType.USER),
    SECRET_MISSING(1006, ErrorType.USER),
    SETTING_INVALID(1007, ErrorType.USER),
    RUN_NOT_FOUND(1008, ErrorType.USER),
    IDENTIFIER_INVALID(1009, ErrorType.USER),
    FEATURE_NOT_AVAILABLE(1010, ErrorType.USER),
    /** The pipeline's SQL uses what the local target cannot run exactly as BigQuery does (validation's CV421). */
    SQL_NOT_SUPPORTED_LOCALLY(1011, ErrorType.USER),

    // 2xxx: execution
    STEP_FAILED(2001, ErrorType.USER),
    QUALITY_CHECK_FAILED(2002, ErrorType.USER),
    BAD_ROWS_EXCEEDED(2003, ErrorType.USER),
    SQL_ERROR(2004, ErrorType.USER),
    RUN_CANCELLED(2005, ErrorType.USER),
    STEP_TIMEOUT(2006, ErrorType.EXTERNAL),
    SCHEMA_MISMATCH(2007, ErrorType.USER),
    /** A BigQuery job would bill more bytes than the target's maximum_bytes_billed allows. */
    BYTES_LIMIT_EXCEEDED(2008, ErrorType.USER),

    // 3xxx: locks
    LOCK_HELD(3001, ErrorType.USER),
    LOCK_LOST(3002, ErrorType.EXTERNAL),
    LOCK_NOT_HELD(3003, ErrorType.USER),
    FENCING_REJECTED(3004, ErrorType.EXTERNAL),

    // 4xxx: external systems
    WAREHOUSE_UNAVAILABLE(4001, ErrorType.EXTERNAL),
    WAREHOUSE_TRANSIENT(4002, ErrorType.EXTERNAL),
    STATE_STORE_UNAVAILABLE(4003, ErrorType.EXTERNAL),
    IO_ERROR(4004, ErrorType.EXTERNAL),

    // 9xxx: internal
    INTERNAL_ERROR(9001, ErrorType.INTERNAL);

    private final int number;
    private final ErrorType type;

    ErrorCode(int number, ErrorType type) {
        this.number = number;
        this.type = requireNonNull(type, "type is null");
    }

    public int number() {
        return number;
    }

    public ErrorType type() {
        return type;
    }

    /** The code as users see it, e.g. {@code CVG-1001}. */
    public String display() {
        return "CVG-" + number;
    }
}
