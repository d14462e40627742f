package io.convergence.engine.warehouse.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.InsertAllRequest;
import com.google.cloud.bigquery.InsertAllResponse;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.error.ErrorType;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.HistoryStore;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.history.SqliteHistoryStore;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunState;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Run history in each tenant's metadata dataset on BigQuery, shared by every workstation that runs on the target:
 * one append-only table {@code run_events(run_id, seq, at, type, tenant, pipeline, payload)} holding every event
 * as JSON, written with {@code tabledata.insertAll} (insert ids make a retried batch harmless).
 *
 * <p>Reads fold events the same way the local store does, by replaying the matching events into a private
 * temporary {@link SqliteHistoryStore} and asking it: filters on tenant, pipeline and start time are pushed down
 * to BigQuery; states, paging and the per-run folding happen locally. Listing loads only run, step, partition and
 * lock events; a run's detail loads all of its events.
 */
public final class BigQueryHistoryStore implements HistoryStore {
    private static final int INSERT_BATCH = 500;
    private static final Set<String> SUMMARY_TYPES = Set.of("RunStarted", "RunFinished", "StepStateChanged", "PartitionStateChanged",
            "LockChanged");
    static final Schema SCHEMA = Schema.of(
            Field.newBuilder("run_id", StandardSQLTypeName.STRING).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("seq", StandardSQLTypeName.INT64).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("at", StandardSQLTypeName.TIMESTAMP).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("type", StandardSQLTypeName.STRING).setMode(Field.Mode.REQUIRED).build(),
            Field.of("tenant", StandardSQLTypeName.STRING),
            Field.of("pipeline", StandardSQLTypeName.STRING),
            Field.newBuilder("payload", StandardSQLTypeName.STRING).setMode(Field.Mode.REQUIRED).build());

