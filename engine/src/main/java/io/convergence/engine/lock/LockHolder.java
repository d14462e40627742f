package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Who holds a lock: the run and the process (host, user, pid) it runs in. */
public record LockHolder(String host, String user, long pid, String runId) {
    public LockHolder {
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(runId, "runId is null");
        if (runId.isBlank()) {
            throw new IllegalArgumentException("runId is blank");
        }
    }

    /** The holder for {@code runId} in this JVM: local host name, OS user and process id. */
    public static LockHolder current(String runId) {
        return new LockHolder(localHostName(), System.getProperty("user.name", "unknown"),
                ProcessHandle.current().pid(), runId);
    }

    /** Host name of this machine, as recorded in leases; falls back to the environment when DNS has no answer. */
    public static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    /** {@code run r-1 on host h (user u, pid 42)}, for messages. */
    public String describe() {
        return "run " + runId + " on host " + host + " (user " + user + ", pid " + pid + ")";
    }
}
