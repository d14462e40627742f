package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Faults the test server injects on request, and its request log. REST faults match an HTTP method and a
 * regular expression found in the decoded request path (for example {@code "POST", "/jobs$"} is
 * jobs.insert, {@code "GET", "/queries/"} is getQueryResults); each rule fires for the next N matching
 * requests and is then spent. Thread safe.
 *
 * <p>Note: google-cloud-bigquery 2.59 does not retry 5xx answers by itself (only rate-limit messages on
 * job calls), so callers retry; a retried jobs.insert under the same job id then either creates the job
 * (the first attempt never reached the server) or gets 409 and the client reattaches with jobs.get.
 *
 * <p>Kinds: an error answered instead of handling the request ({@link #failNext}, {@link #backendErrorNext},
 * {@link #rateLimitNext}); a lost response, where the request is handled (the job is created and runs) but
 * the client gets an error ({@link #loseResponseNext}); slow jobs that report {@code jobComplete:false}
 * for a number of polls before they start ({@link #slowJobs}); delayed jobs ({@link #delayJobs}); and
 * serialization conflicts on DML to a table ({@link #conflictOnDml}); and Storage Read streams that break
 * after their first batch ({@link #breakReadStreams}).
 */
public final class FaultInjector {
    /** One logged REST request: method, decoded path, the job it names (or null) and the status answered. */
    public record LoggedRequest(String method, String path, String jobId, int status) {
        public LoggedRequest {
            requireNonNull(method, "method is null");
            requireNonNull(path, "path is null");
        }
    }

    /** One error rule. */
    static final class Rule {
        final String method;
        final Pattern path;
        final int status;
        final String reason;
        final String message;
        final boolean afterHandling;
        int remaining;

        Rule(String method, String pathRegex, int times, int status, String reason, String message, boolean afterHandling) {
            this.method = requireNonNull(method, "method is null");
            this.path = Pattern.compile(requireNonNull(pathRegex, "pathRegex is null"));
            this.remaining = times;
            this.status = status;
            this.reason = requireNonNull(reason, "reason is null");
            this.message = requireNonNull(message, "message is null");
            this.afterHandling = afterHandling;
        }

        BqException error() {
            return new BqException(status, reason, message);
        }
    }

    static final String BACKEND_ERROR = "Error encountered during execution. Retrying may solve the problem. (injected fault)";
    static final String RATE_LIMITED = "Exceeded rate limits: too many api requests per user per method for this user_method (injected fault)";

    private final List<Rule> rules = new ArrayList<>();
    private final Deque<Integer> slowJobs = new ArrayDeque<>();
    private final Deque<Duration> delayedJobs = new ArrayDeque<>();
    private final Map<String, Integer> conflicts = new HashMap<>();
    private final List<LoggedRequest> requests = new ArrayList<>();
    private final List<String> executedJobs = new ArrayList<>();
    private int brokenReadStreams;

    FaultInjector() {
    }

    /** The next {@code times} matching requests get this error instead of being handled. */
    public FaultInjector failNext(String method, String pathRegex, int times, int httpStatus, String reason) {
        return failNext(method, pathRegex, times, httpStatus, reason, "Injected fault: " + reason);
    }

    /** As {@link #failNext(String, String, int, int, String)} with the error message given. */
    public synchronized FaultInjector failNext(String method, String pathRegex, int times, int httpStatus, String reason, String message) {
        rules.add(new Rule(method, pathRegex, times, httpStatus, reason, message, false));
        return this;
    }

    /** The next {@code times} matching requests fail with 503 backendError (BigQuery's message) before being handled. */
    public FaultInjector backendErrorNext(String method, String pathRegex, int times) {
        return failNext(method, pathRegex, times, 503, "backendError", BACKEND_ERROR);
    }

    /**
     * The next {@code times} matching requests fail with 429 rateLimitExceeded before being handled. The
     * message is BigQuery's ("Exceeded rate limits: ..."), which the client retries on for jobs.insert,
     * jobs.query and getQueryResults; other calls it does not retry.
     */
    public FaultInjector rateLimitNext(String method, String pathRegex, int times) {
        return failNext(method, pathRegex, times, 429, "rateLimitExceeded", RATE_LIMITED);
    }

    /**
     * The next {@code times} matching requests are handled (a job is created and runs) but answered with
     * 503 backendError, as when a response is lost on the way back.
     */
    public synchronized FaultInjector loseResponseNext(String method, String pathRegex, int times) {
        rules.add(new Rule(method, pathRegex, times, 503, "backendError", BACKEND_ERROR, true));
        return this;
    }

    /**
     * The next {@code jobs} jobs created stay RUNNING (getQueryResults answers {@code jobComplete:false})
     * until they have been polled {@code polls} times through jobs.get or getQueryResults; only then do
     * they run. {@code Integer.MAX_VALUE} keeps them pending until cancelled.
     */
    public synchronized FaultInjector slowJobs(int jobs, int polls) {
        for (int i = 0; i < jobs; i++) {
            slowJobs.add(polls);
        }
        return this;
    }

    /** The next {@code jobs} jobs created wait this long before they run. */
    public synchronized FaultInjector delayJobs(int jobs, Duration delay) {
        requireNonNull(delay, "delay is null");
        for (int i = 0; i < jobs; i++) {
            delayedJobs.add(delay);
        }
        return this;
    }

    /**
     * The next {@code times} jobs with DML writing {@code dataset.table} fail, without running, with
     * BigQuery's "Could not serialize access to table ... due to concurrent update" (reason invalidQuery).
     */
    public synchronized FaultInjector conflictOnDml(String dataset, String table, int times) {
        conflicts.merge(dataset + "." + table, times, Integer::sum);
        return this;
    }

    /** The next {@code times} Storage Read streams fail with UNAVAILABLE after their first batch. */
    public synchronized FaultInjector breakReadStreams(int times) {
        brokenReadStreams += times;
        return this;
    }

    /** Drops every pending fault (the logs stay). */
    public synchronized void reset() {
        rules.clear();
        slowJobs.clear();
        delayedJobs.clear();
        conflicts.clear();
        brokenReadStreams = 0;
    }

    /** Every REST request so far, in arrival order. */
    public synchronized List<LoggedRequest> requests() {
        return List.copyOf(requests);
    }

    /** How many logged requests have this method and a path where {@code pathRegex} is found. */
    public synchronized long count(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return requests.stream().filter(r -> r.method().equals(method) && p.matcher(r.path()).find()).count();
    }

    /** Ids of jobs that started executing, in order; a job id appears once per execution. */
    public synchronized List<String> executedJobs() {
        return List.copyOf(executedJobs);
    }

    /** How many times a job with this id executed. */
    public synchronized long executions(String jobId) {
        return executedJobs.stream().filter(jobId::equals).count();
    }

    // ---- used by the server

    synchronized Rule take(String method, String path, boolean afterHandling) {
        for (Rule rule : rules) {
            if (rule.remaining > 0 && rule.afterHandling == afterHandling && rule.method.equalsIgnoreCase(method)
                    && rule.path.matcher(path).find()) {
                rule.remaining--;
                return rule;
            }
        }
        return null;
    }

    synchronized int takeSlowPolls() {
        Integer polls = slowJobs.poll();
        return polls == null ? 0 : polls;
    }

    synchronized Duration takeDelay() {
        Duration d = delayedJobs.poll();
        return d == null ? Duration.ZERO : d;
    }

    synchronized boolean takeConflict(String dataset, String table) {
        String key = dataset + "." + table;
        Integer left = conflicts.get(key);
        if (left == null || left <= 0) {
            return false;
        }
        conflicts.put(key, left - 1);
        return true;
    }

    synchronized boolean takeBrokenReadStream() {
        if (brokenReadStreams <= 0) {
            return false;
        }
        brokenReadStreams--;
        return true;
    }

    synchronized void log(LoggedRequest request) {
        requests.add(request);
    }

    synchronized void executed(String jobId) {
        executedJobs.add(jobId);
    }
}
