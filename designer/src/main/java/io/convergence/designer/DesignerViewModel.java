package io.convergence.designer;

import static java.util.Objects.requireNonNull;

import io.convergence.designer.model.Command;
import io.convergence.designer.model.CommandRefusedException;
import io.convergence.designer.model.CommandStack;
import io.convergence.designer.model.Commands;
import io.convergence.designer.model.ConnectionValidator;
import io.convergence.designer.model.DesignState;
import io.convergence.designer.model.Selection;
import io.convergence.designer.model.StepFactory;
import io.convergence.designer.task.TaskExecutor;
import io.convergence.engine.config.PipelineContext;
import io.convergence.engine.config.PipelineLoad;
import io.convergence.engine.config.PipelineYamlPatcher;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.sql.analysis.SqlColumn;
import io.convergence.engine.graph.Edge;
import io.convergence.engine.graph.GraphStyle;
import io.convergence.engine.graph.LayoutResult;
import io.convergence.engine.graph.LayoutSidecar;
import io.convergence.engine.graph.NodeBox;
import io.convergence.engine.graph.PipelineLayout;
import io.convergence.engine.graph.Point;
import io.convergence.engine.graph.ProblemTargets;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.validation.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The designer's view model: the only class that talks to the engine. It owns the command stack (the design
 * state and its history), the selection, the problems of the last validation (run off the UI thread on every
 * edit), the pipeline.yml text last read or written (the base of comment-keeping patches) and the stable step
 * keys as they are on disk. No JavaFX scene code here, so it is tested without a toolkit.
 */
public final class DesignerViewModel {
    private static final Logger LOG = LoggerFactory.getLogger(DesignerViewModel.class);
    /** Above this many steps, layout runs in the background. */
    static final int BACKGROUND_LAYOUT_STEPS = 150;

    /** What {@link #save(boolean)} did. */
    public enum SaveOutcome { SAVED, NEEDS_CONFIRMATION, NOT_EDITABLE, FAILED }

    private final Path file;
    private final PipelineContext context;
    private final TaskExecutor executor;
    private final CommandStack stack;
    private final Selection selection = new Selection();
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<ProblemTargets> targets = new ReadOnlyObjectWrapper<>(this, "targets", ProblemTargets.none());
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper banner = new ReadOnlyStringWrapper(this, "banner", "");
    private final ReadOnlyBooleanWrapper reloadOffered = new ReadOnlyBooleanWrapper(this, "reloadOffered", false);
    private final ReadOnlyBooleanWrapper editable = new ReadOnlyBooleanWrapper(this, "editable", false);
    private final ReadOnlyLongWrapper validations = new ReadOnlyLongWrapper(this, "validations", 0);
    private final ReadOnlyObjectWrapper<Map<String, List<SqlColumn>>> columns = new ReadOnlyObjectWrapper<>(this, "columns", Map.of());
    private final ReadOnlyStringWrapper lastSaveNote = new ReadOnlyStringWrapper(this, "lastSaveNote", "");

    private String diskText;
    private Map<String, String> diskIdByKey = Map.of();
    private List<Step> clipboard = List.of();
    private Map<String, Point> clipboardPositions = Map.of();
    private int pasteCount;
    private boolean validating;
    private boolean validationPending;
    private List<Problem> diskProblems = List.of();

    public DesignerViewModel(Path pipelineFile, PipelineContext context, TaskExecutor executor) {
        this.file = requireNonNull(pipelineFile, "pipelineFile is null").toAbsolutePath().normalize();
        this.context = requireNonNull(context, "context is null");
        this.executor = requireNonNull(executor, "executor is null");
        String folder = file.getParent() == null ? "pipeline" : file.getParent().getFileName().toString();
        this.stack = new CommandStack(DesignState.empty(folder.matches("[a-z][a-z0-9_]{0,62}") ? folder : "pipeline"));
        stack.stateProperty().addListener((observable, before, after) -> {
            selection.retain(stepIds(after.pipeline()));
            validate();
        });
    }

