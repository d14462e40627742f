package io.convergence.designer.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The designer's undo history: a bounded stack of applied commands with the states before and after each.
 * {@link #revisionProperty()} names the current point in history (a new id per push, the old one again on undo),
 * so "dirty" is simply "revision differs from the saved revision". Pushing from inside a push is refused: a
 * listener that reacts to a change must not record a change of its own.
 */
public final class CommandStack {
    public static final int DEFAULT_LIMIT = 200;

    private record Entry(Command command, DesignState before, DesignState after, long revision, long previousRevision) {
    }

    private final int limit;
    private final Deque<Entry> done = new ArrayDeque<>();
    private final Deque<Entry> undone = new ArrayDeque<>();
    private final ReadOnlyObjectWrapper<DesignState> state;
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision", 0);
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo", false);
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo", false);
    private final ReadOnlyStringWrapper undoDescription = new ReadOnlyStringWrapper(this, "undoDescription", "");
    private final ReadOnlyStringWrapper redoDescription = new ReadOnlyStringWrapper(this, "redoDescription", "");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(this, "dirty", false);
    private long nextRevision = 1;
    private long savedRevision;
    private boolean busy;

    public CommandStack(DesignState initial) {
        this(initial, DEFAULT_LIMIT);
    }

    public CommandStack(DesignState initial, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
        this.state = new ReadOnlyObjectWrapper<>(this, "state", requireNonNull(initial, "initial is null"));
    }

    /** Applies {@code command} and records it; throws {@link CommandRefusedException} (and records nothing) when it cannot apply. */
    public DesignState push(Command command) {
        requireNonNull(command, "command is null");
        if (busy) {
            throw new IllegalStateException("a command was pushed while another was being applied: " + command.description());
        }
        busy = true;
        try {
            DesignState before = state.get();
            DesignState after = command.apply(before);
            Entry entry = new Entry(command, before, after, nextRevision++, revision.get());
            done.push(entry);
            while (done.size() > limit) {
                done.removeLast();
            }
            undone.clear();
            move(after, entry.revision());
            return after;
        } finally {
            busy = false;
        }
    }

    public void undo() {
        if (done.isEmpty()) {
            return;
        }
        Entry entry = done.pop();
        undone.push(entry);
        move(entry.before(), entry.previousRevision());
    }

    public void redo() {
        if (undone.isEmpty()) {
            return;
        }
        Entry entry = undone.pop();
        done.push(entry);
        move(entry.after(), entry.revision());
    }

    /** Forgets the history and starts again from {@code newState}, clean. */
    public void reset(DesignState newState) {
        done.clear();
        undone.clear();
        long fresh = nextRevision++;
        savedRevision = fresh;
        move(requireNonNull(newState, "newState is null"), fresh);
    }

    /** The current revision is what is on disk now. */
    public void markSaved() {
        savedRevision = revision.get();
        dirty.set(false);
    }

    /** Replaces the current state without recording it (bookkeeping after a save, never a user edit). */
    public void replaceQuietly(DesignState newState) {
        state.set(requireNonNull(newState, "newState is null"));
    }

    public DesignState state() {
        return state.get();
    }

    public int size() {
        return done.size();
    }

    public ReadOnlyObjectProperty<DesignState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyLongProperty revisionProperty() {
        return revision.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    /** What undo would undo ("Delete 2 steps"), empty when nothing. */
    public ReadOnlyStringProperty undoDescriptionProperty() {
        return undoDescription.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty redoDescriptionProperty() {
        return redoDescription.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    private void move(DesignState newState, long newRevision) {
        revision.set(newRevision);
        dirty.set(newRevision != savedRevision);
        canUndo.set(!done.isEmpty());
        canRedo.set(!undone.isEmpty());
        undoDescription.set(done.isEmpty() ? "" : done.peek().command().description());
        redoDescription.set(undone.isEmpty() ? "" : undone.peek().command().description());
        state.set(newState);
    }
}
