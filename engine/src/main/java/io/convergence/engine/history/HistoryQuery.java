package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.run.RunState;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A filtered, paged listing of runs, newest first (by start time, then run id). Page with
 * {@code offset}, or better with {@code after}: a keyset cursor from the last run of the previous
 * page ({@link RunSummary#cursor()}), which stays fast and stable while new runs arrive.
 * {@code since} is inclusive, {@code until} exclusive, both on the start time.
 */
public record HistoryQuery(
        Optional<String> tenant,
        Optional<String> pipeline,
        Set<RunState> states,
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<Cursor> after,
        int limit,
        int offset) {
    public static final int MAX_LIMIT = 10_000;

    /** Where a page ends: the start time and id of its last run. Text form {@code <epoch millis>:<run id>}. */
    public record Cursor(Instant startedAt, String runId) {
        public Cursor {
            requireNonNull(startedAt, "startedAt is null");
            requireNonNull(runId, "runId is null");
        }

        public String encode() {
            return startedAt.toEpochMilli() + ":" + runId;
        }

        public static Cursor decode(String text) {
            int colon = text.indexOf(':');
            try {
                return new Cursor(Instant.ofEpochMilli(Long.parseLong(text.substring(0, colon))), text.substring(colon + 1));
            }
            catch (RuntimeException e) {
                throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "'" + text + "' is not a history cursor");
            }
        }
    }

    public HistoryQuery {
        requireNonNull(tenant, "tenant is null");
        requireNonNull(pipeline, "pipeline is null");
        states = Set.copyOf(requireNonNull(states, "states is null"));
        requireNonNull(since, "since is null");
        requireNonNull(until, "until is null");
        requireNonNull(after, "after is null");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "offset must not be negative, got " + offset);
        }
    }

    /** All runs, newest first, 50 per page. */
    public static HistoryQuery all() {
        return new HistoryQuery(Optional.empty(), Optional.empty(), Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), 50, 0);
    }

    public HistoryQuery withTenant(String value) {
        return new HistoryQuery(Optional.of(value), pipeline, states, since, until, after, limit, offset);
    }

    public HistoryQuery withPipeline(String value) {
        return new HistoryQuery(tenant, Optional.of(value), states, since, until, after, limit, offset);
    }

    public HistoryQuery withStates(Set<RunState> value) {
        return new HistoryQuery(tenant, pipeline, value, since, until, after, limit, offset);
    }

    public HistoryQuery withSince(Instant value) {
        return new HistoryQuery(tenant, pipeline, states, Optional.of(value), until, after, limit, offset);
    }

    public HistoryQuery withUntil(Instant value) {
        return new HistoryQuery(tenant, pipeline, states, since, Optional.of(value), after, limit, offset);
    }

    public HistoryQuery withAfter(Cursor value) {
        return new HistoryQuery(tenant, pipeline, states, since, until, Optional.of(value), limit, offset);
    }

    public HistoryQuery withLimit(int value) {
        return new HistoryQuery(tenant, pipeline, states, since, until, after, value, offset);
    }

    public HistoryQuery withOffset(int value) {
        return new HistoryQuery(tenant, pipeline, states, since, until, after, limit, value);
    }
}
