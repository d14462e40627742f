package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;

/** Sorts DuckDB failures into stable error codes: retryable conflicts, cancellations, user SQL errors. */
final class DuckDbErrors {
    private DuckDbErrors() {
    }

    static ConvergenceException translate(SQLException e, String what, CancellationToken cancellation) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        if (cancellation != null && cancellation.isCancelled()
                || e instanceof SQLTimeoutException || message.startsWith("INTERRUPT Error")) {
            return new ConvergenceException(ErrorCode.RUN_CANCELLED, what + " was cancelled", e);
        }
        if (isConflict(message)) {
            return new ConvergenceException(ErrorCode.WAREHOUSE_TRANSIENT,
                    what + " collided with a concurrent change; retrying may succeed: " + ConvergenceException.headline(message), e);
        }
        if (message.contains("Could not set lock on file") || message.contains("Conflicting lock is held")) {
            return new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE,
                    "the DuckDB file is open in another process (DuckDB allows one writer per file): " + ConvergenceException.headline(message), e);
        }
        if (message.startsWith("IO Error") || message.startsWith("Out of Memory Error")) {
            return new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, what + " failed: " + message, e);
        }
        return new ConvergenceException(ErrorCode.SQL_ERROR, what + " failed: " + message, e);
    }

    static boolean isConflict(String message) {
        return message.contains("write-write conflict") || message.contains("Transaction conflict")
                || message.contains("Conflict on ");
    }
}
