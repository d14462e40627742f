package io.convergence.app.history;

import static java.util.Objects.requireNonNull;

import io.convergence.app.run.RunViewModel;
import io.convergence.app.ui.TaskExecutor;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.HistoryStore;
import io.convergence.engine.history.RunComparison;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.RunService;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The history screen: runs filtered by tenant, pipeline, state and day range, one page at a time through the
 * keyset cursor (constant cost per page at any depth), the selected run's detail, a comparison of two runs, and
 * duration and rows over time for one pipeline.
 */
public final class HistoryViewModel {
    /** Runs per page. */
    public static final int PAGE_SIZE = 50;
    /** Runs plotted in the charts. */
    public static final int CHART_RUNS = 200;
    /** The value of the tenant and pipeline filters that means "any". */
    public static final String ANY = "";

    /** One point of the charts: a run's start, duration in seconds and rows. */
    public record ChartPoint(Instant startedAt, double durationSeconds, long rows, RunState state) {
        public ChartPoint {
            requireNonNull(startedAt, "startedAt is null");
            requireNonNull(state, "state is null");
        }
    }

    private record Page(List<RunSummary> runs, long total, boolean more) {
    }

    private final TaskExecutor executor;
    private final Supplier<Optional<RunService>> service;
    private final ZoneId zone;
    private final StringProperty tenant = new SimpleStringProperty(this, "tenant", ANY);
    private final StringProperty pipeline = new SimpleStringProperty(this, "pipeline", ANY);
    private final ObjectProperty<RunState> state = new SimpleObjectProperty<>(this, "state");
    private final ObjectProperty<LocalDate> since = new SimpleObjectProperty<>(this, "since");
    private final ObjectProperty<LocalDate> until = new SimpleObjectProperty<>(this, "until");
    private final IntegerProperty pageSize = new SimpleIntegerProperty(this, "pageSize", PAGE_SIZE);
    private final ObservableList<RunSummary> runs = FXCollections.observableArrayList();
    private final ObservableList<String> tenants = FXCollections.observableArrayList();
    private final ObservableList<String> pipelines = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper pageText = new ReadOnlyStringWrapper(this, "pageText", "");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyBooleanWrapper hasNext = new ReadOnlyBooleanWrapper(this, "hasNext");
    private final ReadOnlyBooleanWrapper hasPrevious = new ReadOnlyBooleanWrapper(this, "hasPrevious");
    private final ReadOnlyObjectWrapper<RunDetail> detail = new ReadOnlyObjectWrapper<>(this, "detail");
    private final ReadOnlyObjectWrapper<RunComparison> comparison = new ReadOnlyObjectWrapper<>(this, "comparison");
    private final ObservableList<ChartPoint> chart = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper chartTitle = new ReadOnlyStringWrapper(this, "chartTitle", "");
    // cursors of the pages before the current one (the first page has none)
    private final Deque<Optional<HistoryQuery.Cursor>> previous = new ArrayDeque<>();
    private Optional<HistoryQuery.Cursor> current = Optional.empty();
    private int page;
    private long generation;

    public HistoryViewModel(TaskExecutor executor, Supplier<Optional<RunService>> service, ZoneId zone) {
        this.executor = requireNonNull(executor, "executor is null");
        this.service = requireNonNull(service, "service is null");
        this.zone = requireNonNull(zone, "zone is null");
    }

    /** Fills the tenant and pipeline choices from the workspace. */
    public void setChoices(List<String> tenantIds, List<String> pipelineIds) {
        tenants.setAll(withAny(tenantIds));
        pipelines.setAll(withAny(pipelineIds));
    }

    private static List<String> withAny(List<String> values) {
        List<String> all = new ArrayList<>();
        all.add(ANY);
        values.stream().distinct().sorted().forEach(all::add);
        return all;
    }

    /** The query of the current filters, first page. */
    public HistoryQuery query() {
        HistoryQuery query = HistoryQuery.all().withLimit(pageSize.get());
        if (tenant.get() != null && !tenant.get().isEmpty()) {
            query = query.withTenant(tenant.get());
        }
        if (pipeline.get() != null && !pipeline.get().isEmpty()) {
            query = query.withPipeline(pipeline.get());
        }
        if (state.get() != null) {
            query = query.withStates(Set.of(state.get()));
        }
        if (since.get() != null) {
            query = query.withSince(since.get().atStartOfDay(zone).toInstant());
        }
        if (until.get() != null) {
            query = query.withUntil(until.get().plusDays(1).atStartOfDay(zone).toInstant());
        }
        return query;
    }

    /** Applies the filters: back to the first page. */
    public void search() {
        previous.clear();
        current = Optional.empty();
        page = 0;
        load();
        loadChart();
    }

    public void nextPage() {
        if (!hasNext.get() || runs.isEmpty()) {
            return;
        }
        previous.push(current);
        current = Optional.of(runs.get(runs.size() - 1).cursor());
        page++;
        load();
    }

