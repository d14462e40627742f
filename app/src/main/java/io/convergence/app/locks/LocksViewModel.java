package io.convergence.app.locks;

import static java.util.Objects.requireNonNull;

import io.convergence.app.ui.TaskExecutor;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.lock.ForceRelease;
import io.convergence.engine.lock.Lease;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.service.RunService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The locks screen: every lease in the workspace's state store (this process's and others'), refreshed on
 * demand, and force release of the selected one with a required reason (audited, and recorded in the holder
 * run's history through {@code WorkspaceState.forceRelease}).
 */
public final class LocksViewModel {
    /** Above this share of its lease, a lock is highlighted: its holder missed a heartbeat or two. */
    public static final double HIGHLIGHT_PERCENT = 50.0;

    /** One held lock as the table shows it. */
    public record LockRow(String tenant, String pipeline, String host, String user, long pid, String runId, long epoch,
            Duration age, double leaseUsedPercent, Instant expiresAt, boolean expired) {
        public LockRow {
            requireNonNull(tenant, "tenant is null");
            requireNonNull(pipeline, "pipeline is null");
            requireNonNull(host, "host is null");
            requireNonNull(user, "user is null");
            requireNonNull(runId, "runId is null");
            requireNonNull(age, "age is null");
            requireNonNull(expiresAt, "expiresAt is null");
        }

        static LockRow of(Lease lease, Instant now) {
            return new LockRow(lease.key().tenant(), lease.key().pipeline(), lease.holder().host(), lease.holder().user(),
                    lease.holder().pid(), lease.runId(), lease.epoch(), lease.age(now), lease.leaseUsedPercent(now),
                    lease.expiresAt(), lease.isExpired(now));
        }

        public String key() {
            return tenant + "/" + pipeline;
        }

        public boolean overHalfLease() {
            return leaseUsedPercent > HIGHLIGHT_PERCENT;
        }
    }

    private final TaskExecutor executor;
    private final Supplier<Optional<RunService>> service;
    private final Clock clock;
    private final String operator;
    private final ObservableList<LockRow> locks = FXCollections.observableArrayList();
    private final ObjectProperty<LockRow> selected = new SimpleObjectProperty<>(this, "selected");
    private final StringProperty reason = new SimpleStringProperty(this, "reason", "");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final BooleanBinding canRelease;
    private boolean refreshing;

    /**
     * @param operator who force releases, as the audit records it ({@code user@host})
     */
    public LocksViewModel(TaskExecutor executor, Supplier<Optional<RunService>> service, Clock clock, String operator) {
        this.executor = requireNonNull(executor, "executor is null");
        this.service = requireNonNull(service, "service is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.operator = requireNonNull(operator, "operator is null");
        canRelease = Bindings.createBooleanBinding(() -> selected.get() != null && reason.get() != null && !reason.get().isBlank(),
                selected, reason);
    }

    /** {@code user@host} of this process, for the audit. */
    public static String currentOperator() {
        LockHolder me = LockHolder.current("app");
        return me.user() + "@" + me.host();
    }

    /** Reads the leases again (background); a refresh still running is not doubled. */
    public void refresh() {
        Optional<RunService> current = service.get();
        if (current.isEmpty() || refreshing) {
            return;
        }
        refreshing = true;
        executor.execute(() -> {
            Instant now = clock.instant();
            return current.get().locks().currentLeases().stream()
                    .sorted(Comparator.comparing((Lease l) -> l.key().tenant()).thenComparing(l -> l.key().pipeline()))
                    .map(l -> LockRow.of(l, now)).toList();
        }, rows -> {
            refreshing = false;
            String keep = selected.get() == null ? null : selected.get().key();
            locks.setAll(rows);
            selected.set(rows.stream().filter(r -> r.key().equals(keep)).findFirst().orElse(null));
        }, failed -> {
            refreshing = false;
            message.set("Could not read locks: " + describe(failed));
        });
    }

    /** The question the confirmation dialog asks. */
    public String confirmationText() {
        LockRow row = selected.get();
        if (row == null) {
            return "";
        }
        return "Force-release " + row.key() + "?\n\nRun " + row.runId() + " on " + row.host() + " (user " + row.user() + ", pid "
                + row.pid() + ") loses the lock: it can no longer publish, and history marks it INTERRUPTED.\n\nReason: "
                + reason.get().strip();
    }

    /** Force-releases the selected lock with the reason (confirm first: the view asks). */
    public void forceRelease() {
        LockRow row = selected.get();
        String why = reason.get();
        Optional<RunService> current = service.get();
        if (row == null || why == null || why.isBlank() || current.isEmpty()) {
            message.set("Select a lock and give a reason first");
            return;
        }
        LockKey key = new LockKey(row.tenant(), row.pipeline());
        executor.execute(() -> current.get().state().forceRelease(key, operator, why), (ForceRelease released) -> {
            message.set("Released " + key + " (epoch " + released.previousEpoch() + ") held by run "
                    + released.previousHolder().runId() + "; that run can no longer publish");
            reason.set("");
            refresh();
        }, failed -> {
            message.set("Could not release " + key + ": " + describe(failed));
            refresh();
        });
    }

    private static String describe(Throwable failure) {
        if (failure instanceof ConvergenceException convergence) {
            return convergence.describe();
        }
        return String.valueOf(failure.getMessage());
    }

    public ObservableList<LockRow> locks() {
        return locks;
    }

    public List<LockRow> snapshot() {
        return List.copyOf(locks);
    }

    public ObjectProperty<LockRow> selectedProperty() {
        return selected;
    }

    public StringProperty reasonProperty() {
        return reason;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** A lock is selected and a reason given. */
    public BooleanBinding canReleaseProperty() {
        return canRelease;
    }
}
