package io.convergence.designer.model;

/**
 * One user action on the design: maps a state to the next one, or throws {@link CommandRefusedException} saying
 * why it cannot apply. Commands are pure, so undo is going back to the state before.
 */
public interface Command {
    /** What the edit menu shows: "Undo Connect a → b". */
    String description();

    DesignState apply(DesignState state);
}
