package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.Severity;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The open workspace as the main window shows it: tenants and pipelines for the explorer, the
 * validation problems, and what the status bar says. Loading runs on the {@link TaskExecutor}, never
 * on the FX thread; only the latest load's outcome is applied.
 */
public final class WorkspaceViewModel {
    /** Where the window is in its life: no workspace yet, loading, loaded, or the load failed. */
    public enum State { EMPTY, LOADING, LOADED, FAILED }

    /** A tenant in the explorer. */
    public record TenantItem(String id, List<PipelineItem> pipelines) {
        public TenantItem {
            requireNonNull(id, "id is null");
            pipelines = List.copyOf(pipelines);
        }
    }

    /** A pipeline in the explorer; {@code hasErrors} when validation found errors in its folder. */
    public record PipelineItem(String tenantId, String pipelineId, int steps, boolean hasErrors) {
        public PipelineItem {
            requireNonNull(tenantId, "tenantId is null");
            requireNonNull(pipelineId, "pipelineId is null");
        }

        public String qualifiedName() {
            return tenantId + "/" + pipelineId;
        }
    }

    /** A row of the problems list; {@code pipeline} names the pipeline whose folder holds the file, if any. */
    public record ProblemItem(Severity severity, String code, String location, String message, String hint,
            Optional<String> pipeline) {
        public ProblemItem {
            requireNonNull(severity, "severity is null");
            requireNonNull(code, "code is null");
            requireNonNull(location, "location is null");
            requireNonNull(message, "message is null");
            hint = hint == null ? "" : hint;
            requireNonNull(pipeline, "pipeline is null");
        }
    }

