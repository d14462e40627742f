package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The job table: creates jobs under client-chosen ids, runs them on a pool, answers polls and cancels. */
final class Jobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Job> byRequestId = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final JobRunner runner;
    private final FaultInjector faults;
    private final Catalog catalog;

    Jobs(Catalog catalog, JobRunner runner, FaultInjector faults) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.faults = requireNonNull(faults, "faults is null");
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bqserver-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bqserver-job-timer");
            t.setDaemon(true);
            return t;
        });
    }

    Job get(String project, String jobId) {
        return jobs.get(project + ":" + jobId);
    }

    /** The job a jobs.query request with this requestId created before, if any. */
    Job byRequestId(String requestId) {
        return requestId == null ? null : byRequestId.get(requestId);
    }

    /** Registers and starts a job whose work is {@code body} instead of its configuration's. */
    Job submitWith(Job job, Runnable body) {
        job.body = body;
        return submit(job);
    }

    /** Registers and starts a job; 409 duplicate if the id is taken. */
    Job submit(Job job) {
        Job existing = jobs.putIfAbsent(job.key(), job);
        if (existing != null) {
            throw BqException.duplicate("Job " + job.project + ":" + job.location + "." + job.jobId);
        }
        if (job.requestId != null) {
            byRequestId.putIfAbsent(job.requestId, job);
        }
        synchronized (job) {
            job.pollsBeforeStart = faults.takeSlowPolls();
            job.startDelay = faults.takeDelay();
            job.state = Job.State.RUNNING;
            job.startTime = catalog.clock().millis();
            if (job.pollsBeforeStart == 0) {
                start(job);
            }
        }
        return job;
    }

    /** A status poll (jobs.get, getQueryResults): counts down a slow job. */
    void polled(Job job) {
        synchronized (job) {
            if (!job.started && job.pollsBeforeStart != Integer.MAX_VALUE && job.pollsBeforeStart > 0) {
                job.pollsBeforeStart--;
                if (job.pollsBeforeStart == 0) {
                    start(job);
                }
            }
        }
    }

    private void start(Job job) {
        job.started = true;
        Duration delay = job.startDelay;
        if (delay.isZero()) {
            pool.execute(() -> run(job));
        } else {
            timer.schedule(() -> pool.execute(() -> run(job)), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void run(Job job) {
        try {
            if (job.cancelRequested) {
                throw BqException.stopped();
            }
            faults.executed(job.jobId);
            if (job.body != null) {
                job.body.run();
            } else {
                runner.run(job);
            }
        } catch (BqException e) {
            job.error = job.cancelRequested && !"stopped".equals(e.reason()) ? BqException.stopped() : e;
        } catch (RuntimeException | Error e) {
            LOG.warn("job {} failed unexpectedly", job.jobId, e);
            job.error = new BqException(500, "internalError", "The test server failed: " + e);
        } finally {
            job.finish(catalog.clock().millis());
        }
    }

    /** jobs.cancel: a pending job ends at once, a running one is interrupted. */
    void cancel(Job job) {
        synchronized (job) {
            if (job.isDone()) {
                return;
            }
            job.cancelRequested = true;
            if (!job.started) {
                job.started = true;
                job.error = BqException.stopped();
                job.finish(catalog.clock().millis());
                return;
            }
        }
        java.sql.Statement statement = job.running;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                // the statement finished meanwhile
            }
        }
    }

    Iterable<Job> all() {
        return jobs.values();
    }

    @Override
    public void close() {
        for (Job job : jobs.values()) {
            cancel(job);
        }
        timer.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
