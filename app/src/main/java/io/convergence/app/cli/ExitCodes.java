package io.convergence.app.cli;

/** Process exit codes of the CLI; scripts depend on them, so a code never changes meaning. */
public final class ExitCodes {
    /** Success: the workspace is valid, the run succeeded, the command did its job. */
    public static final int OK = 0;
    /** Validation found errors, the run failed, or doctor found the setup unhealthy. */
    public static final int FAILED = 1;
    /** Wrong usage or configuration: unknown option, missing workspace, unknown pipeline. */
    public static final int USAGE = 2;
    /** Another run holds the pipeline's lock. */
    public static final int LOCK_HELD = 3;
    /**
     * The run was cancelled or interrupted (lost lease, cancelled). A run stopped by SIGTERM or SIGINT records
     * INTERRUPTED and releases its lock too, but the process then ends with the signal's own status, 143 or 130,
     * as the JVM reports a signal whose shutdown hooks ran.
     */
    public static final int INTERRUPTED = 4;
    /** An external system (warehouse, network, file system) failed. */
    public static final int EXTERNAL = 5;
    /** A bug in Convergence (EX_SOFTWARE of sysexits.h). */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
