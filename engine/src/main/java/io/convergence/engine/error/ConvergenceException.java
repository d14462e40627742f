package io.convergence.engine.error;

import static java.util.Objects.requireNonNull;

/** The one exception type of the engine: a message for humans plus a stable {@link ErrorCode}. */
public class ConvergenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public ConvergenceException(ErrorCode code, String message) {
        super(requireNonNull(message, "message is null"));
        this.code = requireNonNull(code, "code is null");
    }

    public ConvergenceException(ErrorCode code, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorType type() {
        return code.type();
    }

    /**
     * The first line of an error message: where a message goes on with an excerpt (a SQL error quotes the
     * file's line with a caret), status lines and headers show this and the full text goes to the log.
     */
    public static String headline(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Message prefixed with the display code, for CLI and UI. */
    public String describe() {
        return code.display() + ": " + getMessage();
    }
}
