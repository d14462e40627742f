package io.convergence.designer.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.graph.Point;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One immutable snapshot of what the designer edits: the pipeline, node positions, a stable key per step (so a
 * renamed step is still the same step when the YAML is patched) and unsaved SQL buffers by relative path.
 * Commands map one snapshot to the next; undo goes back to an earlier one.
 */
public record DesignState(Pipeline pipeline, Map<String, Point> positions, Map<String, String> keys, Map<String, String> sqlTexts) {
    public DesignState {
        requireNonNull(pipeline, "pipeline is null");
        positions = Collections.unmodifiableMap(new LinkedHashMap<>(positions));
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        sqlTexts = Collections.unmodifiableMap(new LinkedHashMap<>(sqlTexts));
    }

    public static DesignState empty(String pipelineId) {
        return new DesignState(new Pipeline(pipelineId, null, Map.of(), null, 4, null, java.util.List.of()), Map.of(), Map.of(), Map.of());
    }

    public DesignState withPipeline(Pipeline newPipeline) {
        return new DesignState(newPipeline, positions, keys, sqlTexts);
    }

    public DesignState withPositions(Map<String, Point> newPositions) {
        return new DesignState(pipeline, newPositions, keys, sqlTexts);
    }

    public DesignState withKeys(Map<String, String> newKeys) {
        return new DesignState(pipeline, positions, newKeys, sqlTexts);
    }

    public DesignState withSqlTexts(Map<String, String> newSqlTexts) {
        return new DesignState(pipeline, positions, keys, newSqlTexts);
    }

    public boolean hasStep(String id) {
        return pipeline.step(id).isPresent();
    }

    public Step step(String id) {
        return pipeline.step(id).orElseThrow(() -> new CommandRefusedException("there is no step '" + id + "'"));
    }
}