    private final MetadataWarehouses metadata;
    private final Map<String, TenantConfig> tenants;
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    /** Tenant and pipeline of runs seen by this process (events after RunStarted do not repeat them). */
    private final Map<String, String[]> runOwners = new ConcurrentHashMap<>();
    /** Sequence numbers already given to event objects, so a retried batch gets the same ones (bounded). */
    private final Map<IdentityKey, Long> assigned = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IdentityKey, Long> eldest) {
            return size() > 100_000;
        }
    });
    private final AtomicLong counter = new AtomicLong();
    private final CancellationToken none = new CancellationToken();

    private record IdentityKey(Object value) {
        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey && ((IdentityKey) other).value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }
    }

    private BigQueryHistoryStore(MetadataWarehouses metadata) {
        this.metadata = metadata;
        this.tenants = metadata.tenants();
    }

    public static BigQueryHistoryStore open(BigQueryTarget target, Path workspaceRoot, Collection<TenantConfig> tenants) {
        return new BigQueryHistoryStore(new MetadataWarehouses(target, workspaceRoot, tenants));
    }

    private BigQueryWarehouse warehouse(TenantConfig tenant) {
        return metadata.of(tenant);
    }

    private TableId table(TenantConfig tenant) {
        return MetadataDataset.table(tenant, MetadataDataset.RUN_EVENTS);
    }

    private BigQueryWarehouse ready(TenantConfig tenant) {
        BigQueryWarehouse w = warehouse(tenant);
        TableId table = table(tenant);
        if (ready.add(tenant.location() + "/" + table)) {
            try {
                w.ensureDataset(table.dataset());
                w.createTable(table, SCHEMA);
            } catch (RuntimeException e) {
                ready.remove(tenant.location() + "/" + table);
                throw e;
            }
        }
        return w;
    }

    /** Distinct metadata tables of the workspace's tenants, each once. */
    private List<TenantConfig> distinctTables(Optional<String> onlyTenant) {
        List<TenantConfig> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TenantConfig t : tenants.values()) {
            if (onlyTenant.isPresent() && !onlyTenant.get().equals(t.id())) {
                continue;
            }
            if (seen.add(t.location() + "/" + table(t))) {
                out.add(t);
            }
        }
        return out;
    }

    private <T> T guard(String what, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (ConvergenceException e) {
            if (e.code().type() == ErrorType.USER) {
                throw e;
            }
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "run history on BigQuery could not be used (" + what + "): "
                    + e.getMessage(), e);
        }
    }

    // ---- writing -------------------------------------------------------------------------------------------

    @Override
    public void append(List<RunEvent> events) {
        guard("recording run events", () -> {
            Map<String, List<InsertAllRequest.RowToInsert>> byTenant = new LinkedHashMap<>();
            for (RunEvent event : events) {
                String[] owner = owner(event);
                if (owner == null) {
                    continue;
                }
                long seq = assigned.computeIfAbsent(new IdentityKey(event),
                        k -> event.at().toEpochMilli() * 1_000_000L + counter.incrementAndGet() % 1_000_000L);
                Map<String, Object> row = new HashMap<>();
                row.put("run_id", event.runId());
                row.put("seq", seq);
                row.put("at", BigQueryValues.timestampText(event.at()));
                row.put("type", RunEventCodec.type(event));
                row.put("tenant", owner[0]);
                row.put("pipeline", owner[1]);
                row.put("payload", RunEventCodec.encode(event));
                byTenant.computeIfAbsent(owner[0], t -> new ArrayList<>())
                        .add(InsertAllRequest.RowToInsert.of(event.runId() + ":" + seq, row));
            }
            byTenant.forEach((tenantId, rows) -> {
                TenantConfig tenant = tenants.get(tenantId);
                BigQueryWarehouse w = ready(tenant);
                for (int from = 0; from < rows.size(); from += INSERT_BATCH) {
                    List<InsertAllRequest.RowToInsert> chunk = rows.subList(from, Math.min(rows.size(), from + INSERT_BATCH));
                    InsertAllRequest request = InsertAllRequest.newBuilder(w.clientId(table(tenant))).setRows(List.copyOf(chunk)).build();
                    InsertAllResponse response = w.jobs().call(() -> w.connection().bigquery().insertAll(request), "recording run events", none);
                    if (response.hasErrors()) {
                        throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "BigQuery refused run events: "
                                + response.getInsertErrors().values().iterator().next().get(0).getMessage());
                    }
                }
            });
            return null;
        });
    }

    /** {tenant, pipeline} of an event's run; null for a run of a tenant outside this workspace. */
    private String[] owner(RunEvent event) {
        if (event instanceof RunEvent.RunStarted) {
            RunEvent.RunStarted started = (RunEvent.RunStarted) event;
            runOwners.put(started.runId(), new String[] {started.tenant(), started.pipeline()});
        } else if (event instanceof RunEvent.LockChanged && !runOwners.containsKey(event.runId())) {
            RunEvent.LockChanged lock = (RunEvent.LockChanged) event;
            if (lock.tenant() != null) {
                runOwners.put(lock.runId(), new String[] {lock.tenant(), lock.pipeline()});
            }
        }
        String[] owner = runOwners.get(event.runId());
        if (owner == null) {
            owner = findOwner(event.runId()).orElse(null);
            if (owner != null) {
                runOwners.put(event.runId(), owner);
            }
        }
        return owner == null || !tenants.containsKey(owner[0]) ? null : owner;
    }

    private Optional<String[]> findOwner(String runId) {
        for (TenantConfig tenant : distinctTables(Optional.empty())) {
            BigQueryWarehouse w = ready(tenant);
            QueryResult r = w.quickQuery(BoundSql.of("SELECT tenant, pipeline FROM " + w.dialect().quoteTable(table(tenant))
                    + " WHERE run_id = ? AND tenant IS NOT NULL LIMIT 1", text(runId)), 1);
            if (!r.rows().isEmpty()) {
                return Optional.of(new String[] {(String) r.rows().get(0).get(0), (String) r.rows().get(0).get(1)});
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean markInterrupted(String runId, Instant at, String reason) {
        return guard("marking " + runId + " interrupted", () -> {
            Optional<RunDetail> detail = run(runId);
            if (detail.isEmpty() || detail.get().summary().state().isTerminal()) {
                return false;
            }
            Duration duration = Duration.between(detail.get().summary().startedAt(), at);
            append(List.of(new RunEvent.RunFinished(runId, at, RunState.INTERRUPTED, duration.isNegative() ? Duration.ZERO : duration,
                    ErrorCode.LOCK_LOST.display(), reason)));
            return true;
        });
    }

    // ---- reading -------------------------------------------------------------------------------------------

    private static ParameterValue text(String value) {
        return new ParameterValue(ParameterType.STRING, value);
    }

    /** Events matching {@code where} from every relevant metadata table, in sequence order, duplicates dropped. */
    private List<RunEvent> events(Optional<String> tenant, Function<String, BoundSql> where) {
        List<Object[]> rows = new ArrayList<>();
        for (TenantConfig t : distinctTables(tenant)) {
            BigQueryWarehouse w = ready(t);
            String table = w.dialect().quoteTable(table(t));
            BoundSql condition = where.apply(table);
            QueryResult r = w.quickQuery(new BoundSql("SELECT run_id, seq, type, payload FROM " + table + " WHERE " + condition.sql(),
                    condition.parameters()), Integer.MAX_VALUE - 1);
            for (List<Object> row : r.rows()) {
                rows.add(row.toArray());
            }
        }
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[0]).thenComparing(r -> ((Number) r[1]).longValue()));
        List<RunEvent> events = new ArrayList<>(rows.size());
        Set<String> seen = new HashSet<>();
        for (Object[] row : rows) {
            if (seen.add(row[0] + ":" + row[1])) {
                events.add(RunEventCodec.decode((String) row[2], (String) row[3]));
            }
        }
        return events;
    }

    /** Replays {@code events} into a private local store and asks it. */
    private <T> T replay(List<RunEvent> events, Function<SqliteHistoryStore, T> question) {
        Path dir;
        try {
            dir = Files.createTempDirectory("cvg-bq-history-");
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot create a temporary folder for history: " + e.getMessage(), e);
        }
        try (SqliteHistoryStore local = SqliteHistoryStore.open(dir.resolve("history.db"))) {
            if (!events.isEmpty()) {
                local.append(events);
            }
            return question.apply(local);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    private List<RunEvent> summaryEvents(HistoryQuery query) {
        return events(query.tenant(), table -> {
            BoundSql.Builder runs = BoundSql.builder().append("SELECT run_id FROM " + table + " WHERE type = 'RunStarted'");
            query.tenant().ifPresent(t -> runs.append(" AND tenant = ").bind(text(t)));
            query.pipeline().ifPresent(p -> runs.append(" AND pipeline = ").bind(text(p)));
            query.since().ifPresent(s -> runs.append(" AND `at` >= ").bind(new ParameterValue(ParameterType.TIMESTAMP, s)));
            query.until().ifPresent(u -> runs.append(" AND `at` < ").bind(new ParameterValue(ParameterType.TIMESTAMP, u)));
            return BoundSql.builder().append("type IN ('" + String.join("', '", SUMMARY_TYPES) + "') AND run_id IN (")
                    .append(runs.build()).append(")").build();
        });
    }

    @Override
    public List<RunSummary> runs(HistoryQuery query) {
        return guard("listing runs", () -> replay(summaryEvents(query), local -> local.runs(query)));
    }

    @Override
    public long countRuns(HistoryQuery query) {
        return guard("counting runs", () -> replay(summaryEvents(query), local -> local.countRuns(query)));
    }

    @Override
    public Optional<RunDetail> run(String runId) {
        return guard("reading run " + runId, () -> replay(events(Optional.empty(), table -> BoundSql.of("run_id = ?", text(runId))),
                local -> local.run(runId)));
    }

    @Override
    public Optional<RunSummary> latestRun(String tenant, String pipeline) {
        List<RunSummary> runs = runs(HistoryQuery.all().withTenant(tenant).withPipeline(pipeline).withLimit(1));
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
    }

    @Override
    public Set<UnitKey> succeededUnits(String runId) {
        return guard("reading run " + runId, () -> replay(events(Optional.empty(), table -> BoundSql.of("run_id = ?", text(runId))),
                local -> local.succeededUnits(runId)));
    }

    @Override
    public void close() {
        metadata.close();
    }
}