    private final TaskExecutor executor;
    private final Function<Path, LoadResult> loader;
    private final Function<Path, String> fileReader;

    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.EMPTY);
    private final ReadOnlyObjectWrapper<Path> root = new ReadOnlyObjectWrapper<>(this, "root");
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(this, "title", "Convergence");
    private final ReadOnlyStringWrapper defaultTarget = new ReadOnlyStringWrapper(this, "defaultTarget", "");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyIntegerWrapper errorCount = new ReadOnlyIntegerWrapper(this, "errorCount");
    private final ReadOnlyIntegerWrapper warningCount = new ReadOnlyIntegerWrapper(this, "warningCount");
    private final ReadOnlyObjectWrapper<List<TenantItem>> tenants = new ReadOnlyObjectWrapper<>(this, "tenants", List.of());
    private final ObservableList<ProblemItem> problems = FXCollections.observableArrayList();
    private final ObservableList<ProblemItem> problemsView = FXCollections.unmodifiableObservableList(problems);

    private LoadedWorkspace workspace;
    private final ReadOnlyObjectWrapper<LoadedWorkspace> loadedWorkspace = new ReadOnlyObjectWrapper<>(this, "workspace");
    // Counts loads, so the outcome of a superseded load (slow disk, quick re-open) is dropped.
    private long generation;

    /**
     * @param loader loads and validates a workspace folder; it runs on the executor
     * @param fileReader reads a file's text (pipeline.yml for the pipeline view); runs on the executor
     */
    public WorkspaceViewModel(TaskExecutor executor, Function<Path, LoadResult> loader, Function<Path, String> fileReader) {
        this.executor = requireNonNull(executor, "executor is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.fileReader = requireNonNull(fileReader, "fileReader is null");
    }

    /** Opens (or re-opens) the workspace at {@code folder}; the result arrives through the properties. */
    public void open(Path folder) {
        Path target = requireNonNull(folder, "folder is null").toAbsolutePath().normalize();
        long current = ++generation;
        root.set(target);
        title.set("Convergence - " + target);
        state.set(State.LOADING);
        message.set("Loading " + target + " ...");
        executor.execute(() -> loader.apply(target),
                result -> {
                    if (current == generation) {
                        loaded(target, result);
                    }
                },
                failure -> {
                    if (current == generation) {
                        failed(target, failure);
                    }
                });
    }

    /** Loads the open workspace again, e.g. after editing files outside the app. */
    public void reload() {
        if (root.get() != null) {
            open(root.get());
        }
    }

    private void loaded(Path folder, LoadResult result) {
        workspace = result.workspace().orElse(null);
        List<ProblemItem> items = new ArrayList<>();
        for (Problem problem : result.problems()) {
            items.add(toItem(folder, problem));
        }
        problems.setAll(items);
        errorCount.set((int) result.problems().stream().filter(p -> p.severity() == Severity.ERROR).count());
        warningCount.set((int) result.problems().stream().filter(p -> p.severity() == Severity.WARNING).count());
        tenants.set(workspace == null ? List.of() : tenantItems(folder, workspace, result.problems()));
        defaultTarget.set(workspace == null ? "" : describeDefaultTarget(workspace.config()));
        loadedWorkspace.set(workspace);
        state.set(State.LOADED);
        message.set(workspace == null ? "workspace.yml could not be loaded; see Problems"
                : "Loaded " + plural(workspace.pipelines().size(), "pipeline") + " in " + plural(workspace.tenants().size(), "tenant"));
    }

    private void failed(Path folder, Throwable failure) {
        workspace = null;
        problems.clear();
        errorCount.set(0);
        warningCount.set(0);
        tenants.set(List.of());
        defaultTarget.set("");
        loadedWorkspace.set(null);
        state.set(State.FAILED);
        message.set("Could not open " + folder + ": " + describe(failure));
    }

    /** The loaded pipeline called {@code tenant/pipeline}. */
    public Optional<LoadedPipeline> pipeline(String qualifiedName) {
        return workspace == null ? Optional.empty()
                : workspace.pipelines().stream().filter(p -> p.qualifiedName().equals(qualifiedName)).findFirst();
    }

    /** A view model for a pipeline tab; its file text loads in the background. */
    public Optional<PipelineViewModel> openPipeline(String qualifiedName) {
        return pipeline(qualifiedName).map(p -> {
            PipelineViewModel model = new PipelineViewModel(p, root.get(), executor, fileReader);
            model.loadText();
            return model;
        });
    }

    private static List<TenantItem> tenantItems(Path folder, LoadedWorkspace loaded, List<Problem> all) {
        List<TenantItem> items = new ArrayList<>();
        List<LoadedTenant> sorted = new ArrayList<>(loaded.tenants());
        sorted.sort(Comparator.comparing(LoadedTenant::id));
        for (LoadedTenant tenant : sorted) {
            List<PipelineItem> pipelines = tenant.pipelines().stream()
                    .sorted(Comparator.comparing(p -> p.pipeline().id()))
                    .map(p -> new PipelineItem(tenant.id(), p.pipeline().id(), p.pipeline().steps().size(),
                            all.stream().anyMatch(problem -> problem.isError() && inFolder(folder, problem, p))))
                    .toList();
            items.add(new TenantItem(tenant.id(), pipelines));
        }
        return List.copyOf(items);
    }

    private ProblemItem toItem(Path folder, Problem problem) {
        Path file = folder.resolve(problem.location().file()).normalize();
        String location = problem.location().display(folder).replace(File.separatorChar, '/');
        Optional<String> owner = workspace == null ? Optional.empty()
                : workspace.pipelines().stream()
                        .filter(p -> file.startsWith(p.dir().toAbsolutePath().normalize()))
                        .map(LoadedPipeline::qualifiedName)
                        .findFirst();
        return new ProblemItem(problem.severity(), problem.code().id(), location, problem.message(), problem.hint(), owner);
    }

    private static boolean inFolder(Path folder, Problem problem, LoadedPipeline pipeline) {
        return folder.resolve(problem.location().file()).normalize().startsWith(pipeline.dir().toAbsolutePath().normalize());
    }

    private static String describeDefaultTarget(WorkspaceConfig config) {
        Target target = config.targets().get(config.defaultTarget());
        String kind;
        if (target instanceof DuckDbTarget) {
            kind = "local DuckDB";
        } else if (target instanceof BigQueryTarget) {
            kind = "BigQuery";
        } else {
            kind = "undefined";
        }
        return config.defaultTarget() + " (" + kind + ")";
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static String describe(Throwable failure) {
        if (failure instanceof ConvergenceException convergence) {
            return convergence.describe();
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    /** The loaded workspace (set on every successful load, also a reload of the same folder); null otherwise. */
    public ReadOnlyObjectProperty<LoadedWorkspace> workspaceProperty() {
        return loadedWorkspace.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Path> rootProperty() {
        return root.getReadOnlyProperty();
    }

    /** "Convergence - &lt;workspace&gt;", or "Convergence" before one is opened. */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The default target and its kind, such as "local (local DuckDB)". */
    public ReadOnlyStringProperty defaultTargetProperty() {
        return defaultTarget.getReadOnlyProperty();
    }

    /** A one-line account of what is going on, for the status bar and the empty state. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty errorCountProperty() {
        return errorCount.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty warningCountProperty() {
        return warningCount.getReadOnlyProperty();
    }

    /** Tenants sorted by id, each with its pipelines sorted by id; replaced as a whole on every load. */
    public ReadOnlyObjectProperty<List<TenantItem>> tenantsProperty() {
        return tenants.getReadOnlyProperty();
    }

    /** Problems in the loader's order. */
    public ObservableList<ProblemItem> problems() {
        return problemsView;
    }
}
