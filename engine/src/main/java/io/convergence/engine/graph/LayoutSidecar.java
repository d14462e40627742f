package io.convergence.engine.graph;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node positions stored beside pipeline.yml in {@code pipeline.layout.json}, never inside the YAML (the YAML is the
 * contract; positions are a view concern). Written with sorted keys, two-space indent and one decimal, so a
 * moved node is a one-line diff. A missing or unreadable file means "no stored positions".
 *
 * <pre>{
 *   "version": 1,
 *   "nodes": {
 *     "load_orders": { "x": 24.0, "y": 24.0 }
 *   }
 * }</pre>
 */
public final class LayoutSidecar {
    public static final String SUFFIX = ".layout.json";
    public static final int VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(LayoutSidecar.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LayoutSidecar() {
    }

    /** {@code pipeline.yml} -> {@code pipeline.layout.json} in the same folder. */
    public static Path fileFor(Path pipelineFile) {
        String name = pipelineFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return pipelineFile.resolveSibling(base + SUFFIX);
    }

    /** Stored positions by step id; empty when the file is missing or cannot be read (logged, not fatal). */
    public static Map<String, Point> read(Path pipelineFile) {
        Path file = fileFor(requireNonNull(pipelineFile, "pipelineFile is null"));
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable layout file {}: {}", file, e.getMessage());
            return Map.of();
        }
    }

    static Map<String, Point> parse(String text) throws IOException {
        JsonNode root = JSON.readTree(text);
        Map<String, Point> out = new LinkedHashMap<>();
        JsonNode nodes = root == null ? null : root.get("nodes");
        if (nodes == null || !nodes.isObject()) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = nodes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode x = entry.getValue().get("x");
            JsonNode y = entry.getValue().get("y");
            if (x != null && y != null && x.isNumber() && y.isNumber() && Double.isFinite(x.asDouble()) && Double.isFinite(y.asDouble())) {
                out.put(entry.getKey(), new Point(x.asDouble(), y.asDouble()));
            }
        }
        return out;
    }

    /** The file's text for these positions: stable, sorted, one decimal. */
    public static String format(Map<String, Point> positions) {
        StringBuilder out = new StringBuilder("{\n  \"version\": ").append(VERSION).append(",\n  \"nodes\": {");
        boolean first = true;
        for (Map.Entry<String, Point> entry : new TreeMap<>(positions).entrySet()) {
            out.append(first ? "\n" : ",\n");
            first = false;
            out.append("    ").append(quote(entry.getKey())).append(": { \"x\": ").append(number(entry.getValue().x()))
                    .append(", \"y\": ").append(number(entry.getValue().y())).append(" }");
        }
        out.append(first ? "}\n}\n" : "\n  }\n}\n");
        return out.toString();
    }

    /** Writes the positions atomically (temp file, then move). */
    public static void write(Path pipelineFile, Map<String, Point> positions) throws IOException {
        Path file = fileFor(requireNonNull(pipelineFile, "pipelineFile is null"));
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, format(positions), StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.1f", Math.round(value * 10) / 10.0);
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
