package io.convergence.designer.model;

import io.convergence.engine.graph.Edge;
import java.util.Collection;
import java.util.Set;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableSet;

/** What is selected: step ids and at most one edge. Its own service, outside the undo history. */
public final class Selection {
    private final ObservableSet<String> steps = FXCollections.observableSet(new java.util.LinkedHashSet<>());
    private final ObjectProperty<Edge> edge = new SimpleObjectProperty<>(this, "edge");

    public ObservableSet<String> steps() {
        return steps;
    }

    public ObjectProperty<Edge> edgeProperty() {
        return edge;
    }

    public void select(String id) {
        edge.set(null);
        if (steps.size() != 1 || !steps.contains(id)) {
            steps.clear();
            steps.add(id);
        }
    }

    public void toggle(String id) {
        edge.set(null);
        if (!steps.remove(id)) {
            steps.add(id);
        }
    }

    public void selectAll(Collection<String> ids, boolean add) {
        edge.set(null);
        if (!add) {
            steps.clear();
        }
        steps.addAll(ids);
    }

    public void selectEdge(Edge selected) {
        steps.clear();
        edge.set(selected);
    }

    public void clear() {
        steps.clear();
        edge.set(null);
    }

    /** Drops ids that are no longer steps (after undo, delete or reload). */
    public void retain(Set<String> existing) {
        steps.retainAll(existing);
    }

    /** The only selected step, or null. */
    public String single() {
        return steps.size() == 1 ? steps.iterator().next() : null;
    }
}
