package io.convergence.engine.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.bqserver.BigQueryTestServer;
import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.history.SqliteHistoryStore;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run history on BigQuery answers exactly like the local store fed the same events. */
class BigQueryHistoryStoreTest {
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");

    @TempDir
    Path dir;
    private BigQueryTestServer server;
    private BigQueryHistoryStore remote;
    private SqliteHistoryStore local;

    @BeforeEach
    void open() {
        server = BigQueryTestServer.start(0, null);
        List<TenantConfig> tenants = List.of(
                new TenantConfig("acme", null, "US", "{tenant}_{dataset}", "{tenant}_convergence", null),
                new TenantConfig("jaffle", null, "EU", "{tenant}_{dataset}", "{tenant}_convergence", null));
        remote = BigQueryHistoryStore.open(BigQueryTestTargets.target(server), dir, tenants);
        local = SqliteHistoryStore.open(dir.resolve("local.db"));
    }

    @AfterEach
    void close() {
        remote.close();
        local.close();
        server.close();
    }

    private static List<RunEvent> run(String runId, String tenant, String pipeline, Instant start, RunState end) {
        Instant done = start.plusSeconds(3);
        List<RunEvent> events = new ArrayList<>();
        events.add(new RunEvent.RunStarted(runId, start, tenant, pipeline, "bq", "v1", Map.of("run_date", "2024-03-01"),
                List.of("2024-03-01"), List.of("a"), "host1", "ana", null));
        events.add(new RunEvent.LockChanged(runId, start, tenant, pipeline, "ACQUIRED", 7, "lease 2m"));
        events.add(new RunEvent.PartitionStateChanged(runId, start, "a", "2024-03-01", RunState.RUNNING, 1, 0, 0, null, null, null));
        events.add(new RunEvent.LogLine(runId, start.plusSeconds(1), "a", "2024-03-01", "INFO", "wrote 7 rows"));
        events.add(new RunEvent.CheckEvaluated(runId, start.plusSeconds(2), "a", "2024-03-01", "not_null(id)", "not_null", "ERROR",
                true, 0, List.of(), "ok"));
        boolean ok = end == RunState.SUCCEEDED;
        events.add(new RunEvent.PartitionStateChanged(runId, done, "a", "2024-03-01", ok ? RunState.SUCCEEDED : RunState.FAILED, 1, 7, 70,
                Duration.ofSeconds(3), ok ? null : "CVG-2004", ok ? null : "bad sql"));
        events.add(new RunEvent.StepStateChanged(runId, done, "a", ok ? RunState.SUCCEEDED : RunState.FAILED, 1, 7, 70,
                Duration.ofSeconds(3), ok ? null : "CVG-2004", ok ? null : "bad sql"));
        events.add(new RunEvent.RunFinished(runId, done, end, Duration.ofSeconds(3), ok ? null : "CVG-2004", ok ? null : "bad sql"));
        return events;
    }

    private void append(List<RunEvent> events) {
        remote.append(events);
        local.append(events);
    }

    @Test
    void listsFiltersAndShowsRunsLikeTheLocalStore() {
        append(run("r1", "acme", "sales", T0, RunState.SUCCEEDED));
        append(run("r2", "acme", "sales", T0.plusSeconds(60), RunState.FAILED));
        append(run("r3", "jaffle", "shop", T0.plusSeconds(120), RunState.SUCCEEDED));

        for (HistoryQuery query : List.of(HistoryQuery.all(), HistoryQuery.all().withTenant("acme"),
                HistoryQuery.all().withPipeline("shop"), HistoryQuery.all().withStates(Set.of(RunState.FAILED)),
                HistoryQuery.all().withSince(T0.plusSeconds(30)), HistoryQuery.all().withLimit(1).withOffset(1))) {
            assertThat(remote.runs(query)).as(query.toString()).isEqualTo(local.runs(query));
            assertThat(remote.countRuns(query)).isEqualTo(local.countRuns(query));
        }
        assertThat(remote.runs(HistoryQuery.all())).extracting(RunSummary::runId).containsExactly("r3", "r2", "r1");
        RunDetail detail = remote.run("r2").orElseThrow();
        assertThat(detail).isEqualTo(local.run("r2").orElseThrow());
        assertThat(detail.logs()).hasSize(1);
        assertThat(detail.checks()).hasSize(1);
        assertThat(remote.latestRun("acme", "sales").map(RunSummary::runId)).contains("r2");
        assertThat(remote.succeededUnits("r1")).isEqualTo(local.succeededUnits("r1"))
                .contains(new UnitKey("a", Optional.of("2024-03-01")));
        assertThat(remote.run("nope")).isEmpty();
    }

    @Test
    void aRetriedBatchIsStoredOnceAndInterruptedRunsAreRepaired() {
        List<RunEvent> started = run("r9", "acme", "sales", T0, RunState.SUCCEEDED).subList(0, 3);
        remote.append(started);
        remote.append(started);
        assertThat(remote.run("r9").orElseThrow().summary().state()).isEqualTo(RunState.RUNNING);

        assertThat(remote.markInterrupted("r9", T0.plusSeconds(300), "lease expired")).isTrue();
        assertThat(remote.markInterrupted("r9", T0.plusSeconds(301), "again")).isFalse();

        RunSummary summary = remote.run("r9").orElseThrow().summary();
        assertThat(summary.state()).isEqualTo(RunState.INTERRUPTED);
        assertThat(summary.errorMessage()).contains("lease expired");
        assertThat(remote.run("r9").orElseThrow().locks()).hasSize(1);
    }
}