    /** A view model for a pipeline file found on disk, its workspace and tenant worked out from the folders. */
    public static DesignerViewModel forFile(Path pipelineFile, TaskExecutor executor) {
        return new DesignerViewModel(pipelineFile, WorkspaceLoader.contextOf(pipelineFile), executor);
    }

    // ------------------------------------------------------------------ files

    /** Reads pipeline.yml, its stored positions (laying out steps that have none) and validates. */
    public void open() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            banner.set("cannot read " + file.getFileName() + ": " + e.getMessage());
            return;
        }
        PipelineLoad load = WorkspaceLoader.loadPipelineText(context, file, text);
        if (load.pipeline().isEmpty()) {
            diskText = text;
            diskProblems = load.problems();
            editable.set(false);
            banner.set(file.getFileName() + " does not load (" + load.problems().size() + " problems); fix it in a text editor first");
            problems.setAll(load.problems());
            return;
        }
        Pipeline pipeline = load.pipeline().get().pipeline();
        DesignState state = stateFor(pipeline, LayoutSidecar.read(file), Map.of());
        diskText = text;
        diskIdByKey = invert(state.keys());
        editable.set(true);
        banner.set("");
        stack.reset(state);
        layoutMissing(pipeline, LayoutSidecar.read(file), true);
    }

    /** Builds a state for a pipeline: stored positions (or none yet), keys reused by id from {@code previousKeys}. */
    private static DesignState stateFor(Pipeline pipeline, Map<String, Point> stored, Map<String, String> previousKeys) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Step step : pipeline.steps()) {
            keys.putIfAbsent(step.id(), previousKeys.getOrDefault(step.id(), Commands.newKey()));
        }
        Map<String, Point> positions = new LinkedHashMap<>();
        boolean any = pipeline.steps().stream().anyMatch(s -> stored.containsKey(s.id()));
        if (any) {
            PipelineLayout.layout(pipeline, stored).positions().forEach(positions::put);
        }
        return new DesignState(pipeline, positions, keys, Map.of());
    }

    /** Lays out all steps when none has a position; small graphs at once, big ones in the background. */
    private void layoutMissing(Pipeline pipeline, Map<String, Point> stored, boolean quiet) {
        if (pipeline.steps().stream().anyMatch(s -> stored.containsKey(s.id())) || pipeline.steps().isEmpty()) {
            return;
        }
        if (pipeline.steps().size() <= BACKGROUND_LAYOUT_STEPS) {
            applyInitialLayout(pipeline, PipelineLayout.layout(pipeline), quiet);
            return;
        }
        status.set("Laying out " + pipeline.steps().size() + " steps...");
        executor.execute(() -> PipelineLayout.layout(pipeline), layout -> {
            applyInitialLayout(pipeline, layout, quiet);
            status.set("");
        }, failure -> status.set("Layout failed: " + failure.getMessage()));
    }

    private void applyInitialLayout(Pipeline pipeline, LayoutResult layout, boolean quiet) {
        if (stack.state().pipeline() != pipeline) {
            return;
        }
        if (quiet) {
            // positions of a freshly opened file are not an edit: nothing to save unless the user moves something
            stack.replaceQuietly(stack.state().withPositions(layout.positions()));
        } else {
            stack.push(Commands.layout(layout.positions()));
        }
    }

    /**
     * Saves: patches pipeline.yml (comments and formatting of untouched parts kept), writes the positions file and
     * the changed SQL buffers. With errors in the last validation it asks first: {@code confirmInvalid} false gives
     * {@link SaveOutcome#NEEDS_CONFIRMATION} and writes nothing.
     */
    public SaveOutcome save(boolean confirmInvalid) {
        if (!editable.get()) {
            return SaveOutcome.NOT_EDITABLE;
        }
        if (!confirmInvalid && problems.stream().anyMatch(Problem::isError)) {
            return SaveOutcome.NEEDS_CONFIRMATION;
        }
        DesignState state = stack.state();
        Map<String, String> renames = new HashMap<>();
        state.keys().forEach((id, key) -> {
            String onDisk = diskIdByKey.get(key);
            if (onDisk != null && !onDisk.equals(id)) {
                renames.put(onDisk, id);
            }
        });
        PipelineYamlPatcher.Result result = PipelineYamlPatcher.patch(diskText, state.pipeline(), renames);
        try {
            for (Map.Entry<String, String> sql : state.sqlTexts().entrySet()) {
                Path path = file.getParent().resolve(sql.getKey()).normalize();
                if (!path.startsWith(context.root())) {
                    continue;
                }
                if (!Files.exists(path) || !Files.readString(path, StandardCharsets.UTF_8).equals(sql.getValue())) {
                    Files.createDirectories(path.getParent());
                    writeAtomically(path, sql.getValue());
                }
            }
            if (result.strategy() != PipelineYamlPatcher.Strategy.UNCHANGED) {
                writeAtomically(file, result.text());
            }
            LayoutSidecar.write(file, state.positions());
        } catch (IOException e) {
            LOG.warn("saving {} failed", file, e);
            status.set("Save failed: " + e.getMessage());
            return SaveOutcome.FAILED;
        }
        diskText = result.text();
        diskIdByKey = invert(state.keys());
        stack.markSaved();
        lastSaveNote.set(result.strategy() == PipelineYamlPatcher.Strategy.REWRITTEN
                ? "Saved; " + file.getFileName() + " was rewritten (" + result.reason() + "), its comments could not be kept"
                : "Saved");
        status.set(lastSaveNote.get());
        return SaveOutcome.SAVED;
    }

    /**
     * Called when pipeline.yml may have changed on disk. A valid new text replaces the model (as one undoable step)
     * unless there are unsaved edits; an invalid one never replaces it: its problems are shown and the last good
     * model stays.
     */
    public void checkForExternalChange() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            banner.set(file.getFileName() + " cannot be read: " + e.getMessage());
            return;
        }
        if (text.equals(diskText)) {
            return;
        }
        PipelineLoad load = WorkspaceLoader.loadPipelineText(context, file, text);
        if (load.pipeline().isEmpty() || load.hasErrors()) {
            diskProblems = load.problems();
            problems.setAll(load.problems());
            banner.set(file.getFileName() + " changed on disk and has " + load.problems().stream().filter(Problem::isError).count()
                    + " errors; keeping the last good model");
            reloadOffered.set(false);
            return;
        }
        if (stack.dirtyProperty().get()) {
            banner.set(file.getFileName() + " changed on disk; reloading discards your unsaved edits");
            reloadOffered.set(true);
            return;
        }
        applyDiskText(text, load.pipeline().get().pipeline());
    }

    /** Replaces the model with the file on disk (the banner's "Reload"), discarding unsaved edits. */
    public void reloadFromDisk() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            PipelineLoad load = WorkspaceLoader.loadPipelineText(context, file, text);
            if (load.pipeline().isPresent()) {
                applyDiskText(text, load.pipeline().get().pipeline());
            }
        } catch (IOException e) {
            banner.set(file.getFileName() + " cannot be read: " + e.getMessage());
        }
    }

    private void applyDiskText(String text, Pipeline pipeline) {
        Map<String, Point> stored = new LinkedHashMap<>(LayoutSidecar.read(file));
        // steps that stay keep where they are on the canvas
        stored.putAll(stack.state().positions());
        DesignState next = stateFor(pipeline, stored, stack.state().keys());
        if (next.positions().isEmpty() && !pipeline.steps().isEmpty()) {
            next = next.withPositions(PipelineLayout.layout(pipeline).positions());
        }
        diskText = text;
        diskProblems = List.of();
        editable.set(true);
        banner.set("");
        reloadOffered.set(false);
        stack.push(Commands.replace("Reload " + file.getFileName() + " from disk", next));
        diskIdByKey = invert(next.keys());
        stack.markSaved();
    }

    private static void writeAtomically(Path path, String text) throws IOException {
        Path temp = path.resolveSibling("." + path.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ------------------------------------------------------------------ validation

    /** Validates the current state in the background; edits during a run trigger one more run with the newest state. */
    void validate() {
        if (!editable.get()) {
            return;
        }
        if (validating) {
            validationPending = true;
            return;
        }
        validating = true;
        DesignState state = stack.state();
        Map<Path, String> overlays = new HashMap<>();
        state.sqlTexts().forEach((relative, text) -> overlays.put(file.getParent().resolve(relative).normalize(), text));
        executor.execute(() -> WorkspaceLoader.validatePipeline(context, file, state.pipeline(), overlays), load -> {
            validating = false;
            if (diskProblems.isEmpty()) {
                problems.setAll(load.problems());
                targets.set(ProblemTargets.of(state.pipeline(), load.problems()));
                columns.set(load.columns());
            }
            validations.set(validations.get() + 1);
            if (validationPending || stack.state() != state) {
                validationPending = false;
                validate();
            }
        }, failure -> {
            validating = false;
            LOG.warn("validation failed", failure);
            status.set("Validation failed: " + failure.getMessage());
        });
    }

    // ------------------------------------------------------------------ edits

    /** Runs a command; a refused command changes nothing and its reason goes to the status line. */
    public boolean execute(Command command) {
        try {
            stack.push(command);
            status.set("");
            return true;
        } catch (CommandRefusedException e) {
            status.set(e.getMessage());
            return false;
        }
    }

    /** Adds a new step of {@code type} with a fresh id at {@code at}; returns its id. */
    public String addStep(String type, Point at) {
        Pipeline pipeline = stack.state().pipeline();
        String id = StepFactory.uniqueId(pipeline, type);
        Step step = StepFactory.create(type, id);
        String sql = null;
        if (step instanceof TransformStep transform && !Files.exists(file.getParent().resolve(transform.sql()))) {
            sql = StepFactory.starterSql(id);
        }
        if (execute(Commands.addStep(step, at, sql))) {
            selection.select(id);
            return id;
        }
        return null;
    }

    /** Why {@code from -> to} would be refused, or empty: asked while a connection is dragged. */
    public Optional<String> checkConnection(String from, String to) {
        return ConnectionValidator.check(stack.state().pipeline(), from, to);
    }

    public boolean connect(String from, String to) {
        return execute(Commands.connect(from, to));
    }

    /** Deletes the selected steps with their edges, or the selected edge, as one command. */
    public boolean deleteSelection() {
        Set<String> ids = new LinkedHashSet<>(selection.steps());
        Edge edge = selection.edgeProperty().get();
        if (ids.isEmpty() && edge == null) {
            return false;
        }
        boolean done = execute(Commands.deleteSteps(stack.state().pipeline(), ids, edge == null ? List.of() : List.of(edge)));
        if (done) {
            selection.clear();
        }
        return done;
    }

    public void moveSteps(Map<String, Point> newPositions) {
        if (!newPositions.isEmpty()) {
            execute(Commands.move(newPositions));
        }
    }

    /** Moves the selection by a few pixels (arrow keys). */
    public void nudge(double dx, double dy) {
        Map<String, Point> moved = new LinkedHashMap<>();
        for (String id : selection.steps()) {
            Point at = stack.state().positions().get(id);
            if (at != null) {
                moved.put(id, at.translate(dx, dy));
            }
        }
        moveSteps(moved);
    }

    public boolean editStep(String oldId, Step edited) {
        boolean done = execute(Commands.editStep(oldId, edited));
        if (done && !oldId.equals(edited.id())) {
            selection.select(edited.id());
        }
        return done;
    }

    public void setSql(String relativePath, String text) {
        if (!text.equals(sqlText(relativePath))) {
            execute(Commands.setSql(relativePath, text));
        }
    }

    /** The SQL text for a transform's file: the unsaved buffer, else the file on disk, else empty. */
    public String sqlText(String relativePath) {
        String buffered = stack.state().sqlTexts().get(relativePath);
        if (buffered != null) {
            return buffered;
        }
        Path path = file.getParent().resolve(relativePath).normalize();
        try {
            return path.startsWith(context.root()) && Files.isRegularFile(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Lays out every step again with ELK, as one undoable command (in the background for big graphs). */
    public void autoLayout() {
        Pipeline pipeline = stack.state().pipeline();
        if (pipeline.steps().size() <= BACKGROUND_LAYOUT_STEPS) {
            execute(Commands.layout(PipelineLayout.layout(pipeline).positions()));
            return;
        }
        status.set("Laying out " + pipeline.steps().size() + " steps...");
        executor.execute(() -> PipelineLayout.layout(pipeline), layout -> {
            if (stack.state().pipeline() == pipeline) {
                execute(Commands.layout(layout.positions()));
            }
            status.set("");
        }, failure -> status.set("Layout failed: " + failure.getMessage()));
    }

    public void selectAll() {
        selection.selectAll(stepIds(stack.state().pipeline()), false);
    }

    public void copySelection() {
        List<Step> copied = new ArrayList<>();
        Map<String, Point> positions = new HashMap<>();
        for (Step step : stack.state().pipeline().steps()) {
            if (selection.steps().contains(step.id())) {
                copied.add(step);
                positions.put(step.id(), stack.state().positions().getOrDefault(step.id(), new Point(0, 0)));
            }
        }
        clipboard = List.copyOf(copied);
        clipboardPositions = Map.copyOf(positions);
        pasteCount = 0;
        status.set(copied.isEmpty() ? "" : "Copied " + copied.size() + (copied.size() == 1 ? " step" : " steps"));
    }

    /** Pastes the copied steps with fresh ids, offset a little more each time, and selects them. */
    public boolean paste() {
        if (clipboard.isEmpty()) {
            return false;
        }
        pasteCount++;
        Set<String> before = stepIds(stack.state().pipeline());
        double offset = 32 * pasteCount;
        if (!execute(Commands.paste(clipboard, clipboardPositions, new Point(offset, offset)))) {
            return false;
        }
        Set<String> added = new LinkedHashSet<>(stepIds(stack.state().pipeline()));
        added.removeAll(before);
        selection.selectAll(added, false);
        return true;
    }

    public void undo() {
        stack.undo();
    }

    public void redo() {
        stack.redo();
    }

    // ------------------------------------------------------------------ reading

    /** Node boxes of the current state (steps without a position yet are left out). */
    public LayoutResult layout() {
        Map<String, NodeBox> boxes = new LinkedHashMap<>();
        stack.state().positions().forEach((id, p) -> boxes.put(id, new NodeBox(id, p.x(), p.y(), GraphStyle.NODE_WIDTH, GraphStyle.NODE_HEIGHT)));
        return new LayoutResult(boxes);
    }

    public DesignState state() {
        return stack.state();
    }

    public Pipeline pipeline() {
        return stack.state().pipeline();
    }

    public CommandStack commands() {
        return stack;
    }

    public Selection selection() {
        return selection;
    }

    public ObservableList<Problem> problems() {
        return problems;
    }

    public Path file() {
        return file;
    }

    public ReadOnlyObjectProperty<ProblemTargets> problemTargetsProperty() {
        return targets.getReadOnlyProperty();
    }

    /** Short feedback: why a command was refused, what was saved. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** A message about the file on disk (changed, invalid), empty when none. */
    public ReadOnlyStringProperty bannerProperty() {
        return banner.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty reloadOfferedProperty() {
        return reloadOffered.getReadOnlyProperty();
    }

    /** False while the file on disk does not load: saving would overwrite what the person wrote. */
    public ReadOnlyBooleanProperty editableProperty() {
        return editable.getReadOnlyProperty();
    }

    /**
     * By step id, the columns of the table each ingest and transform step writes, as the last validation knew them:
     * from schema files and BigQuery's analysis of each query (a step whose SQL does not analyze is absent).
     */
    public ReadOnlyObjectProperty<Map<String, List<SqlColumn>>> columnsProperty() {
        return columns.getReadOnlyProperty();
    }

    /** Counts finished validations (tests wait on it; the UI ignores it). */
    public ReadOnlyLongProperty validationsProperty() {
        return validations.getReadOnlyProperty();
    }

    public String diskText() {
        return diskText;
    }

    private static Set<String> stepIds(Pipeline pipeline) {
        Set<String> ids = new LinkedHashSet<>();
        pipeline.steps().forEach(s -> ids.add(s.id()));
        return ids;
    }

    private static Map<String, String> invert(Map<String, String> keys) {
        Map<String, String> out = new HashMap<>();
        keys.forEach((id, key) -> out.put(key, id));
        return out;
    }
}
