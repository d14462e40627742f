package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Places a pipeline's steps: a layered left-to-right layout by Eclipse ELK ({@code org.eclipse.elk.alg.layered}),
 * or stored positions (the sidecar file) where there are any. Deterministic: the same pipeline gives the same
 * boxes. Not tied to any UI, so the designer, the SVG writer and the PNG writer share it.
 */
public final class PipelineLayout {
    static {
        // Registers ELK's option metadata and reflection helpers (property cloning); the layered provider is found
        // through its META-INF/services entry.
        LayoutMetaDataService.getInstance();
    }

    private PipelineLayout() {
    }

    /** A fresh ELK layered layout of every step. */
    public static LayoutResult layout(Pipeline pipeline) {
        requireNonNull(pipeline, "pipeline is null");
        List<String> ids = ids(pipeline);
        ElkNode graph = ElkGraphUtil.createGraph();
        graph.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        graph.setProperty(LayeredOptions.DIRECTION, Direction.RIGHT);
        graph.setProperty(LayeredOptions.SPACING_NODE_NODE, GraphStyle.NODE_SPACING);
        graph.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, GraphStyle.LAYER_SPACING);
        graph.setProperty(LayeredOptions.SPACING_COMPONENT_COMPONENT, GraphStyle.LAYER_SPACING / 2);
        graph.setProperty(LayeredOptions.PADDING, new ElkPadding(GraphStyle.MARGIN));
        graph.setProperty(LayeredOptions.RANDOM_SEED, 1);
        // Edges are drawn as curves from port to port by every renderer; ELK's routes are not used, so
        // the cheapest router is enough.
        graph.setProperty(LayeredOptions.EDGE_ROUTING, org.eclipse.elk.core.options.EdgeRouting.POLYLINE);
        graph.setProperty(LayeredOptions.THOROUGHNESS, ids.size() > 300 ? 1 : 7);

        Map<String, ElkNode> nodes = new LinkedHashMap<>();
        for (String id : ids) {
            ElkNode node = ElkGraphUtil.createNode(graph);
            node.setIdentifier(id);
            node.setDimensions(GraphStyle.NODE_WIDTH, GraphStyle.NODE_HEIGHT);
            nodes.put(id, node);
        }
        for (Step step : pipeline.steps()) {
            ElkNode target = nodes.get(step.id());
            for (String dependency : new LinkedHashSet<>(step.dependsOn())) {
                ElkNode source = nodes.get(dependency);
                // Unknown dependencies and self loops are validation problems; they have no place in the layout.
                if (source != null && source != target) {
                    ElkGraphUtil.createSimpleEdge(source, target);
                }
            }
        }
        new RecursiveGraphLayoutEngine().layout(graph, new BasicProgressMonitor());

        Map<String, NodeBox> boxes = new LinkedHashMap<>();
        nodes.forEach((id, node) -> boxes.put(id, new NodeBox(id, round(node.getX()), round(node.getY()),
                GraphStyle.NODE_WIDTH, GraphStyle.NODE_HEIGHT)));
        return new LayoutResult(boxes);
    }

    /**
     * Stored positions where there are any: every step with a stored position keeps it; when none is stored
     * the ELK layout is used; steps without one (added to the YAML by hand) go in a row below the others.
     */
    public static LayoutResult layout(Pipeline pipeline, Map<String, Point> stored) {
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(stored, "stored is null");
        List<String> ids = ids(pipeline);
        if (ids.stream().noneMatch(stored::containsKey)) {
            return layout(pipeline);
        }
        Map<String, NodeBox> boxes = new LinkedHashMap<>();
        for (String id : ids) {
            Point point = stored.get(id);
            if (point != null) {
                boxes.put(id, new NodeBox(id, point.x(), point.y(), GraphStyle.NODE_WIDTH, GraphStyle.NODE_HEIGHT));
            }
        }
        Bounds placed = Bounds.of(boxes.values());
        double x = placed.minX();
        double y = placed.maxY() + GraphStyle.LAYER_SPACING / 2;
        Map<String, NodeBox> ordered = new LinkedHashMap<>();
        for (String id : ids) {
            NodeBox box = boxes.get(id);
            if (box == null) {
                box = new NodeBox(id, x, y, GraphStyle.NODE_WIDTH, GraphStyle.NODE_HEIGHT);
                x += GraphStyle.NODE_WIDTH + GraphStyle.NODE_SPACING;
            }
            ordered.put(id, box);
        }
        return new LayoutResult(ordered);
    }

    /** Step ids in declared order, each once (a duplicate id is a validation problem, drawn once). */
    private static List<String> ids(Pipeline pipeline) {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        pipeline.steps().forEach(step -> ids.add(step.id()));
        return List.copyOf(ids);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
