package io.convergence.engine.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Node boxes by step id, in declared step order. */
public record LayoutResult(Map<String, NodeBox> nodes) {
    public LayoutResult {
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    }

    public Bounds bounds() {
        return Bounds.of(nodes.values());
    }

    /** Top-left corners by step id: what the sidecar file stores. */
    public Map<String, Point> positions() {
        Map<String, Point> out = new LinkedHashMap<>();
        nodes.forEach((id, box) -> out.put(id, new Point(box.x(), box.y())));
        return out;
    }
}
