package io.convergence.app.health;

import static java.util.Objects.requireNonNull;

import io.convergence.app.ui.TaskExecutor;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.health.Doctor;
import io.convergence.engine.health.HealthCheck;
import io.convergence.engine.health.TargetCheck;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;

/**
 * Connections and health: the targets of workspace.yml, each with a "check" (open and {@code select 1}), and the
 * doctor's checks with their fixes. The same checks as {@code convergence doctor}, run on the task executor.
 */
public final class HealthViewModel {
    /** A target as the connections list shows it. */
    public record TargetRow(String name, String kind, String detail, boolean isDefault) {
        public TargetRow {
            requireNonNull(name, "name is null");
            requireNonNull(kind, "kind is null");
            requireNonNull(detail, "detail is null");
        }
    }

    private final TaskExecutor executor;
    private final Doctor doctor;
    private final UnaryOperator<WorkspaceConfig> settings;
    private final Clock clock;
    private final ObservableList<TargetRow> targets = FXCollections.observableArrayList();
    private final ObservableMap<String, HealthCheck> targetResults = FXCollections.observableHashMap();
    private final ObservableList<HealthCheck> checks = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private LoadedWorkspace workspace;

    public HealthViewModel(TaskExecutor executor, Doctor doctor, UnaryOperator<WorkspaceConfig> settings, Clock clock) {
        this.executor = requireNonNull(executor, "executor is null");
        this.doctor = requireNonNull(doctor, "doctor is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Shows the targets of a (re)loaded workspace; earlier results are cleared. */
    public void setWorkspace(LoadedWorkspace loaded) {
        this.workspace = loaded;
        targetResults.clear();
        checks.clear();
        summary.set("");
        if (loaded == null) {
            targets.clear();
            return;
        }
        WorkspaceConfig config = settings.apply(loaded.config());
        targets.setAll(new TreeMap<>(config.targets()).entrySet().stream()
                .map(e -> new TargetRow(e.getKey(), kind(e.getValue()), detail(e.getValue()), e.getKey().equals(config.defaultTarget())))
                .toList());
    }

    private static String kind(Target target) {
        if (target instanceof DuckDbTarget) {
            return "duckdb";
        }
        return target instanceof BigQueryTarget ? "bigquery" : target.getClass().getSimpleName();
    }

    private static String detail(Target target) {
        if (target instanceof DuckDbTarget duck) {
            return "file " + duck.path();
        }
        if (target instanceof BigQueryTarget bq) {
            // the credentials setting names a mechanism or a file path, never a secret itself
            return "project " + bq.project() + ", location " + bq.location() + ", credentials " + bq.credentials();
        }
        return "";
    }

    /** Opens the target and asks it {@code select 1}. */
    public void checkTarget(String name) {
        LoadedWorkspace current = workspace;
        if (current == null) {
            return;
        }
        Target target = settings.apply(current.config()).targets().get(name);
        if (target == null) {
            return;
        }
        targetResults.remove(name);
        Path root = current.root();
        executor.execute(() -> TargetCheck.check(root, name, target, clock), result -> targetResults.put(name, result),
                failed -> targetResults.put(name, HealthCheck.fail("target." + name, "Target '" + name + "' answers",
                        String.valueOf(failed.getMessage()), "see the log")));
    }

    /** Runs every doctor check on the default target. */
    public void runDoctor() {
        LoadedWorkspace current = workspace;
        if (current == null || busy.get()) {
            return;
        }
        busy.set(true);
        summary.set("Checking ...");
        executor.execute(() -> doctor.check(current.root(), Optional.empty()), results -> {
            busy.set(false);
            checks.setAll(results);
            long failed = results.stream().filter(HealthCheck::failed).count();
            summary.set(failed == 0 ? "Healthy: " + results.size() + " checks passed" + (results.stream()
                    .anyMatch(c -> c.status() == io.convergence.engine.health.HealthStatus.WARN) ? " (with warnings)" : "")
                    : failed + " of " + results.size() + " checks failed");
        }, failed -> {
            busy.set(false);
            summary.set("The doctor failed: " + failed.getMessage());
        });
    }

    public ObservableList<TargetRow> targets() {
        return targets;
    }

    /** Results of target checks by target name. */
    public ObservableMap<String, HealthCheck> targetResults() {
        return targetResults;
    }

    public ObservableList<HealthCheck> checks() {
        return checks;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }
}
