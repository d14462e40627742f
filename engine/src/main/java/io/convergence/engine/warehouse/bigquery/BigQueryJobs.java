package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobConfiguration;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.JobStatus;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.TableDataWriteChannel;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.warehouse.BoundSql;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs BigQuery query jobs the way Convergence needs them:
 * <ul>
 *   <li>every job gets a deterministic id from the running step attempt ({@link JobScope}); an insert that failed in
 *       transit (lost connection, 5xx) or hit a rate limit is retried with the same id, and a 409 ALREADY_EXISTS
 *       means our earlier insert landed: the runner reattaches to that job and waits, so the work runs once;</li>
 *   <li>a job that itself failed for a transient reason (rateLimitExceeded, backendError) runs again under a new,
 *       still deterministic id ({@code ..._r2});</li>
 *   <li>every job carries the target's {@code maximum_bytes_billed}; going over it is a USER error that names the
 *       limit and the dry-run estimate;</li>
 *   <li>a cancelled token cancels the job ({@code jobs.cancel}); {@link #cancelAll} cancels every running job.</li>
 * </ul>
 */
final class BigQueryJobs {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryJobs.class);
    private static final long FIRST_POLL_MILLIS = 10;
    private static final long MAX_POLL_MILLIS = 1_000;
    /** Upload chunk size: a multiple of 256 KiB as resumable uploads require; few requests, bounded memory. */
    static final int UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024;
    /** Job error reasons of a load whose rows do not fit the table (BigQuery says invalid; its emulators invalidQuery). */
    private static final Set<String> LOAD_REFUSALS = Set.of("invalid", "invalidQuery");

    private final BigQueryConnection connection;
    private final BigQuery bigquery;
    private final Backoff backoff;
    private final Set<JobId> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong jobsStarted = new AtomicLong();

    BigQueryJobs(BigQueryConnection connection, Backoff backoff) {
        this.connection = requireNonNull(connection, "connection is null");
        this.bigquery = connection.bigquery();
        this.backoff = requireNonNull(backoff, "backoff is null");
    }

    Backoff backoff() {
        return backoff;
    }

    /** Jobs inserted so far (attempts of one insert count once). */
    long jobsStarted() {
        return jobsStarted.get();
    }

    /** A query configuration for {@code sql}: Standard SQL, named parameters, the bytes-billed cap. */
    QueryJobConfiguration.Builder query(BoundSql sql) {
        NamedParameters named = NamedParameters.of(sql);
        QueryJobConfiguration.Builder config = QueryJobConfiguration.newBuilder(named.sql())
                .setUseLegacySql(false)
                .setNamedParameters(named.values());
        connection.maximumBytesBilled().ifPresent(config::setMaximumBytesBilled);
        return config;
    }

    /**
     * {@link #query} without the bytes-billed cap, for bookkeeping on the tiny metadata tables (the fence row): the cap
     * bounds pipeline work, and a small one must not stop a run before its first step.
     */
    QueryJobConfiguration.Builder bookkeepingQuery(BoundSql sql) {
        return query(sql).setMaximumBytesBilled(null);
    }

    /**
     * Runs a query job to completion and returns the finished job. {@code what} names the work in errors.
     * With {@code retryConflicts}, a job that lost a concurrent-update race runs again (for idempotent scripts).
     */
    Job run(JobConfiguration config, String what, CancellationToken cancellation, boolean retryConflicts) {
        Job job = rerunUntilDone("adhoc", id -> runOnce(id, config, what, cancellation), retryConflicts, what, cancellation);
        BigQueryError error = job.getStatus().getError();
        if (error == null) {
            return job;
        }
        throw failure(error, config, what, cancellation);
    }

    /**
     * Starts a job with {@code once} under the job scope's next deterministic id (an ad-hoc {@code kind} id outside a
     * scope) and returns it finished. A job that failed for a transient reason (with {@code retryConflicts}, also one
     * that lost a concurrent-update race) runs again under a rerun id, as long as the backoff allows; the last job is
     * returned even when it failed, for the caller to explain.
     */
    private Job rerunUntilDone(String kind, Function<JobId, Job> once, boolean retryConflicts, String what,
                               CancellationToken cancellation) {
        String baseId = JobScope.current().map(JobScope::nextJobId).orElseGet(() -> JobIds.adHoc(kind));
        for (int rerun = 1; ; rerun++) {
            String id = rerun == 1 ? baseId : JobIds.rerun(baseId, rerun);
            JobId jobId = JobId.newBuilder().setProject(connection.project()).setLocation(connection.location()).setJob(id).build();
            Job job = once.apply(jobId);
            BigQueryError error = job.getStatus().getError();
            if (error == null) {
                return job;
            }
            boolean conflict = BigQueryErrors.isConcurrentUpdate(error.getMessage());
            boolean retry = BigQueryErrors.TRANSIENT_REASONS.contains(error.getReason()) || retryConflicts && conflict;
            if (!retry || rerun >= backoff.maxAttempts()) {
                return job;
            }
            LOG.info("{}: job {} failed with {} ({}); running it again", what, id, error.getReason(), error.getMessage());
            backoff.pause(rerun, cancellation);
        }
    }

    private Job runOnce(JobId jobId, JobConfiguration config, String what, CancellationToken cancellation) {
        return startAndWait(jobId, () -> bigquery.create(JobInfo.of(jobId, config)), "insert", false, what, cancellation);
    }

    /**
     * Starts a job with {@code start} (an insert, or an upload whose last chunk creates the job) and waits for it; a
     * cancellation meanwhile calls {@code jobs.cancel}. A failed start is retried with the same id; when the failure
     * may hide a start that landed (a 409 always; any transient failure too with {@code lookUpAfterTransient}, as the
     * answer to an upload's last chunk may be lost), the job is looked up first and reattached to instead of started
     * twice. {@code how} names the start in logs ("insert", "upload").
     */
    private Job startAndWait(JobId id, Supplier<Job> start, String how, boolean lookUpAfterTransient, String what,
                             CancellationToken cancellation) {
        cancellation.throwIfCancelled();
        running.add(id);
        try (AutoCloseable hook = cancellation.onCancel(() -> cancelQuietly(id))) {
            Job job = startOrReattach(id, start, how, lookUpAfterTransient, what, cancellation);
            return waitUntilDone(job, what, cancellation);
        } catch (ConvergenceException e) {
            throw e;
        } catch (Exception e) {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, what + " failed: " + e, e);
        } finally {
            running.remove(id);
        }
    }

    private Job startOrReattach(JobId id, Supplier<Job> start, String how, boolean lookUpAfterTransient, String what,
                                CancellationToken cancellation) {
        for (int attempt = 1; ; attempt++) {
            cancellation.throwIfCancelled();
            try {
                Job job = start.get();
                jobsStarted.incrementAndGet();
                LOG.debug("{}: started job {} ({})", what, id.getJob(), how);
                return job;
            } catch (BigQueryException e) {
                if (BigQueryErrors.isAlreadyExists(e) || lookUpAfterTransient && BigQueryErrors.isTransient(e)) {
                    Job existing = call(() -> bigquery.getJob(id), "looking up job " + id.getJob(), cancellation);
                    if (existing != null) {
                        LOG.info("{}: job {} already exists (an earlier {} landed); waiting for it", what, id.getJob(), how);
                        return existing;
                    }
                }
                if (!BigQueryErrors.isTransient(e) || attempt >= backoff.maxAttempts()) {
                    throw BigQueryErrors.translate(e, what);
                }
                LOG.info("{}: {} of job {} failed ({} {}); trying again with the same id", what, how, id.getJob(), e.getCode(),
                        BigQueryErrors.message(e));
                backoff.pause(attempt, cancellation);
            }
        }
    }

    /**
     * Runs a load job fed by a resumable media upload of {@code file} (the client's {@code TableDataWriteChannel}) and
     * returns the finished job. The job id is deterministic as in {@link #run}: when an upload fails in transit, the
     * job is looked up first (the last chunk may have landed and created it) and reattached to; only when it does not
     * exist is the file uploaded again, under the same id, so the rows load once. A job that failed for a transient
     * reason runs again under a new id; any other job error is a {@link ErrorCode#SCHEMA_MISMATCH} naming BigQuery's
     * first errors (the rows were typed locally, so a refusal means they do not fit the table).
     */
    Job upload(WriteChannelConfiguration config, Path file, String what, CancellationToken cancellation) {
        Job job = rerunUntilDone("load", id -> uploadOnce(id, config, file, what, cancellation), true, what, cancellation);
        BigQueryError error = job.getStatus().getError();
        if (error == null) {
            return job;
        }
        if ("stopped".equals(error.getReason()) && cancellation.isCancelled()) {
            throw new ConvergenceException(ErrorCode.RUN_CANCELLED, what + " was cancelled");
        }
        if (BigQueryErrors.isTransient(error) || !LOAD_REFUSALS.contains(String.valueOf(error.getReason()))) {
            throw BigQueryErrors.translate(error, what);
        }
        throw new ConvergenceException(ErrorCode.SCHEMA_MISMATCH, what + " failed: BigQuery refused the uploaded rows (load job "
                + job.getJobId().getJob() + "): " + describe(job.getStatus().getExecutionErrors(), error));
    }

    private static String describe(List<BigQueryError> errors, BigQueryError first) {
        StringBuilder out = new StringBuilder(String.valueOf(first.getMessage()));
        int shown = 0;
        for (BigQueryError e : errors == null ? List.<BigQueryError>of() : errors) {
            if (shown == 3) {
                out.append("; ...");
                break;
            }
            if (e.getMessage() != null && !e.getMessage().equals(first.getMessage())) {
                out.append("; ").append(e.getMessage());
                shown++;
            }
        }
        return out.toString();
    }

    private Job uploadOnce(JobId jobId, WriteChannelConfiguration config, Path file, String what, CancellationToken cancellation) {
        // the last chunk creates the job, and its answer may be lost in transit: look the job up before uploading again
        return startAndWait(jobId, () -> send(jobId, config, file, cancellation), "upload of " + file.getFileName(), true, what,
                cancellation);
    }

    /**
     * One resumable upload: opens the session (the job resource), sends the file in chunks, and closes with the last
     * chunk, which creates the job. A cancelled or failed upload is abandoned without its last chunk, so no job starts
     * (BigQuery expires the session).
     */
    private Job send(JobId id, WriteChannelConfiguration config, Path file, CancellationToken cancellation) {
        TableDataWriteChannel channel = bigquery.writer(id, config);
        channel.setChunkSize(UPLOAD_CHUNK_BYTES);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(UPLOAD_CHUNK_BYTES);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                buffer.clear();
                if (cancellation.isCancelled()) {
                    throw new ConvergenceException(ErrorCode.RUN_CANCELLED, what(id) + " was cancelled during the upload");
                }
            }
            channel.close();
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot upload " + file + ": " + e.getMessage(), e);
        }
        Job job = channel.getJob();
        if (job == null) {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "the upload for job " + id.getJob() + " finished without a job");
        }
        return job;
    }

    private static String what(JobId id) {
        return "load job " + id.getJob();
    }

    private Job waitUntilDone(Job job, String what, CancellationToken cancellation) {
        JobId id = job.getJobId();
        long poll = FIRST_POLL_MILLIS;
        Job current = job;
        while (true) {
            if (cancellation.isCancelled()) {
                cancelQuietly(id);
                throw new ConvergenceException(ErrorCode.RUN_CANCELLED, what + " was cancelled (job " + id.getJob() + ")");
            }
            JobStatus status = current.getStatus();
            if (status != null && status.getState() == JobStatus.State.DONE) {
                return current;
            }
            sleep(poll, cancellation);
            poll = Math.min(MAX_POLL_MILLIS, poll * 2);
            Job next = call(() -> bigquery.getJob(id), "waiting for job " + id.getJob(), cancellation);
            if (next == null) {
                throw new ConvergenceException(ErrorCode.WAREHOUSE_UNAVAILABLE, what + ": job " + id.getJob() + " disappeared");
            }
            current = next;
        }
    }

    private static void sleep(long millis, CancellationToken cancellation) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancellation.cancel();
            throw new ConvergenceException(ErrorCode.RUN_CANCELLED, "interrupted while waiting for a BigQuery job", e);
        }
    }

    /** Calls the API, retrying transient failures with backoff; other failures become Convergence errors. */
    <T> T call(Supplier<T> request, String what, CancellationToken cancellation) {
        for (int attempt = 1; ; attempt++) {
            try {
                return request.get();
            } catch (BigQueryException e) {
                if (!BigQueryErrors.isTransient(e) || attempt >= backoff.maxAttempts()) {
                    throw BigQueryErrors.translate(e, what);
                }
                LOG.debug("{} failed ({} {}); retrying", what, e.getCode(), BigQueryErrors.message(e));
                backoff.pause(attempt, cancellation);
            }
        }
    }

    <T> T call(Supplier<T> request, String what) {
        return call(request, what, new CancellationToken());
    }

    private ConvergenceException failure(BigQueryError error, JobConfiguration config, String what, CancellationToken cancellation) {
        if ("bytesBilledLimitExceeded".equals(error.getReason()) && config instanceof QueryJobConfiguration) {
            return bytesLimit((QueryJobConfiguration) config, what, error);
        }
        if ("stopped".equals(error.getReason()) && cancellation.isCancelled()) {
            return new ConvergenceException(ErrorCode.RUN_CANCELLED, what + " was cancelled");
        }
        return BigQueryErrors.translate(error, what);
    }

    private ConvergenceException bytesLimit(QueryJobConfiguration config, String what, BigQueryError error) {
        long limit = connection.maximumBytesBilled().orElse(-1L);
        String estimate;
        try {
            long bytes = dryRun(config).getTotalBytesProcessed();
            estimate = "about " + formatBytes(bytes).replace(" bytes)", " bytes, dry-run estimate)");
        } catch (RuntimeException e) {
            estimate = "an unknown amount (" + error.getMessage() + ")";
        }
        return new ConvergenceException(ErrorCode.BYTES_LIMIT_EXCEEDED, what + " was refused: the query would bill " + estimate
                + ", more than maximum_bytes_billed " + (limit < 0 ? "" : formatBytes(limit) + " ") + "of this target. Raise"
                + " maximum_bytes_billed in workspace.yml, or make the query read less (filter partitions, select fewer columns).");
    }

    /**
     * Dry-runs a configuration: nothing runs, nothing is billed. The bytes-billed cap is left off, so the estimate
     * of a query over the cap is still an answer rather than an error.
     */
    JobStatistics.QueryStatistics dryRun(QueryJobConfiguration config) {
        QueryJobConfiguration dry = config.toBuilder().setDryRun(true).setUseQueryCache(false).setMaximumBytesBilled(null).build();
        JobInfo info = JobInfo.of(JobId.newBuilder().setProject(connection.project()).setLocation(connection.location()).build(), dry);
        Job job = call(() -> bigquery.create(info), "dry run");
        BigQueryError error = job.getStatus() == null ? null : job.getStatus().getError();
        if (error != null) {
            throw BigQueryErrors.translate(error, "dry run");
        }
        return job.getStatistics();
    }

    private void cancelQuietly(JobId id) {
        try {
            bigquery.cancel(id);
            LOG.info("asked BigQuery to cancel job {}", id.getJob());
        } catch (RuntimeException e) {
            LOG.warn("cancelling job {} failed: {}", id.getJob(), e.getMessage());
        }
    }

    /** Cancels every job this runner is waiting for (shutdown). */
    void cancelAll() {
        for (JobId id : Set.copyOf(running)) {
            cancelQuietly(id);
        }
    }

    Optional<Long> affectedRows(Job job) {
        JobStatistics stats = job.getStatistics();
        if (stats instanceof JobStatistics.QueryStatistics) {
            return Optional.ofNullable(((JobStatistics.QueryStatistics) stats).getNumDmlAffectedRows());
        }
        return Optional.empty();
    }

    /** {@code 1.5 GiB (1,610,612,736 bytes)}-style text for messages: readable, and exact for comparing with a setting. */
    static String formatBytes(long bytes) {
        return bytes < 1024 ? bytes + " B" : DataSize.format(bytes) + String.format(java.util.Locale.ROOT, " (%,d bytes)", bytes);
    }
}
