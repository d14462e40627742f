package io.convergence.engine.run;

/** State of a run, step or partition. Terminal states are final. */
public enum RunState {
    QUEUED(false),
    RUNNING(false),
    SUCCEEDED(true),
    FAILED(true),
    CANCELLED(true),
    INTERRUPTED(true),
    /** A step or partition not run because an upstream failed, or because a resumed run already had it. */
    SKIPPED(true);

    private final boolean terminal;

    RunState(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean isTerminal() {
        return terminal;
    }

    public boolean isSuccessful() {
        return this == SUCCEEDED || this == SKIPPED;
    }
}
