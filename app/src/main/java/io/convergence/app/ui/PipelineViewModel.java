package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** A read-only pipeline tab: its steps as table rows and the text of its pipeline.yml. */
public final class PipelineViewModel {
    /** A row of the steps table; {@code target} is the table a step writes, or tests for a quality step. */
    public record StepRow(String id, String type, String dependsOn, String target) {
        public StepRow {
            requireNonNull(id, "id is null");
            requireNonNull(type, "type is null");
            requireNonNull(dependsOn, "dependsOn is null");
            requireNonNull(target, "target is null");
        }
    }

    private final LoadedPipeline pipeline;
    private final Path workspaceRoot;
    private final TaskExecutor executor;
    private final Function<Path, String> fileReader;
    private final List<StepRow> steps;
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");

    public PipelineViewModel(LoadedPipeline pipeline, Path workspaceRoot, TaskExecutor executor, Function<Path, String> fileReader) {
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.workspaceRoot = workspaceRoot;
        this.executor = requireNonNull(executor, "executor is null");
        this.fileReader = requireNonNull(fileReader, "fileReader is null");
        this.steps = pipeline.pipeline().steps().stream().map(PipelineViewModel::row).toList();
    }

    /** Reads pipeline.yml in the background into {@link #textProperty()}. */
    public void loadText() {
        text.set("Loading " + pipeline.file().getFileName() + " ...");
        executor.execute(() -> fileReader.apply(pipeline.file()),
                text::set,
                failure -> text.set("# Could not read " + pipeline.file() + ": " + WorkspaceViewModel.describe(failure)));
    }

    /** The pipeline.yml this tab shows. */
    public Path file() {
        return pipeline.file();
    }

    /** The executor background work of this tab (the designer's validation and layout) runs on. */
    public TaskExecutor executor() {
        return executor;
    }

    public String qualifiedName() {
        return pipeline.qualifiedName();
    }

    /** The tab title: the pipeline id. */
    public String title() {
        return pipeline.pipeline().id();
    }

    /** pipeline.yml relative to the workspace. */
    public String fileDisplay() {
        Path file = pipeline.file();
        Path shown = workspaceRoot != null && file.startsWith(workspaceRoot) ? workspaceRoot.relativize(file) : file;
        return shown.toString().replace(File.separatorChar, '/');
    }

    public String description() {
        String description = pipeline.pipeline().description();
        return description == null ? "" : description;
    }

    /** Steps in declared order. */
    public List<StepRow> steps() {
        return steps;
    }

    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    private static StepRow row(Step step) {
        return new StepRow(step.id(), step.typeName(), String.join(", ", step.dependsOn()), target(step));
    }

    private static String target(Step step) {
        if (step instanceof IngestStep ingest) {
            return ingest.target();
        }
        if (step instanceof TransformStep transform) {
            return transform.target();
        }
        if (step instanceof QualityStep quality) {
            return quality.table();
        }
        return "";
    }
}
