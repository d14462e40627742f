package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One BigQuery job held in memory: its configuration as submitted, its state, statistics and result table. */
final class Job {
    enum State { PENDING, RUNNING, DONE }

    final String project;
    final String jobId;
    final String location;
    /** The configuration as the client sent it; query jobs get their destination table added. */
    final ObjectNode configuration;
    final long creationTime;
    final String requestId;
    private final CountDownLatch done = new CountDownLatch(1);

    volatile State state = State.PENDING;
    volatile long startTime;
    volatile long endTime;
    volatile BqException error;
    volatile boolean cancelRequested;
    /** The DuckDB statement running now, so a cancel can interrupt it. */
    volatile java.sql.Statement running;
    /** Status polls left before the job may start (a "slow job" fault). */
    int pollsBeforeStart;
    Duration startDelay = Duration.ZERO;
    boolean started;
    /** Work other than the configuration's (the load of an uploaded file). */
    Runnable body;

    // results, set before DONE
    volatile BqSql.TableRef resultTable;
    volatile ObjectNode resultSchema;
    volatile long totalRows;
    volatile long bytesProcessed;
    volatile String statementType;
    volatile Long dmlAffectedRows;
    volatile ObjectNode dmlStats;
    volatile ObjectNode ddl;
    volatile ObjectNode loadStats;

    Job(String project, String jobId, String location, ObjectNode configuration, long creationTime, String requestId) {
        this.project = requireNonNull(project, "project is null");
        this.jobId = requireNonNull(jobId, "jobId is null");
        this.location = requireNonNull(location, "location is null");
        this.configuration = requireNonNull(configuration, "configuration is null");
        this.creationTime = creationTime;
        this.requestId = requestId;
    }

    String key() {
        return project + ":" + jobId;
    }

    String type() {
        if (configuration.has("query")) {
            return "QUERY";
        }
        if (configuration.has("load")) {
            return "LOAD";
        }
        if (configuration.has("copy")) {
            return "COPY";
        }
        return "UNKNOWN";
    }

    boolean isDone() {
        return state == State.DONE;
    }

    void finish(long now) {
        endTime = now;
        state = State.DONE;
        done.countDown();
    }

    /** Waits until the job is done; false on timeout. */
    boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    ObjectNode reference() {
        ObjectNode ref = BqTypes.JSON.objectNode();
        ref.put("projectId", project);
        ref.put("jobId", jobId);
        ref.put("location", location);
        return ref;
    }

    /** The job resource, as jobs.get answers. */
    ObjectNode toJson(String endpoint) {
        ObjectNode job = BqTypes.JSON.objectNode();
        job.put("kind", "bigquery#job");
        job.put("etag", "\"" + Integer.toHexString(key().hashCode()) + "-" + state + "\"");
        job.put("id", project + ":" + location + "." + jobId);
        job.put("selfLink", endpoint + "/bigquery/v2/projects/" + project + "/jobs/" + jobId + "?location=" + location);
        job.put("user_email", "test-user@bigquery-test-server.local");
        job.set("jobReference", reference());
        ObjectNode config = configuration.deepCopy();
        config.put("jobType", type());
        job.set("configuration", config);
        job.set("statistics", statistics());
        ObjectNode status = job.putObject("status");
        status.put("state", state.name());
        BqException e = error;
        if (state == State.DONE && e != null) {
            status.set("errorResult", e.errorProto());
            status.putArray("errors").add(e.errorProto());
        }
        return job;
    }

    private ObjectNode statistics() {
        ObjectNode stats = BqTypes.JSON.objectNode();
        stats.put("creationTime", Long.toString(creationTime));
        if (startTime > 0) {
            stats.put("startTime", Long.toString(startTime));
        }
        if (state != State.DONE) {
            return stats;
        }
        stats.put("endTime", Long.toString(endTime));
        if (type().equals("QUERY")) {
            stats.put("totalBytesProcessed", Long.toString(bytesProcessed));
            ObjectNode query = stats.putObject("query");
            query.put("totalBytesProcessed", Long.toString(bytesProcessed));
            query.put("totalBytesBilled", Long.toString(bytesProcessed));
            query.put("billingTier", 1);
            query.put("cacheHit", false);
            query.put("totalSlotMs", "0");
            if (statementType != null) {
                query.put("statementType", statementType);
            }
            if (dmlAffectedRows != null) {
                query.put("numDmlAffectedRows", Long.toString(dmlAffectedRows));
            }
            if (dmlStats != null) {
                query.set("dmlStats", dmlStats);
            }
            if (ddl != null) {
                query.setAll(ddl);
            }
            if (resultSchema != null) {
                query.set("schema", resultSchema);
            }
        } else if (type().equals("LOAD") && loadStats != null) {
            stats.set("load", loadStats);
        } else if (type().equals("COPY")) {
            ObjectNode copy = stats.putObject("copy");
            copy.put("copiedRows", Long.toString(totalRows));
        }
        return stats;
    }

    static ArrayNode errors(BqException e) {
        ArrayNode errors = BqTypes.JSON.arrayNode();
        errors.add(e.errorProto());
        return errors;
    }
}
