package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The latest status of one run, as history lists it. {@code rows} and {@code bytes} are the totals
 * of its steps once the run finished (0 before). {@code lastEventAt} is when history last heard
 * from the run.
 */
public record RunSummary(
        String runId,
        String tenant,
        String pipeline,
        String target,
        RunState state,
        Instant startedAt,
        Optional<Instant> finishedAt,
        Optional<Duration> duration,
        long rows,
        long bytes,
        Optional<String> errorCode,
        Optional<String> errorMessage,
        Optional<String> pipelineVersion,
        Map<String, String> parameters,
        Optional<String> host,
        Optional<String> user,
        Optional<String> resumedFrom,
        Instant lastEventAt) {
    public RunSummary {
        requireNonNull(runId, "runId is null");
        requireNonNull(tenant, "tenant is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(target, "target is null");
        requireNonNull(state, "state is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(errorCode, "errorCode is null");
        requireNonNull(errorMessage, "errorMessage is null");
        requireNonNull(pipelineVersion, "pipelineVersion is null");
        parameters = Map.copyOf(requireNonNull(parameters, "parameters is null"));
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(resumedFrom, "resumedFrom is null");
        requireNonNull(lastEventAt, "lastEventAt is null");
    }

    /** The keyset cursor that continues a listing after this run. */
    public HistoryQuery.Cursor cursor() {
        return new HistoryQuery.Cursor(startedAt, runId);
    }
}
