package io.convergence.engine.lock;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Ids;

/** What a lock protects: one pipeline of one tenant. At most one run holds it at a time. */
public record LockKey(String tenant, String pipeline) {
    public LockKey {
        requireNonNull(tenant, "tenant is null");
        requireNonNull(pipeline, "pipeline is null");
        // keys reach SQL (as bound values) and the CLI; refuse anything the model would refuse
        if (!Ids.ID_PATTERN.matcher(tenant).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "'" + tenant + "' is not a valid tenant id");
        }
        if (!Ids.ID_PATTERN.matcher(pipeline).matches()) {
            throw new ConvergenceException(ErrorCode.IDENTIFIER_INVALID, "'" + pipeline + "' is not a valid pipeline id");
        }
    }

    /** {@code tenant/pipeline}, the way the CLI names a pipeline. */
    @Override
    public String toString() {
        return tenant + "/" + pipeline;
    }
}
