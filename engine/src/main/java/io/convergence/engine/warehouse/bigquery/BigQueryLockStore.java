package io.convergence.engine.warehouse.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.lock.ForceRelease;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.LockGrant;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.LockStore;
import io.convergence.engine.lock.LossReason;
import io.convergence.engine.lock.RenewResult;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.TableId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run locks shared by every workstation, in each tenant's metadata dataset (ADR 0006, ADR 0011): a {@code locks}
 * table with one pre-created row per (tenant, pipeline) ({@link #prepare}) and a {@code lock_audit} table.
 *
 * <p>BigQuery has no row locks; every change is one conditional DML statement (its own snapshot-isolated
 * transaction) and the caller wins if and only if it changed exactly one row. Acquire and steal are a
 * compare-and-set on the epoch read just before ({@code UPDATE ... SET epoch = epoch + 1 ... WHERE epoch = @seen AND
 * (free or expired)}); renew and release name the run id and epoch. A statement that loses a race against a
 * concurrent change fails with a serialization error: an acquire reads that as busy. Times are the callers'
 * ({@code now}), as the {@link LockStore} contract says.
 */
public final class BigQueryLockStore implements LockStore {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryLockStore.class);
    private static final int ACQUIRE_ROUNDS = 5;
    static final Schema LOCKS_SCHEMA = Schema.of(
            required("tenant", StandardSQLTypeName.STRING), required("pipeline", StandardSQLTypeName.STRING),
            required("epoch", StandardSQLTypeName.INT64),
            Field.of("run_id", StandardSQLTypeName.STRING), Field.of("host", StandardSQLTypeName.STRING),
            Field.of("user_name", StandardSQLTypeName.STRING), Field.of("pid", StandardSQLTypeName.INT64),
            Field.of("acquired_at", StandardSQLTypeName.TIMESTAMP), Field.of("heartbeat_at", StandardSQLTypeName.TIMESTAMP),
            Field.of("expires_at", StandardSQLTypeName.TIMESTAMP));
    static final Schema AUDIT_SCHEMA = Schema.of(
            required("tenant", StandardSQLTypeName.STRING), required("pipeline", StandardSQLTypeName.STRING),
            required("previous_run_id", StandardSQLTypeName.STRING), Field.of("previous_host", StandardSQLTypeName.STRING),
            Field.of("previous_user", StandardSQLTypeName.STRING), Field.of("previous_pid", StandardSQLTypeName.INT64),
            required("previous_epoch", StandardSQLTypeName.INT64), required("released_by", StandardSQLTypeName.STRING),
            required("reason", StandardSQLTypeName.STRING), required("released_at", StandardSQLTypeName.TIMESTAMP));
    private static final String LEASE_COLUMNS = "tenant, pipeline, epoch, run_id, host, user_name, pid, acquired_at, heartbeat_at, expires_at";

    private final MetadataWarehouses metadata;
    private final Map<String, TenantConfig> tenants;
    private final Set<String> readyDatasets = ConcurrentHashMap.newKeySet();
    private final Set<LockKey> prepared = ConcurrentHashMap.newKeySet();
    private final CancellationToken none = new CancellationToken();

    private BigQueryLockStore(MetadataWarehouses metadata) {
        this.metadata = metadata;
        this.tenants = metadata.tenants();
    }

    /** A store over the metadata datasets of {@code tenants} on {@code target}; nothing is sent before the first call. */
    public static BigQueryLockStore open(BigQueryTarget target, Path workspaceRoot, Collection<TenantConfig> tenants) {
        return new BigQueryLockStore(new MetadataWarehouses(target, workspaceRoot, tenants));
    }

    private static Field required(String name, StandardSQLTypeName type) {
        return Field.newBuilder(name, type).setMode(Field.Mode.REQUIRED).build();
    }

    // ---- plumbing --------------------------------------------------------------------------------------------

    private TenantConfig tenant(String id) {
        TenantConfig tenant = tenants.get(id);
        if (tenant == null) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "tenant '" + id + "' is not in this workspace, so it has no"
                    + " metadata dataset to keep locks in");
        }
        return tenant;
    }

    private BigQueryWarehouse warehouse(TenantConfig tenant) {
        return metadata.of(tenant);
    }

    private TableId locks(TenantConfig tenant) {
        return MetadataDataset.table(tenant, MetadataDataset.LOCKS);
    }

    private TableId audit(TenantConfig tenant) {
        return MetadataDataset.table(tenant, MetadataDataset.LOCK_AUDIT);
    }

    /** Creates the metadata dataset and the two tables once per process; idempotent. */
    private BigQueryWarehouse ready(TenantConfig tenant) {
        BigQueryWarehouse w = warehouse(tenant);
        String dataset = MetadataDataset.of(tenant);
        if (readyDatasets.add(dataset)) {
            try {
                w.ensureDataset(dataset);
                w.createTable(locks(tenant), LOCKS_SCHEMA);
                w.createTable(audit(tenant), AUDIT_SCHEMA);
            } catch (RuntimeException e) {
                readyDatasets.remove(dataset);
                throw e;
            }
        }
        return w;
    }

    /** Store failures become STATE_STORE_UNAVAILABLE, as the contract says; USER errors pass through. */
    private <T> T guard(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (ConvergenceException e) {
            if (e.code().type() == io.convergence.engine.error.ErrorType.USER) {
                throw e;
            }
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "the BigQuery lock table could not be used ("
                    + what + "): " + e.getMessage(), e);
        }
    }

    private static ParameterValue text(String value) {
        return new ParameterValue(ParameterType.STRING, value);
    }

    private static ParameterValue number(long value) {
        return new ParameterValue(ParameterType.INT64, value);
    }

    private static ParameterValue time(Instant value) {
        return new ParameterValue(ParameterType.TIMESTAMP, value);
    }

    private long dml(BigQueryWarehouse w, BoundSql sql, String what, boolean retryConflicts) {
        return w.jobs().affectedRows(w.run(w.jobs().query(sql).build(), what, none, retryConflicts)).orElse(0L);
    }

    private static boolean isConflict(ConvergenceException e) {
        return e.code() == ErrorCode.WAREHOUSE_TRANSIENT && BigQueryErrors.isConcurrentUpdate(e.getMessage());
    }

    /** The key's row: its last epoch and, when held, its lease. */
    private record Row(long epoch, Optional<Lease> lease) {
    }

    private Optional<Row> row(TenantConfig tenant, LockKey key) {
        BigQueryWarehouse w = ready(tenant);
        QueryResult r = w.quickQuery(BoundSql.of("SELECT " + LEASE_COLUMNS + " FROM " + w.dialect().quoteTable(locks(tenant))
                + " WHERE tenant = ? AND pipeline = ?", text(key.tenant()), text(key.pipeline())), 2);
        if (r.rows().isEmpty()) {
            return Optional.empty();
        }
        if (r.rows().size() > 1) {
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "the lock table " + locks(tenant) + " holds two rows for "
                    + key + "; delete the one with the lower epoch");
        }
        List<Object> row = r.rows().get(0);
        return Optional.of(new Row(((Number) row.get(2)).longValue(), lease(row)));
    }

    private Row requiredRow(TenantConfig tenant, LockKey key) {
        Optional<Row> row = row(tenant, key);
        if (row.isPresent()) {
            return row.get();
        }
        prepare(List.of(key));
        return row(tenant, key).orElseThrow(() -> new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE,
                "the lock row of " + key + " could not be created in " + locks(tenant)));
    }

    private static Optional<Lease> lease(List<Object> row) {
        if (row.get(3) == null) {
            return Optional.empty();
        }
        LockKey key = new LockKey((String) row.get(0), (String) row.get(1));
        LockHolder holder = new LockHolder(nullToEmpty(row.get(4)), nullToEmpty(row.get(5)),
                row.get(6) == null ? 0 : ((Number) row.get(6)).longValue(), (String) row.get(3));
        return Optional.of(new Lease(key, holder, ((Number) row.get(2)).longValue(), (Instant) row.get(7), (Instant) row.get(8),
                (Instant) row.get(9)));
    }

    private static String nullToEmpty(Object value) {
        return value == null ? "" : (String) value;
    }

    // ---- the contract ----------------------------------------------------------------------------------------

    @Override
    public void prepare(Collection<LockKey> keys) {
        Map<String, List<LockKey>> byTenant = new LinkedHashMap<>();
        for (LockKey key : keys) {
            if (!prepared.contains(key)) {
                byTenant.computeIfAbsent(key.tenant(), t -> new ArrayList<>()).add(key);
            }
        }
        byTenant.forEach((tenantId, tenantKeys) -> guard("preparing lock rows", () -> {
            TenantConfig tenant = tenant(tenantId);
            BigQueryWarehouse w = ready(tenant);
            BoundSql.Builder source = BoundSql.builder();
            for (int i = 0; i < tenantKeys.size(); i++) {
                source.append(i == 0 ? "SELECT " : " UNION ALL SELECT ").bind(text(tenantKeys.get(i).tenant())).append(" AS tenant, ")
                        .bind(text(tenantKeys.get(i).pipeline())).append(" AS pipeline");
            }
            dml(w, BoundSql.builder().append("MERGE " + w.dialect().quoteTable(locks(tenant)) + " AS l USING (").append(source.build())
                    .append(") AS k ON l.tenant = k.tenant AND l.pipeline = k.pipeline"
                            + " WHEN NOT MATCHED THEN INSERT (tenant, pipeline, epoch) VALUES (k.tenant, k.pipeline, 0)").build(),
                    "creating lock rows", true);
            prepared.addAll(tenantKeys);
            return null;
        }));
    }

    @Override
    public LockGrant tryAcquire(LockKey key, LockHolder holder, Duration leaseDuration, Instant now) {
        TenantConfig tenant = tenant(key.tenant());
        return guard("acquiring " + key, () -> {
            BigQueryWarehouse w = ready(tenant);
            for (int round = 1; round <= ACQUIRE_ROUNDS; round++) {
                Row row = requiredRow(tenant, key);
                if (row.lease().isPresent() && !row.lease().get().isExpired(now)) {
                    return new LockGrant.Busy(row.lease().get());
                }
                Instant expires = now.plus(leaseDuration);
                long changed;
                try {
                    changed = dml(w, BoundSql.builder().append("UPDATE " + w.dialect().quoteTable(locks(tenant))
                                    + " SET epoch = epoch + 1, run_id = ").bind(text(holder.runId()))
                            .append(", host = ").bind(text(holder.host())).append(", user_name = ").bind(text(holder.user()))
                            .append(", pid = ").bind(number(holder.pid())).append(", acquired_at = ").bind(time(now))
                            .append(", heartbeat_at = ").bind(time(now)).append(", expires_at = ").bind(time(expires))
                            .append(" WHERE tenant = ").bind(text(key.tenant())).append(" AND pipeline = ").bind(text(key.pipeline()))
                            .append(" AND epoch = ").bind(number(row.epoch()))
                            .append(" AND (run_id IS NULL OR expires_at <= ").bind(time(now)).append(")").build(), "acquiring " + key, false);
                } catch (ConvergenceException e) {
                    if (!isConflict(e)) {
                        throw e;
                    }
                    // another client changed the row at the same moment: whoever it was, this caller did not get it
                    LOG.debug("acquiring {} collided with a concurrent change: {}", key, e.getMessage());
                    Optional<Lease> now2 = requiredRow(tenant, key).lease();
                    if (now2.isPresent()) {
                        return new LockGrant.Busy(now2.get());
                    }
                    continue;
                }
                if (changed == 1) {
                    Lease granted = new Lease(key, holder, row.epoch() + 1, now, now, expires);
                    return new LockGrant.Granted(granted, row.lease());
                }
                // the row moved on since it was read (released, taken, renewed): look again
            }
            Row last = requiredRow(tenant, key);
            if (last.lease().isPresent()) {
                return new LockGrant.Busy(last.lease().get());
            }
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "acquiring " + key + " kept colliding with other clients");
        });
    }

    @Override
    public RenewResult renew(LockKey key, String runId, long epoch, Instant now) {
        TenantConfig tenant = tenant(key.tenant());
        return guard("renewing " + key, () -> {
            BigQueryWarehouse w = ready(tenant);
            Row row = requiredRow(tenant, key);
            Optional<Lease> current = row.lease();
            if (current.isPresent() && current.get().epoch() == epoch && current.get().runId().equals(runId) && !current.get().isExpired(now)) {
                Lease lease = current.get();
                Instant expires = now.plus(lease.leaseDuration());
                long changed;
                try {
                    changed = dml(w, BoundSql.builder().append("UPDATE " + w.dialect().quoteTable(locks(tenant)) + " SET heartbeat_at = ")
                            .bind(time(now)).append(", expires_at = ").bind(time(expires))
                            .append(" WHERE tenant = ").bind(text(key.tenant())).append(" AND pipeline = ").bind(text(key.pipeline()))
                            .append(" AND epoch = ").bind(number(epoch)).append(" AND run_id = ").bind(text(runId))
                            .append(" AND expires_at > ").bind(time(now)).build(), "renewing " + key, true);
                } catch (ConvergenceException e) {
                    if (!isConflict(e)) {
                        throw e;
                    }
                    changed = 0;
                }
                if (changed == 1) {
                    return new RenewResult.Renewed(new Lease(key, lease.holder(), epoch, lease.acquiredAt(), now, expires));
                }
                row = requiredRow(tenant, key);
                current = row.lease();
            }
            return lost(current, runId, epoch, now);
        });
    }

    private static RenewResult.Lost lost(Optional<Lease> current, String runId, long epoch, Instant now) {
        if (current.isEmpty()) {
            return new RenewResult.Lost(LossReason.RELEASED, Optional.empty());
        }
        Lease lease = current.get();
        if (lease.epoch() == epoch && lease.runId().equals(runId)) {
            return new RenewResult.Lost(LossReason.EXPIRED, current);
        }
        if (lease.epoch() > epoch) {
            return new RenewResult.Lost(LossReason.TAKEN_OVER, current);
        }
        return new RenewResult.Lost(LossReason.RELEASED, current);
    }

    @Override
    public boolean release(LockKey key, String runId, long epoch) {
        TenantConfig tenant = tenant(key.tenant());
        return guard("releasing " + key, () -> {
            BigQueryWarehouse w = ready(tenant);
            return dml(w, BoundSql.builder().append("UPDATE " + w.dialect().quoteTable(locks(tenant)) + " SET run_id = NULL, host = NULL,"
                            + " user_name = NULL, pid = NULL, acquired_at = NULL, heartbeat_at = NULL, expires_at = NULL WHERE tenant = ")
                    .bind(text(key.tenant())).append(" AND pipeline = ").bind(text(key.pipeline()))
                    .append(" AND epoch = ").bind(number(epoch)).append(" AND run_id = ").bind(text(runId)).build(),
                    "releasing " + key, true) == 1;
        });
    }

    @Override
    public Optional<ForceRelease> forceRelease(LockKey key, String by, String reason, Instant now) {
        TenantConfig tenant = tenant(key.tenant());
        return guard("force-releasing " + key, () -> {
            BigQueryWarehouse w = ready(tenant);
            for (int round = 1; round <= ACQUIRE_ROUNDS; round++) {
                Optional<Lease> current = requiredRow(tenant, key).lease();
                if (current.isEmpty()) {
                    return Optional.<ForceRelease>empty();
                }
                Lease lease = current.get();
                boolean released = release(key, lease.runId(), lease.epoch());
                if (!released) {
                    continue;
                }
                ForceRelease entry = new ForceRelease(key, lease.holder(), lease.epoch(), by, reason, now);
                dml(w, BoundSql.builder().append("INSERT INTO " + w.dialect().quoteTable(audit(tenant)) + " (tenant, pipeline,"
                                + " previous_run_id, previous_host, previous_user, previous_pid, previous_epoch, released_by, reason, released_at)"
                                + " VALUES (").bind(text(key.tenant())).append(", ").bind(text(key.pipeline())).append(", ")
                        .bind(text(lease.runId())).append(", ").bind(text(lease.holder().host())).append(", ")
                        .bind(text(lease.holder().user())).append(", ").bind(number(lease.holder().pid())).append(", ")
                        .bind(number(lease.epoch())).append(", ").bind(text(by)).append(", ").bind(text(reason)).append(", ")
                        .bind(time(now)).append(")").build(), "auditing the force release of " + key, true);
                LOG.info("force-released {} (epoch {}) held by {}: {}", key, lease.epoch(), lease.holder().describe(), reason);
                return Optional.of(entry);
            }
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "force-releasing " + key + " kept colliding with other clients");
        });
    }

    @Override
    public List<Lease> currentLeases() {
        return guard("listing locks", () -> {
            List<Lease> out = new ArrayList<>();
            for (List<Object> row : everyTenant("run_id IS NOT NULL", List.of())) {
                lease(row).ifPresent(out::add);
            }
            out.sort(Comparator.comparing((Lease l) -> l.key().tenant()).thenComparing(l -> l.key().pipeline()));
            return List.copyOf(out);
        });
    }

    @Override
    public Optional<Lease> lease(LockKey key) {
        TenantConfig tenant = tenant(key.tenant());
        return guard("reading " + key, () -> row(tenant, key).flatMap(Row::lease));
    }

    @Override
    public List<Lease> expiredLeases(Instant now) {
        return guard("listing expired locks", () -> {
            List<Lease> out = new ArrayList<>();
            for (List<Object> row : everyTenant("run_id IS NOT NULL AND expires_at <= ?", List.of(time(now)))) {
                lease(row).ifPresent(out::add);
            }
            out.sort(Comparator.comparing((Lease l) -> l.key().tenant()).thenComparing(l -> l.key().pipeline()));
            return List.copyOf(out);
        });
    }

    /** Lock rows matching {@code where} in every tenant's metadata dataset (each dataset read once). */
    private List<List<Object>> everyTenant(String where, List<ParameterValue> parameters) {
        List<List<Object>> rows = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (TenantConfig tenant : tenants.values()) {
            if (!seen.add(tenant.location() + "/" + MetadataDataset.of(tenant))) {
                continue;
            }
            BigQueryWarehouse w = ready(tenant);
            QueryResult r = w.quickQuery(new BoundSql("SELECT " + LEASE_COLUMNS + " FROM " + w.dialect().quoteTable(locks(tenant))
                    + " WHERE " + where, parameters), Integer.MAX_VALUE - 1);
            for (List<Object> row : r.rows()) {
                if (tenants.containsKey((String) row.get(0))) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    @Override
    public List<ForceRelease> forceReleaseHistory(Optional<LockKey> key, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return guard("reading the lock audit", () -> {
            List<ForceRelease> out = new ArrayList<>();
            Set<String> seen = new java.util.HashSet<>();
            for (TenantConfig tenant : tenants.values()) {
                if (key.isPresent() && !key.get().tenant().equals(tenant.id()) || !seen.add(tenant.location() + "/" + MetadataDataset.of(tenant))) {
                    continue;
                }
                BigQueryWarehouse w = ready(tenant);
                BoundSql.Builder sql = BoundSql.builder().append("SELECT tenant, pipeline, previous_run_id, previous_host, previous_user,"
                        + " previous_pid, previous_epoch, released_by, reason, released_at FROM " + w.dialect().quoteTable(audit(tenant)));
                if (key.isPresent()) {
                    sql.append(" WHERE tenant = ").bind(text(key.get().tenant())).append(" AND pipeline = ").bind(text(key.get().pipeline()));
                }
                sql.append(" ORDER BY released_at DESC, previous_epoch DESC LIMIT " + limit);
                for (List<Object> row : w.quickQuery(sql.build(), limit).rows()) {
                    if (!tenants.containsKey((String) row.get(0))) {
                        continue;
                    }
                    LockHolder holder = new LockHolder(nullToEmpty(row.get(3)), nullToEmpty(row.get(4)),
                            row.get(5) == null ? 0 : ((Number) row.get(5)).longValue(), (String) row.get(2));
                    out.add(new ForceRelease(new LockKey((String) row.get(0), (String) row.get(1)), holder, ((Number) row.get(6)).longValue(),
                            (String) row.get(7), (String) row.get(8), (Instant) row.get(9)));
                }
            }
            out.sort(Comparator.comparing(ForceRelease::at).thenComparing(ForceRelease::previousEpoch).reversed());
            return List.copyOf(out.subList(0, Math.min(limit, out.size())));
        });
    }

    @Override
    public boolean validateEpoch(LockKey key, long epoch, Instant now) {
        return lease(key).map(l -> l.epoch() == epoch && !l.isExpired(now)).orElse(false);
    }

    @Override
    public String describe() {
        BigQueryTarget target = metadata.target();
        String endpoint = target.endpoint() == null || target.endpoint().isBlank() ? "" : " at " + target.endpoint();
        return "BigQuery lock tables (" + MetadataDataset.LOCKS + " in each tenant's metadata dataset) of project " + target.project() + endpoint;
    }

    @Override
    public void close() {
        metadata.close();
    }
}
