package io.convergence.engine.warehouse.bigquery;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * How BigQuery failures read to Convergence: which ones are worth retrying (rate limits, backend errors, 5xx and
 * lost connections), which mean "the job already exists" (reattach), and which {@link ErrorCode} the rest become.
 */
final class BigQueryErrors {
    /** Reasons BigQuery documents as "retry with exponential backoff". */
    static final Set<String> TRANSIENT_REASONS = Set.of("rateLimitExceeded", "jobRateLimitExceeded", "backendError", "internalError");
    /** Marker in the ASSERT message of the warehouse fence, so its failure reads as FENCING_REJECTED. */
    static final String FENCE_MARKER = "cvg-fence";

    private BigQueryErrors() {
    }

    static String reason(BigQueryException e) {
        BigQueryError error = e.getError();
        if (error != null && error.getReason() != null) {
            return error.getReason();
        }
        return e.getReason() == null ? "" : e.getReason();
    }

    /** A lost connection, a 5xx, a 429 or a reason BigQuery says to retry. */
    static boolean isTransient(BigQueryException e) {
        int code = e.getCode();
        if (code >= 500 || code == 429) {
            return true;
        }
        if (code == 0 && (e.getCause() instanceof IOException || e.getCause() == null)) {
            return true;
        }
        return TRANSIENT_REASONS.contains(reason(e)) || isConcurrentUpdate(message(e));
    }

    /** A job failure BigQuery says to retry (with a new job id). */
    static boolean isTransient(BigQueryError error) {
        return error != null && (TRANSIENT_REASONS.contains(error.getReason()) || isConcurrentUpdate(error.getMessage()));
    }

    /** 409 on a job insert: a job with this id exists (our own earlier insert landed). */
    static boolean isAlreadyExists(BigQueryException e) {
        return e.getCode() == 409 || "duplicate".equals(reason(e));
    }

    /**
     * BigQuery's wording for two transactions or DML statements that collided on one table ("Could not serialize
     * access to table ... due to concurrent update", "Transaction is aborted due to concurrent update").
     */
    static boolean isConcurrentUpdate(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("concurrent update") || m.contains("could not serialize") || m.contains("serialization");
    }

    static String message(BigQueryException e) {
        BigQueryError error = e.getError();
        String text = error != null && error.getMessage() != null ? error.getMessage() : e.getMessage();
        return text == null ? e.getClass().getSimpleName() : text;
    }

    /** The Convergence error for a failed API call (after any retries); {@code what} names the work. */
    static ConvergenceException translate(BigQueryException e, String what) {
        return translate(e.getCode(), reason(e), message(e), what, e);
    }

    /** The Convergence error for a job that finished with {@code error}. */
    static ConvergenceException translate(BigQueryError error, String what) {
        return translate(400, error.getReason() == null ? "" : error.getReason(), error.getMessage(), what, null);
    }

    private static ConvergenceException translate(int code, String reason, String message, String what, Throwable cause) {
        String text = what + " failed: " + message;
        if (message != null && message.contains(FENCE_MARKER)) {
            return new ConvergenceException(ErrorCode.FENCING_REJECTED, what + " refused: the warehouse fence row shows that a newer run"
                    + " has taken the pipeline over (" + message + ")", cause);
        }
        if (TRANSIENT_REASONS.contains(reason) || code >= 500 || code == 429 || isConcurrentUpdate(message)) {
            return new ConvergenceException(ErrorCode.WAREHOUSE_TRANSIENT, text, cause);
        }
        if (code == 0) {
            return new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, what + " failed: BigQuery could not be reached ("
                    + message + ")", cause);
        }
        switch (reason) {
            case "stopped":
                return new ConvergenceException(ErrorCode.RUN_CANCELLED, what + " was cancelled", cause);
            case "accessDenied":
            case "billingNotEnabled":
            case "billingTierLimitExceeded":
            case "quotaExceeded":
                return new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, text, cause);
            default:
                break;
        }
        if (code == 401 || code == 403) {
            return new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, text + " (check the target's credentials and the"
                    + " project's permissions)", cause);
        }
        return new ConvergenceException(ErrorCode.SQL_ERROR, text, cause);
    }
}
