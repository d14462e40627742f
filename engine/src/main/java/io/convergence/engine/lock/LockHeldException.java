package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.time.Instant;

/** The lock stayed held by another run through every acquisition attempt ({@code LOCK_HELD}, CLI exit 3). */
public final class LockHeldException extends ConvergenceException {
    private static final long serialVersionUID = 1L;

    private final transient Lease holder;
    private final int attempts;
    private final Instant now;

    public LockHeldException(Lease holder, int attempts, Instant now) {
        this(holder, attempts, now, "");
    }

    private LockHeldException(Lease holder, int attempts, Instant now, String releaseOptions) {
        super(ErrorCode.LOCK_HELD, message(requireNonNull(holder, "holder is null"), attempts,
                requireNonNull(now, "now is null"), releaseOptions));
        this.holder = holder;
        this.attempts = attempts;
        this.now = now;
    }

    /**
     * The same refusal for a lock that lives in a target's shared lock table: the suggested release command gets
     * {@code --target targetName}, without which it would look in this workstation's locks and find nothing.
     */
    public LockHeldException onTarget(String targetName) {
        LockHeldException onTarget = new LockHeldException(holder, attempts, now, " --target " + requireNonNull(targetName, "targetName is null"));
        onTarget.setStackTrace(getStackTrace());
        return onTarget;
    }

    /** The lease of the run that holds the lock (as last seen). */
    public Lease holder() {
        return holder;
    }

    /** How many times acquisition was tried. */
    public int attempts() {
        return attempts;
    }

    private static String message(Lease lease, int attempts, Instant now, String releaseOptions) {
        LockKey key = lease.key();
        return "pipeline " + key + " is locked by " + lease.holder().describe() + " since " + lease.acquiredAt()
                + " (epoch " + lease.epoch() + ", lease expires at " + lease.expiresAt() + ", in "
                + lease.remaining(now).toSeconds() + " s unless renewed); gave up after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + ". If that run is gone, wait for its lease to"
                + " expire or run: convergence locks release " + key.tenant() + " " + key.pipeline()
                + " --reason \"...\"" + releaseOptions;
    }
}
