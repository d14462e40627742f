package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatus;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.TableResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Injected faults against the real client: retries reattach by job id, slow jobs, cancels, conflicts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BigQueryTestServerFaultTest {
    private BigQueryTestServer server;
    private BigQuery bq;

    @BeforeAll
    void start() throws InterruptedException {
        server = BigQueryTestServer.start(BigQueryTestServer.Options.defaults().withSyncWaitMillis(200));
        bq = server.bigQuery("test-project");
        bq.create(DatasetInfo.of("f"));
        bq.query(QueryJobConfiguration.of("CREATE TABLE f.log (v INT64)"));
        bq.query(QueryJobConfiguration.of("CREATE TABLE f.locks (k STRING, epoch INT64)"));
        bq.query(QueryJobConfiguration.of("INSERT INTO f.locks VALUES ('a', 1)"));
    }

    @BeforeEach
    void clean() {
        server.faults().reset();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private long count(String sql) throws InterruptedException {
        return bq.query(QueryJobConfiguration.of(sql)).iterateAll().iterator().next().get(0).getLongValue();
    }

    /** What a warehouse does: retry jobs.insert on a transient error under the same job id. */
    private Job createRetrying(JobInfo info) {
        for (int attempt = 1; ; attempt++) {
            try {
                return bq.create(info);
            } catch (BigQueryException e) {
                if (attempt == 3 || e.getCode() < 500) {
                    throw e;
                }
            }
        }
    }

    @Test
    void backendErrorOnJobInsertIsRetriedUnderTheSameJobId() throws InterruptedException {
        server.faults().backendErrorNext("POST", "/jobs$", 1);
        long before = count("SELECT count(*) FROM f.log");
        Job job = createRetrying(JobInfo.of(JobId.of("insert-retried"), QueryJobConfiguration.of("INSERT INTO f.log VALUES (1)")));
        assertThat(job.waitFor().getStatus().getError()).isNull();
        assertThat(server.faults().requests().stream().filter(r -> "insert-retried".equals(r.jobId()) && r.method().equals("POST"))
                .map(FaultInjector.LoggedRequest::status)).containsExactly(503, 200);
        assertThat(server.faults().executions("insert-retried")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM f.log")).isEqualTo(before + 1);
    }

    @Test
    void aLostInsertResponseReattachesToTheJobInsteadOfRunningItTwice() throws InterruptedException {
        server.faults().loseResponseNext("POST", "/jobs$", 1);
        long before = count("SELECT count(*) FROM f.log");
        assertThatThrownBy(() -> bq.create(JobInfo.of(JobId.of("insert-lost"), QueryJobConfiguration.of("INSERT INTO f.log VALUES (2)"))))
                .isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(503);
                    assertThat(e.getReason()).isEqualTo("backendError");
                });
        Job job = createRetrying(JobInfo.of(JobId.of("insert-lost"), QueryJobConfiguration.of("INSERT INTO f.log VALUES (2)")));
        assertThat(job.getJobId().getJob()).isEqualTo("insert-lost");
        assertThat(job.waitFor().getStatus().getError()).isNull();
        List<FaultInjector.LoggedRequest> inserts = server.faults().requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().endsWith("/jobs") && "insert-lost".equals(r.jobId()))
                .toList();
        assertThat(inserts).extracting(FaultInjector.LoggedRequest::status).containsExactly(503, 409);
        assertThat(server.faults().count("GET", "/jobs/insert-lost$")).isGreaterThanOrEqualTo(1);
        assertThat(server.faults().executions("insert-lost")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM f.log")).isEqualTo(before + 1);
    }

    @Test
    void aRetriedJobsQueryWithTheSameRequestIdRunsOnce() throws Exception {
        long before = count("SELECT count(*) FROM f.log");
        int executed = server.faults().executedJobs().size();
        server.faults().loseResponseNext("POST", "/queries$", 1);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.endpoint() + "/bigquery/v2/projects/test-project/queries"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"INSERT INTO f.log VALUES (3)\",\"useLegacySql\":false,"
                        + "\"requestId\":\"request-1\"}"))
                .build();
        HttpResponse<String> lost = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(lost.statusCode()).isEqualTo(503);
        assertThat(lost.body()).contains("\"reason\":\"backendError\"");
        HttpResponse<String> retried = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.body()).contains("\"jobComplete\":true", "\"numDmlAffectedRows\":\"1\"");
        assertThat(server.faults().executedJobs()).hasSize(executed + 1);
        assertThat(count("SELECT count(*) FROM f.log")).isEqualTo(before + 1);
    }

    @Test
    void rateLimitedJobInsertsAreRetriedByTheClient() throws InterruptedException {
        server.faults().rateLimitNext("POST", "/jobs$", 2);
        Job job = bq.create(JobInfo.of(JobId.of("rate-limited"), QueryJobConfiguration.of("SELECT 1 AS one")));
        assertThat(job.waitFor().getStatus().getError()).isNull();
        assertThat(server.faults().requests().stream().filter(r -> "rate-limited".equals(r.jobId()) && r.method().equals("POST"))
                .map(FaultInjector.LoggedRequest::status)).containsExactly(429, 429, 200);
        assertThat(server.faults().executions("rate-limited")).isEqualTo(1);
    }

    @Test
    void nonRetriedErrorsReachTheCaller() {
        server.faults().failNext("GET", "/datasets/f$", 1, 403, "accessDenied");
        assertThatThrownBy(() -> bq.getDataset("f"))
                .isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getReason()).isEqualTo("accessDenied");
                });
    }

    @Test
    void slowJobsReportIncompleteUntilPolledEnough() throws InterruptedException {
        server.faults().slowJobs(1, 3);
        Job job = bq.create(JobInfo.of(JobId.of("slow-1"), QueryJobConfiguration.of("SELECT 7 AS n")));
        assertThat(job.getStatus().getState()).isEqualTo(JobStatus.State.RUNNING);
        assertThat(server.faults().executions("slow-1")).isZero();
        TableResult result = job.getQueryResults();
        assertThat(result.iterateAll().iterator().next().get("n").getLongValue()).isEqualTo(7);
        assertThat(server.faults().count("GET", "/queries/slow-1")).isGreaterThanOrEqualTo(3);
        assertThat(server.faults().executions("slow-1")).isEqualTo(1);
    }

    @Test
    void cancellingAPendingJobStopsItBeforeItRuns() {
        server.faults().slowJobs(1, Integer.MAX_VALUE);
        Job job = bq.create(JobInfo.of(JobId.of("held-1"), QueryJobConfiguration.of("INSERT INTO f.log VALUES (99)")));
        assertThat(job.getStatus().getState()).isEqualTo(JobStatus.State.RUNNING);
        assertThat(bq.cancel(JobId.of("held-1"))).isTrue();
        Job after = bq.getJob(JobId.of("held-1"));
        assertThat(after.getStatus().getState()).isEqualTo(JobStatus.State.DONE);
        assertThat(after.getStatus().getError().getReason()).isEqualTo("stopped");
        assertThat(server.faults().executions("held-1")).isZero();
        assertThat(bq.cancel(JobId.of("no-such-job"))).isFalse();
    }

    @Test
    void cancellingARunningQueryInterruptsDuckDb() {
        Instant start = Instant.now();
        Job job = bq.create(JobInfo.of(JobId.of("long-1"),
                QueryJobConfiguration.of("SELECT count(*) FROM range(100000000000) AS a(x) WHERE x % 7 = 3")));
        assertThat(job.getStatus().getState()).isEqualTo(JobStatus.State.RUNNING);
        assertThat(job.cancel()).isTrue();
        Job after = bq.getJob(JobId.of("long-1"));
        assertThat(after.getStatus().getState()).isEqualTo(JobStatus.State.DONE);
        assertThat(after.getStatus().getError().getReason()).isEqualTo("stopped");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void injectedSerializationConflictFailsDmlOnThatTable() throws InterruptedException {
        server.faults().conflictOnDml("f", "locks", 1);
        assertThatThrownBy(() -> bq.query(QueryJobConfiguration.of("UPDATE f.locks SET epoch = epoch + 1 WHERE k = 'a'")))
                .isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getReason()).isEqualTo("invalidQuery");
                    assertThat(e.getMessage()).isEqualTo("Could not serialize access to table test-project:f.locks due to concurrent update");
                });
        assertThat(count("SELECT epoch FROM f.locks WHERE k = 'a'")).isEqualTo(1);
        // reads are not DML, and the fault is spent
        assertThat(count("SELECT count(*) FROM f.locks")).isEqualTo(1);
        bq.query(QueryJobConfiguration.of("UPDATE f.locks SET epoch = epoch + 1 WHERE k = 'a'"));
        assertThat(count("SELECT epoch FROM f.locks WHERE k = 'a'")).isEqualTo(2);
        bq.query(QueryJobConfiguration.of("UPDATE f.locks SET epoch = 1 WHERE k = 'a'"));
    }

    @Test
    void delayedJobsStillComplete() throws InterruptedException {
        server.faults().delayJobs(1, Duration.ofMillis(300));
        TableResult r = bq.query(QueryJobConfiguration.of("SELECT 'late' AS s"));
        FieldValueList row = r.iterateAll().iterator().next();
        assertThat(row.get("s").getStringValue()).isEqualTo("late");
    }
}
