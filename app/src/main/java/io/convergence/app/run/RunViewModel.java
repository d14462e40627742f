package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import io.convergence.app.ui.TaskExecutor;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.Step;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.plan.PlanUnit;
import io.convergence.engine.plan.StepEdge;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * One run as the live run view shows it. Engine events arrive on engine threads into an {@link EventBuffer};
 * {@link #applyPending()} (called by the view at a bounded rate on the FX thread, or by tests directly) folds a
 * whole batch into plain arrays and bumps {@link #revisionProperty()} once, so the canvases redraw once per batch
 * however many partitions changed. Logs and check results are observable lists, appended once per batch.
 */
public final class RunViewModel {
    /** Logs kept per run view; older lines are dropped (history keeps them all). */
    public static final int MAX_LOGS = 20_000;
    /** The step filter's value for "every step". */
    public static final String ALL_STEPS = "All steps";

    /** Minimum log level shown. */
    public enum LogLevel { ALL, INFO, WARN, ERROR }

    /** The latest state of one unit (a step, or one partition of a step). Mutated only by {@link #applyPending()}. */
    public static final class Cell {
        private RunState state = RunState.QUEUED;
        private int attempt;
        private long rows;
        private long bytes;
        private Instant startedAt;
        private Instant finishedAt;
        private Duration duration;
        private String errorCode;
        private String errorMessage;

        public RunState state() {
            return state;
        }

        public int attempt() {
            return attempt;
        }

        public long rows() {
            return rows;
        }

        public long bytes() {
            return bytes;
        }

        public Optional<Instant> startedAt() {
            return Optional.ofNullable(startedAt);
        }

        public Optional<Instant> finishedAt() {
            return Optional.ofNullable(finishedAt);
        }

        public Optional<Duration> duration() {
            return Optional.ofNullable(duration);
        }

        public Optional<String> errorCode() {
            return Optional.ofNullable(errorCode);
        }

        public Optional<String> errorMessage() {
            return Optional.ofNullable(errorMessage);
        }

        /** Applies a state change; true when the cell just became terminal. */
        boolean apply(Instant at, RunState newState, int newAttempt, long newRows, long newBytes, Duration newDuration,
                String code, String message) {
            boolean wasTerminal = state.isTerminal();
            state = newState;
            attempt = newAttempt;
            rows = newRows;
            bytes = newBytes;
            if (newState == RunState.RUNNING && startedAt == null) {
                startedAt = at;
            }
            if (newState.isTerminal()) {
                finishedAt = at;
                duration = newDuration;
                if (startedAt == null && newDuration != null) {
                    startedAt = at.minus(newDuration);
                }
            }
            errorCode = code;
            errorMessage = message;
            return newState.isTerminal() && !wasTerminal;
        }
    }

    /** A log line as the logs table shows it. */
    public record LogRow(Instant at, String step, String partition, String level, String message) {
        public LogRow {
            requireNonNull(at, "at is null");
            step = step == null ? "" : step;
            partition = partition == null ? "" : partition;
            requireNonNull(level, "level is null");
            requireNonNull(message, "message is null");
        }
    }

    /** A data-quality check result. */
    public record CheckRow(String step, String partition, String check, String type, String severity, boolean passed,
            long failingRows, String detail) {
        public CheckRow {
            requireNonNull(step, "step is null");
            partition = partition == null ? "" : partition;
            requireNonNull(check, "check is null");
            type = type == null ? "" : type;
            severity = severity == null ? "" : severity;
            detail = detail == null ? "" : detail;
        }
    }

    /** The first failure of the run: the step (and partition) that failed, and why. */
    public record Failure(Optional<String> stepId, Optional<String> partition, String errorCode, String message) {
        public Failure {
            requireNonNull(stepId, "stepId is null");
            requireNonNull(partition, "partition is null");
            errorCode = errorCode == null ? "" : errorCode;
            message = message == null ? "" : message;
        }

        /** {@code step[partition]}, {@code step}, or "the run". */
        public String where() {
            return stepId.map(s -> new UnitKey(s, partition).toString()).orElse("the run");
        }
    }

    private final String pipeline;
    private final String target;
    private final Plan plan;
    private final TaskExecutor executor;
    private final Consumer<String> resumer;
    private final EventBuffer buffer = new EventBuffer();

    private final List<String> stepIds;
    private final List<String> partitionKeys;
    private final Map<String, Integer> stepIndex = new HashMap<>();
    private final Map<String, Integer> partitionIndex = new HashMap<>();
    private final Cell[] stepCells;
    private final Cell[][] partitionCells;
    private final List<Cell> unitCells;
    private final List<String> unitLabels;
    private int terminalUnits;
    private long eventsApplied;
    private long batchesApplied;
    private Instant lastEventAt;

    private final ReadOnlyStringWrapper runId = new ReadOnlyStringWrapper(this, "runId", "");
    private final ReadOnlyObjectWrapper<RunState> state = new ReadOnlyObjectWrapper<>(this, "state", RunState.QUEUED);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "Starting...");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress");
    private final ReadOnlyStringWrapper counts = new ReadOnlyStringWrapper(this, "counts", "");
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");
    private final ReadOnlyObjectWrapper<Failure> failure = new ReadOnlyObjectWrapper<>(this, "failure");
    private final ReadOnlyBooleanWrapper canCancel = new ReadOnlyBooleanWrapper(this, "canCancel");
    private final ReadOnlyBooleanWrapper canResume = new ReadOnlyBooleanWrapper(this, "canResume");
    private final ReadOnlyObjectWrapper<Instant> startedAt = new ReadOnlyObjectWrapper<>(this, "startedAt");
    private final ReadOnlyObjectWrapper<Instant> finishedAt = new ReadOnlyObjectWrapper<>(this, "finishedAt");
    private final ObjectProperty<String> stepFilter = new SimpleObjectProperty<>(this, "stepFilter", ALL_STEPS);
    private final ObjectProperty<LogLevel> levelFilter = new SimpleObjectProperty<>(this, "levelFilter", LogLevel.ALL);
    private final ObservableList<LogRow> logs = FXCollections.observableArrayList();
    private final FilteredList<LogRow> visibleLogs = new FilteredList<>(logs);
    private final FilteredList<LogRow> failureLogs = new FilteredList<>(logs, row -> false);
    private final ObservableList<CheckRow> checks = FXCollections.observableArrayList();
    private final ObservableList<String> stepChoices = FXCollections.observableArrayList();

    private RunControl control;

    /**
     * @param resumer starts {@code run --resume} of a run id (the session opens its view)
     */
    public RunViewModel(String pipeline, String target, Plan plan, TaskExecutor executor, Consumer<String> resumer) {
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.target = requireNonNull(target, "target is null");
        this.plan = requireNonNull(plan, "plan is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.resumer = requireNonNull(resumer, "resumer is null");
        this.stepIds = plan.steps().stream().map(Step::id).toList();
        this.partitionKeys = plan.partitions().stream().map(PartitionWindow::key).toList();
        for (int i = 0; i < stepIds.size(); i++) {
            stepIndex.put(stepIds.get(i), i);
        }
        for (int i = 0; i < partitionKeys.size(); i++) {
            partitionIndex.put(partitionKeys.get(i), i);
        }
        stepCells = new Cell[stepIds.size()];
        partitionCells = new Cell[stepIds.size()][];
        for (int s = 0; s < stepIds.size(); s++) {
            stepCells[s] = new Cell();
            if (plan.isPartitioned(stepIds.get(s))) {
                partitionCells[s] = new Cell[partitionKeys.size()];
                for (int p = 0; p < partitionKeys.size(); p++) {
                    partitionCells[s][p] = new Cell();
                }
            }
        }
        List<Cell> units = new ArrayList<>(plan.unitCount());
        List<String> labels = new ArrayList<>(plan.unitCount());
        for (PlanUnit unit : plan.units()) {
            int s = stepIndex.get(unit.stepId());
            units.add(unit.partitionKey().map(key -> partitionCells[s][partitionIndex.get(key)]).orElse(stepCells[s]));
            labels.add(unit.key().toString());
        }
        this.unitCells = List.copyOf(units);
        this.unitLabels = List.copyOf(labels);
        stepChoices.add(ALL_STEPS);
        stepChoices.addAll(stepIds);
        stepFilter.addListener((o, a, b) -> updateLogFilter());
        levelFilter.addListener((o, a, b) -> updateLogFilter());
        updateLogFilter();
        counts.set(countText());
    }

    /** The listener to give the engine; it only buffers, so it is safe on any thread and never blocks for long. */
    public RunEventListener listener() {
        return buffer;
    }

    /** Connects the started run, for cancel. */
    public void attach(RunControl run) {
        this.control = requireNonNull(run, "run is null");
        if (runId.get().isEmpty()) {
            runId.set(run.runId());
        }
        canCancel.set(!state.get().isTerminal());
    }

    /** Folds every buffered event into the view state; returns how many were applied. Call on the UI thread. */
    public int applyPending() {
        List<RunEvent> batch = buffer.drain();
        if (batch.isEmpty()) {
            return 0;
        }
        List<LogRow> newLogs = new ArrayList<>();
        List<CheckRow> newChecks = new ArrayList<>();
        for (RunEvent event : batch) {
            apply(event, newLogs, newChecks);
        }
        if (!newLogs.isEmpty()) {
            logs.addAll(newLogs);
            if (logs.size() > MAX_LOGS) {
                logs.remove(0, logs.size() - MAX_LOGS);
            }
        }
        if (!newChecks.isEmpty()) {
            checks.addAll(newChecks);
        }
        eventsApplied += batch.size();
        batchesApplied++;
        int total = unitCells.size();
        progress.set(total == 0 ? 1.0 : (double) terminalUnits / total);
        counts.set(countText());
        revision.set(revision.get() + 1);
        return batch.size();
    }

    private void apply(RunEvent event, List<LogRow> newLogs, List<CheckRow> newChecks) {
        lastEventAt = event.at();
        if (event instanceof RunEvent.PartitionStateChanged p) {
            Integer s = stepIndex.get(p.stepId());
            Integer i = partitionIndex.get(p.partition());
            if (s == null || i == null || partitionCells[s] == null) {
                return;
            }
            if (partitionCells[s][i].apply(p.at(), p.state(), p.attempt(), p.rows(), p.bytes(), p.duration(), p.errorCode(),
                    p.errorMessage())) {
                terminalUnits++;
            }
            if (p.state() == RunState.FAILED) {
                noteFailure(Optional.of(p.stepId()), Optional.of(p.partition()), p.errorCode(), p.errorMessage());
            }
        } else if (event instanceof RunEvent.StepStateChanged st) {
            Integer s = stepIndex.get(st.stepId());
            if (s == null) {
                return;
            }
            boolean becameTerminal = stepCells[s].apply(st.at(), st.state(), st.attempt(), st.rows(), st.bytes(), st.duration(),
                    st.errorCode(), st.errorMessage());
            // a partitioned step's units are its partitions; its own row is only an aggregate
            if (becameTerminal && partitionCells[s] == null) {
                terminalUnits++;
            }
            if (st.state() == RunState.FAILED) {
                noteFailure(Optional.of(st.stepId()), Optional.empty(), st.errorCode(), st.errorMessage());
            }
        } else if (event instanceof RunEvent.LogLine log) {
            newLogs.add(new LogRow(log.at(), log.stepId(), log.partition(), log.level(), log.message()));
        } else if (event instanceof RunEvent.CheckEvaluated c) {
            newChecks.add(new CheckRow(c.stepId(), c.partition(), c.checkName(), c.checkType(), c.severity(), c.passed(),
                    c.failingRows(), c.detail()));
            if (!c.passed()) {
                newLogs.add(new LogRow(c.at(), c.stepId(), c.partition(), "WARN", "check " + c.checkName() + " failed: "
                        + c.failingRows() + " failing rows" + (c.detail() == null ? "" : " (" + c.detail() + ")")));
            }
        } else if (event instanceof RunEvent.LockChanged lock) {
            newLogs.add(new LogRow(lock.at(), null, null, "INFO", "lock " + lock.change().toLowerCase(Locale.ROOT) + " (epoch "
                    + lock.epoch() + ")" + (lock.detail() == null ? "" : ": " + lock.detail())));
        } else if (event instanceof RunEvent.RunStarted started) {
            runId.set(started.runId());
            startedAt.set(started.at());
            state.set(RunState.RUNNING);
            message.set("Running on " + started.target() + (started.resumedFrom() == null ? "" : ", resuming " + started.resumedFrom()));
            canCancel.set(control != null);
        } else if (event instanceof RunEvent.RunFinished finished) {
            finishedAt.set(finished.at());
            state.set(finished.state());
            if (finished.state() == RunState.FAILED) {
                noteFailure(Optional.empty(), Optional.empty(), finished.errorCode(), finished.errorMessage());
            }
            message.set(finished.state() + " in " + formatDuration(finished.duration())
                    + (finished.errorMessage() == null ? "" : ": " + ConvergenceException.headline(finished.errorMessage())));
            canCancel.set(false);
            canResume.set(finished.state() != RunState.SUCCEEDED);
        }
    }

    private void noteFailure(Optional<String> step, Optional<String> partition, String code, String text) {
        if (failure.get() == null) {
            failure.set(new Failure(step, partition, code, text));
            String failedStep = step.orElse(null);
            failureLogs.setPredicate(row -> failedStep == null || failedStep.equals(row.step()));
        }
    }

    private void updateLogFilter() {
        String step = stepFilter.get();
        LogLevel level = levelFilter.get() == null ? LogLevel.ALL : levelFilter.get();
        visibleLogs.setPredicate(row -> (step == null || ALL_STEPS.equals(step) || step.equals(row.step()))
                && rank(row.level()) >= level.ordinal());
    }

    private static int rank(String level) {
        return switch (level.toUpperCase(Locale.ROOT)) {
            case "ERROR" -> LogLevel.ERROR.ordinal();
            case "WARN", "WARNING" -> LogLevel.WARN.ordinal();
            case "INFO" -> LogLevel.INFO.ordinal();
            default -> LogLevel.ALL.ordinal();
        };
    }

    private String countText() {
        int succeeded = 0;
        int failed = 0;
        int running = 0;
        for (Cell cell : unitCells) {
            switch (cell.state) {
                case SUCCEEDED, SKIPPED -> succeeded++;
                case FAILED, CANCELLED, INTERRUPTED -> failed++;
                case RUNNING -> running++;
                default -> { }
            }
        }
        return terminalUnits + "/" + unitCells.size() + " units done: " + succeeded + " ok, " + failed + " failed, "
                + running + " running";
    }

    /** Cancels the run: the engine stops its work, the run ends CANCELLED. */
    public void cancel() {
        RunControl run = control;
        if (run == null || !canCancel.get()) {
            return;
        }
        canCancel.set(false);
        message.set("Cancelling...");
        executor.execute(() -> {
            run.cancel();
            return null;
        }, ignored -> { }, failed -> message.set("Cancel failed: " + failed.getMessage()));
    }

    /** Starts {@code run --resume} of this run: only what did not succeed runs again. */
    public void resume() {
        if (canResume.get() && !runId.get().isEmpty()) {
            resumer.accept(runId.get());
        }
    }

    public String pipeline() {
        return pipeline;
    }

    public String target() {
        return target;
    }

    public Plan plan() {
        return plan;
    }

    public List<String> stepIds() {
        return stepIds;
    }

    public List<String> partitionKeys() {
        return partitionKeys;
    }

    public List<StepEdge> edges() {
        return plan.edges();
    }

    /** Step ids by level, for the layered DAG. */
    public List<List<String>> levels() {
        return plan.levels().stream().map(level -> level.stream().map(Step::id).toList()).toList();
    }

    public boolean isPartitioned(int step) {
        return partitionCells[step] != null;
    }

    /** The whole step's state (for a partitioned step: the aggregate). */
    public Cell stepCell(int step) {
        return stepCells[step];
    }

    public Optional<Cell> stepCell(String stepId) {
        Integer s = stepIndex.get(stepId);
        return s == null ? Optional.empty() : Optional.of(stepCells[s]);
    }

    /** The cell of one partition of a partitioned step, or the step's own cell when it runs once. */
    public Cell cell(int step, int partition) {
        return partitionCells[step] == null ? stepCells[step] : partitionCells[step][partition];
    }

    /** Units in plan order (the timeline's rows). */
    public List<Cell> units() {
        return unitCells;
    }

    public String unitLabel(int unit) {
        return unitLabels.get(unit);
    }

    /** Time of the newest applied event: "now" for the timeline of a run in flight. */
    public Optional<Instant> lastEventAt() {
        return Optional.ofNullable(lastEventAt);
    }

    public long eventsApplied() {
        return eventsApplied;
    }

    public long batchesApplied() {
        return batchesApplied;
    }

    public long eventsReceived() {
        return buffer.received();
    }

    public ReadOnlyStringProperty runIdProperty() {
        return runId.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<RunState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Share of units in a terminal state, 0 to 1. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty countsProperty() {
        return counts.getReadOnlyProperty();
    }

    /** Bumped once per applied batch: the canvases redraw when it changes. */
    public ReadOnlyLongProperty revisionProperty() {
        return revision.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Failure> failureProperty() {
        return failure.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canCancelProperty() {
        return canCancel.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canResumeProperty() {
        return canResume.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Instant> startedAtProperty() {
        return startedAt.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Instant> finishedAtProperty() {
        return finishedAt.getReadOnlyProperty();
    }

    public ObjectProperty<String> stepFilterProperty() {
        return stepFilter;
    }

    public ObjectProperty<LogLevel> levelFilterProperty() {
        return levelFilter;
    }

    /** Logs passing the step and level filters. */
    public ObservableList<LogRow> visibleLogs() {
        return visibleLogs;
    }

    /** Every log line kept (at most {@link #MAX_LOGS}). */
    public ObservableList<LogRow> logs() {
        return FXCollections.unmodifiableObservableList(logs);
    }

    /** Logs of the failed step, for the failure focus. */
    public ObservableList<LogRow> failureLogs() {
        return failureLogs;
    }

    public ObservableList<CheckRow> checks() {
        return checks;
    }

    /** "All steps" then the step ids, for the log filter. */
    public ObservableList<String> stepChoices() {
        return stepChoices;
    }

    /** {@code 1m 05s}, {@code 850 ms}. */
    public static String formatDuration(Duration d) {
        if (d == null) {
            return "";
        }
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        long seconds = d.toSeconds();
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
}
