package io.convergence.app.cli;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;

/** The error of commands whose interface is fixed but whose engine part is not built yet. */
final class NotAvailable {
    private NotAvailable() {
    }

    static ConvergenceException of(String command) {
        return new ConvergenceException(ErrorCode.FEATURE_NOT_AVAILABLE, command + " is not available yet");
    }
}
