package io.convergence.designer.model;

/** A command that cannot apply to the current state (a cycle, a duplicate id, a missing step); the message says why. */
public final class CommandRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandRefusedException(String message) {
        super(message);
    }
}
