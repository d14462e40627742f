package io.convergence.engine.error;

/** Who is at fault for an error; the CLI maps it to an exit code and the UI to a tone. */
public enum ErrorType {
    /** The user's input or configuration is wrong; show the message, never a stack trace. */
    USER,
    /** Something outside Convergence failed (warehouse, network, file system). */
    EXTERNAL,
    /** A bug in Convergence. */
    INTERNAL
}