    public void previousPage() {
        if (previous.isEmpty()) {
            return;
        }
        current = previous.pop();
        page--;
        load();
    }

    private void load() {
        Optional<RunService> open = service.get();
        if (open.isEmpty()) {
            message.set("The workspace's state store is not open yet");
            return;
        }
        HistoryQuery base = query();
        HistoryQuery query = current.map(base::withAfter).orElse(base);
        // one extra run tells whether there is a next page without counting again
        HistoryQuery probe = query.withLimit(Math.min(HistoryQuery.MAX_LIMIT, query.limit() + 1));
        boolean first = page == 0;
        long mine = ++generation;
        HistoryStore store = open.get().history();
        executor.execute(() -> {
            List<RunSummary> found = store.runs(probe);
            long total = first ? store.countRuns(base) : -1;
            boolean more = found.size() > query.limit();
            return new Page(more ? found.subList(0, query.limit()) : found, total, more);
        }, result -> {
            if (mine != generation) {
                return;
            }
            runs.setAll(result.runs());
            hasNext.set(result.more());
            hasPrevious.set(!previous.isEmpty());
            if (result.total() >= 0) {
                message.set(result.total() + " matching run" + (result.total() == 1 ? "" : "s"));
            }
            long from = (long) page * query.limit() + (result.runs().isEmpty() ? 0 : 1);
            pageText.set("Page " + (page + 1) + ": runs " + from + "-" + ((long) page * query.limit() + result.runs().size()));
        }, failed -> message.set("History query failed: " + describe(failed)));
    }

    /** Loads the detail of one run (steps, partitions, checks, logs). */
    public void select(RunSummary run) {
        Optional<RunService> open = service.get();
        if (run == null || open.isEmpty()) {
            detail.set(null);
            return;
        }
        HistoryStore store = open.get().history();
        executor.execute(() -> store.run(run.runId()).orElse(null), detail::set,
                failed -> message.set("Could not read run " + run.runId() + ": " + describe(failed)));
    }

    /** Compares two runs side by side. */
    public void compare(RunSummary left, RunSummary right) {
        Optional<RunService> open = service.get();
        if (left == null || right == null || open.isEmpty()) {
            return;
        }
        HistoryStore store = open.get().history();
        executor.execute(() -> RunComparison.of(store.run(left.runId()).orElseThrow(), store.run(right.runId()).orElseThrow(),
                RunViewModel::formatDuration),
                comparison::set, failed -> message.set("Could not compare: " + describe(failed)));
    }

    /** Loads the chart of the pipeline filter (all pipelines of the tenant when none is chosen). */
    private void loadChart() {
        Optional<RunService> open = service.get();
        if (open.isEmpty()) {
            return;
        }
        HistoryQuery query = query().withLimit(CHART_RUNS);
        HistoryStore store = open.get().history();
        String title = (pipeline.get() == null || pipeline.get().isEmpty() ? "all pipelines" : pipeline.get())
                + " (last " + CHART_RUNS + " matching runs)";
        executor.execute(() -> store.runs(query).stream()
                .filter(r -> r.duration().isPresent())
                .map(r -> new ChartPoint(r.startedAt(), r.duration().get().toMillis() / 1000.0, r.rows(), r.state()))
                .sorted(java.util.Comparator.comparing(ChartPoint::startedAt))
                .toList(), points -> {
                    chart.setAll(points);
                    chartTitle.set(title);
                }, failed -> message.set("Chart query failed: " + describe(failed)));
    }

    private static String describe(Throwable failure) {
        if (failure instanceof ConvergenceException convergence) {
            return convergence.describe();
        }
        return String.valueOf(failure.getMessage());
    }

    public StringProperty tenantProperty() {
        return tenant;
    }

    public StringProperty pipelineProperty() {
        return pipeline;
    }

    /** State filter; null means any. */
    public ObjectProperty<RunState> stateProperty() {
        return state;
    }

    /** First day (inclusive, local time); null means open. */
    public ObjectProperty<LocalDate> sinceProperty() {
        return since;
    }

    /** Last day (inclusive, local time); null means open. */
    public ObjectProperty<LocalDate> untilProperty() {
        return until;
    }

    public IntegerProperty pageSizeProperty() {
        return pageSize;
    }

    public ObservableList<RunSummary> runs() {
        return runs;
    }

    public ObservableList<String> tenants() {
        return tenants;
    }

    public ObservableList<String> pipelines() {
        return pipelines;
    }

    public ReadOnlyStringProperty pageTextProperty() {
        return pageText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty hasNextProperty() {
        return hasNext.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty hasPreviousProperty() {
        return hasPrevious.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<RunDetail> detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<RunComparison> comparisonProperty() {
        return comparison.getReadOnlyProperty();
    }

    /** Runs of the chart, oldest first. */
    public ObservableList<ChartPoint> chart() {
        return chart;
    }

    public ReadOnlyStringProperty chartTitleProperty() {
        return chartTitle.getReadOnlyProperty();
    }
}
