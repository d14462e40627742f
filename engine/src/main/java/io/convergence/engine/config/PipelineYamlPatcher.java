package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns an edited pipeline model into new pipeline.yml text by patching the original text at node marks
 * (ADR 0005, ADR 0008): comments, key order and formatting of everything the edit did not touch stay
 * byte for byte. Changed scalars are replaced in place, added keys go after their nearest preceding sibling
 * (in the writer's key order) with the siblings' indentation, removed keys and steps take their lines with
 * them, new steps are appended to the steps sequence in its indentation, and renamed steps keep their block.
 *
 * <p>The result is parsed and bound again; only when it equals the edited model is it returned as
 * {@link Strategy#PATCHED}. Otherwise (or for a file without a usable structure) the whole document is written
 * by {@link PipelineWriter} and marked {@link Strategy#REWRITTEN}, so the caller can tell the user that
 * comments could not be kept.
 */
public final class PipelineYamlPatcher {
    private static final Path LABEL = Path.of("pipeline.yml");
    private static final DumpSettings FLOW = DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.FLOW)
            .setSplitLines(false)
            .setWidth(100_000)
            .setSchema(YamlReader.SCHEMA)
            .setDereferenceAliases(true)
            .setNonPrintableStyle(org.snakeyaml.engine.v2.common.NonPrintableStyle.ESCAPE)
            .build();

    /** How the new text was made. */
    public enum Strategy {
        /** The model did not change: the original text is returned as it was. */
        UNCHANGED,
        /** Only the changed parts of the original text changed. */
        PATCHED,
        /** The original could not be patched; the document was written anew and its comments are gone. */
        REWRITTEN
    }

    /** The new text, how it was made, and why it had to be rewritten (empty unless REWRITTEN). */
    public record Result(String text, Strategy strategy, String reason) {
        public Result {
            requireNonNull(text, "text is null");
            requireNonNull(strategy, "strategy is null");
            reason = reason == null ? "" : reason;
        }
    }

    /** An edit of the original cannot be expressed as a patch; the caller falls back to rewriting. */
    private static final class Unpatchable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unpatchable(String message) {
            super(message, null, false, false);
        }
    }

    private record Edit(int start, int end, String text) {
    }

    private final String text;
    private final String body;
    private final int bomShift;
    private final int[] charIndex;
    private final String newline;
    private final List<Edit> edits = new ArrayList<>();

    private PipelineYamlPatcher(String text) {
        this.text = text;
        this.bomShift = text.startsWith("\uFEFF") ? 1 : 0;
        this.body = text.substring(bomShift);
        this.charIndex = codePointIndex(body);
        this.newline = text.contains("\r\n") ? "\r\n" : "\n";
    }

    public static Result patch(String original, Pipeline edited) {
        return patch(original, edited, Map.of());
    }

    /**
     * Patches {@code original} so it reads back as {@code edited}. {@code renames} maps step ids as they are in
     * the original to their new ids, so a renamed step keeps its text (comments included) instead of being
     * removed and added again.
     */
    public static Result patch(String original, Pipeline edited, Map<String, String> renames) {
        requireNonNull(original, "original is null");
        requireNonNull(edited, "edited is null");
        requireNonNull(renames, "renames is null");
        YamlReader.Document document = YamlReader.parse(original, LABEL);
        if (document.root().isEmpty() || !(document.root().get() instanceof MappingNode root)) {
            return rewrite(edited, "the file has no YAML mapping to patch");
        }
        Optional<Pipeline> before = ModelBinder.bind(root, Pipeline.class, LABEL).value();
        if (before.isEmpty()) {
            return rewrite(edited, "the file on disk does not load as a pipeline");
        }
        if (before.get().equals(edited)) {
            return new Result(original, Strategy.UNCHANGED, "");
        }
        String patched;
        try {
            PipelineYamlPatcher patcher = new PipelineYamlPatcher(original);
            patcher.patchPipeline(root, before.get(), edited, renames);
            patched = patcher.apply();
        } catch (Unpatchable e) {
            return rewrite(edited, e.getMessage());
        }
        Optional<Pipeline> after = ModelBinder.bind(YamlReader.parse(patched, LABEL), Pipeline.class).value();
        if (after.isEmpty() || !after.get().equals(edited)) {
            return rewrite(edited, "the patched text did not read back as the edited pipeline");
        }
        return new Result(patched, Strategy.PATCHED, "");
    }

    /** The patched text without the read-back check (tests and diagnostics). */
    static String patchUnchecked(String original, Pipeline edited, Map<String, String> renames) {
        MappingNode root = (MappingNode) YamlReader.parse(original, LABEL).root().orElseThrow();
        Pipeline before = ModelBinder.bind(root, Pipeline.class, LABEL).value().orElseThrow();
        PipelineYamlPatcher patcher = new PipelineYamlPatcher(original);
        patcher.patchPipeline(root, before, edited, renames);
        return patcher.apply();
    }

    private static Result rewrite(Pipeline edited, String reason) {
        return new Result(PipelineWriter.write(edited), Strategy.REWRITTEN, reason);
    }

    // ---------------------------------------------------------------- the diff

    private void patchPipeline(MappingNode root, Pipeline before, Pipeline after, Map<String, String> renames) {
        Map<String, Object> oldTree = full(before);
        Map<String, Object> newTree = full(after);
        Map<String, Object> newMinimal = minimal(after);
        Object oldSteps = oldTree.remove("steps");
        Object newSteps = newTree.remove("steps");
        patchMapping(root, oldTree, newTree, newMinimal);

        NodeTuple steps = find(root, "steps");
        if (steps == null) {
            throw new Unpatchable("the file has no steps key");
        }
        if (Objects.equals(oldSteps, newSteps) && renames.isEmpty()) {
            return;
        }
        if (!(steps.getValueNode() instanceof SequenceNode sequence) || sequence.getFlowStyle() == FlowStyle.FLOW
                || sequence.getValue().isEmpty()) {
            replaceValue(steps.getKeyNode(), steps.getValueNode(), newMinimal.get("steps"), false);
            return;
        }
        patchSteps(sequence, before.steps(), after.steps(), renames);
    }

    private void patchSteps(SequenceNode sequence, List<Step> before, List<Step> after, Map<String, String> renames) {
        Map<String, MappingNode> itemById = new HashMap<>();
        for (Node item : sequence.getValue()) {
            if (item instanceof MappingNode mapping) {
                NodeTuple id = find(mapping, "id");
                if (id != null && id.getValueNode() instanceof ScalarNode scalar) {
                    itemById.putIfAbsent(scalar.getValue(), mapping);
                }
            }
        }
        Map<String, Step> oldById = new HashMap<>();
        for (Step step : before) {
            oldById.putIfAbsent(step.id(), step);
        }
        Map<String, String> originalIdOf = new HashMap<>();
        renames.forEach((oldId, newId) -> originalIdOf.put(newId, oldId));

        Set<String> kept = new HashSet<>();
        List<Step> added = new ArrayList<>();
        for (Step step : after) {
            String originalId = originalIdOf.getOrDefault(step.id(), step.id());
            Step old = oldById.get(originalId);
            MappingNode item = itemById.get(originalId);
            if (old != null && item != null && old.typeName().equals(step.typeName()) && kept.add(originalId)) {
                patchValue(null, item, full((Record) old), full((Record) step), minimal((Record) step), true);
            } else {
                added.add(step);
            }
        }
        for (Step old : before) {
            if (!kept.contains(old.id()) && itemById.containsKey(old.id())) {
                removeItem(itemById.get(old.id()));
                kept.add(old.id());
            }
        }
        if (!added.isEmpty()) {
            appendItems(sequence, added);
        }
    }

    /** Patches {@code node} (a mapping value, or a sequence item when {@code item}) from {@code oldValue} to {@code newValue}. */
    private void patchValue(Node key, Node node, Object oldValue, Object newValue, Object newMinimal, boolean item) {
        if (Objects.equals(oldValue, newValue)) {
            return;
        }
        if (node instanceof MappingNode mapping && oldValue instanceof Map<?, ?> oldMap && newValue instanceof Map<?, ?> newMap
                && (mapping.getFlowStyle() == FlowStyle.BLOCK || flowPatchable(mapping, oldMap, newMap))) {
            patchMapping(mapping, oldMap, newMap, newMinimal instanceof Map<?, ?> m ? m : newMap);
            return;
        }
        if (node instanceof SequenceNode sequence && sequence.getFlowStyle() == FlowStyle.BLOCK && oldValue instanceof List<?> oldList
                && newValue instanceof List<?> newList && oldList.size() == newList.size() && sequence.getValue().size() == oldList.size()
                && newList.stream().allMatch(v -> v instanceof Map)) {
            List<?> minimalList = items(newMinimal);
            for (int i = 0; i < newList.size(); i++) {
                patchValue(null, sequence.getValue().get(i), oldList.get(i), newList.get(i),
                        minimalList != null && i < minimalList.size() ? minimalList.get(i) : newList.get(i), true);
            }
            return;
        }
        if (item) {
            replaceItem(node, newMinimal);
        } else {
            replaceValue(key, node, newMinimal, false);
        }
    }

    /**
     * A flow mapping ({@code { uri: x, format: csv }}) can be patched value by value only when no key has to be added or
     * removed; otherwise the whole mapping is written again in flow style.
     */
    private static boolean flowPatchable(MappingNode mapping, Map<?, ?> oldMap, Map<?, ?> newMap) {
        for (Object key : newMap.keySet()) {
            if (find(mapping, String.valueOf(key)) == null && !Objects.equals(oldMap.get(key), newMap.get(key))) {
                return false;
            }
        }
        for (Object key : oldMap.keySet()) {
            if (!newMap.containsKey(key) && find(mapping, String.valueOf(key)) != null) {
                return false;
            }
        }
        return true;
    }

    private void patchMapping(MappingNode mapping, Map<?, ?> oldMap, Map<?, ?> newMap, Map<?, ?> newMinimal) {
        boolean flow = mapping.getFlowStyle() == FlowStyle.FLOW;
        List<Object> keyOrder = new ArrayList<>(newMap.keySet());
        for (Object key : newMap.keySet()) {
            String name = String.valueOf(key);
            NodeTuple tuple = find(mapping, name);
            Object minimalValue = newMinimal.containsKey(key) ? newMinimal.get(key) : newMap.get(key);
            if (tuple == null && Objects.equals(oldMap.get(key), newMap.get(key))) {
                // a default the file leaves out, unchanged
                continue;
            }
            if (tuple != null) {
                patchValue(tuple.getKeyNode(), tuple.getValueNode(), oldMap.get(key), newMap.get(key), minimalValue, false);
            } else if (flow) {
                throw new Unpatchable("cannot add a key to a flow mapping in place");
            } else {
                insertKey(mapping, name, minimalValue, keyOrder);
            }
        }
        for (Object key : oldMap.keySet()) {
            if (!newMap.containsKey(key)) {
                NodeTuple tuple = find(mapping, String.valueOf(key));
                if (tuple != null) {
                    if (flow) {
                        throw new Unpatchable("cannot remove a key from a flow mapping in place");
                    }
                    removeKey(tuple);
                }
            }
        }
    }

    // ---------------------------------------------------------------- text edits

    private void replaceValue(Node key, Node node, Object value, boolean flowContext) {
        Object renderable = renderable(value);
        int start = offset(node.getStartMark());
        int end = contentEnd(node);
        if (flowContext || inFlow(node) || keepsFlowStyle(node, renderable)) {
            edits.add(new Edit(start, end, flow(renderable, node)));
            return;
        }
        Rendered rendered = renderEntry("k", renderable);
        if (key == null) {
            throw new Unpatchable("a value without a key cannot be replaced");
        }
        int keyEnd = contentEnd(key);
        int keyColumn = column(offset(key.getStartMark()));
        boolean valueOnKeyLine = !body.substring(keyEnd, start).contains("\n") && !(node instanceof ScalarNode s && isEmptyNull(s));
        if (rendered.continuation().isEmpty()) {
            if (valueOnKeyLine) {
                edits.add(new Edit(start, end, rendered.firstRest().strip()));
            } else {
                edits.add(new Edit(keyEnd, end, ":" + rendered.firstRest()));
            }
            return;
        }
        boolean blockOnLaterLine = !valueOnKeyLine && (node instanceof MappingNode || node instanceof SequenceNode);
        if (blockOnLaterLine && rendered.firstRest().isEmpty()) {
            int indent = column(start);
            int lineStart = lineStart(start);
            edits.add(new Edit(lineStart, end, indentLines(rendered.continuation(), indent, false)));
            return;
        }
        int indent = keyColumn + 2;
        edits.add(new Edit(keyEnd, end, ":" + rendered.firstRest() + newline + indentLines(rendered.continuation(), indent, false)));
    }

    /** Replaces a sequence item in a block sequence ({@code - value}). */
    private void replaceItem(Node node, Object value) {
        Object renderable = renderable(value);
        int start = offset(node.getStartMark());
        int end = contentEnd(node);
        if (inFlow(node) || keepsFlowStyle(node, renderable)) {
            edits.add(new Edit(start, end, flow(renderable, node)));
            return;
        }
        List<String> lines = dumpLines(List.of(renderable));
        String first = lines.get(0);
        if (!first.startsWith("- ")) {
            throw new Unpatchable("unexpected rendering of a sequence item");
        }
        List<String> continuation = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            continuation.add(line.startsWith("  ") ? line.substring(2) : line);
        }
        String replacement = first.substring(2);
        if (!continuation.isEmpty()) {
            replacement += newline + indentLines(continuation, column(start), false);
        }
        edits.add(new Edit(start, end, replacement));
    }

    private void insertKey(MappingNode mapping, String key, Object value, List<Object> keyOrder) {
        List<NodeTuple> tuples = mapping.getValue();
        if (tuples.isEmpty()) {
            throw new Unpatchable("cannot add a key to an empty mapping in place");
        }
        NodeTuple after = null;
        int index = keyOrder.indexOf(key);
        for (int i = index - 1; i >= 0 && after == null; i--) {
            after = find(mapping, String.valueOf(keyOrder.get(i)));
        }
        if (after == null) {
            after = tuples.get(tuples.size() - 1);
        }
        int column = column(offset(tuples.get(0).getKeyNode().getStartMark()));
        Rendered rendered = renderEntry(key, renderable(value));
        StringBuilder inserted = new StringBuilder();
        inserted.append(" ".repeat(column)).append(key).append(':').append(rendered.firstRest());
        if (!rendered.continuation().isEmpty()) {
            inserted.append(newline).append(indentLines(rendered.continuation(), column + 2, false));
        }
        inserted.append(newline);
        int at = lineEnd(contentEnd(after.getValueNode()));
        if (at == body.length() && !body.endsWith("\n")) {
            edits.add(new Edit(at, at, newline + inserted.substring(0, inserted.length() - newline.length())));
        } else {
            edits.add(new Edit(at, at, inserted.toString()));
        }
    }

    private void removeKey(NodeTuple tuple) {
        int keyStart = offset(tuple.getKeyNode().getStartMark());
        int lineStart = lineStart(keyStart);
        if (!body.substring(lineStart, keyStart).isBlank()) {
            throw new Unpatchable("cannot remove a key that shares its line with another");
        }
        edits.add(new Edit(lineStart, lineEnd(contentEnd(tuple.getValueNode())), ""));
    }

    private void removeItem(MappingNode item) {
        int itemStart = offset(item.getStartMark());
        int dash = itemStart - 1;
        while (dash >= 0 && Character.isWhitespace(body.charAt(dash))) {
            dash--;
        }
        if (dash < 0 || body.charAt(dash) != '-') {
            throw new Unpatchable("cannot find the '-' of a step");
        }
        int lineStart = lineStart(dash);
        if (!body.substring(lineStart, dash).isBlank()) {
            throw new Unpatchable("a step shares its line with other text");
        }
        int end = lineEnd(contentEnd(item));
        // Items separated by blank lines: take one blank line along, so no double gap is left behind.
        int start = lineStart;
        if (lineStart >= 2 && isBlankLineBefore(lineStart)) {
            int next = lineEnd(end);
            if (end < body.length() && body.substring(end, next).isBlank()) {
                end = next;
            } else {
                start = lineStart(lineStart - 1);
            }
        }
        edits.add(new Edit(start, end, ""));
    }

    private void appendItems(SequenceNode sequence, List<Step> added) {
        List<Node> items = sequence.getValue();
        Node first = items.get(0);
        Node last = items.get(items.size() - 1);
        int firstStart = offset(first.getStartMark());
        int dash = firstStart - 1;
        while (dash >= 0 && Character.isWhitespace(body.charAt(dash))) {
            dash--;
        }
        if (dash < 0 || body.charAt(dash) != '-') {
            throw new Unpatchable("cannot find the '-' of the first step");
        }
        int dashColumn = column(dash);
        boolean blankSeparated = items.size() > 1 && isBlankLineBefore(lineStart(itemDash(items.get(1))));
        StringBuilder inserted = new StringBuilder();
        for (Step step : added) {
            if (blankSeparated) {
                inserted.append(newline);
            }
            List<String> lines = dumpLines(List.of(renderable(minimal((Record) step))));
            inserted.append(indentLines(lines, dashColumn, true));
        }
        int at = lineEnd(contentEnd(last));
        if (at == body.length() && !body.endsWith("\n")) {
            edits.add(new Edit(at, at, newline + inserted.substring(0, inserted.length() - newline.length())));
        } else {
            edits.add(new Edit(at, at, inserted.toString()));
        }
    }

    private int itemDash(Node item) {
        int dash = offset(item.getStartMark()) - 1;
        while (dash > 0 && Character.isWhitespace(body.charAt(dash))) {
            dash--;
        }
        return Math.max(0, dash);
    }

    private boolean isBlankLineBefore(int lineStart) {
        if (lineStart == 0) {
            return false;
        }
        int previousStart = lineStart(lineStart - 1);
        return body.substring(previousStart, lineStart).isBlank();
    }

    private String apply() {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end));
        // Removals of neighbouring steps may both claim the blank line between them: merge those.
        for (int i = 1; i < sorted.size(); i++) {
            Edit previous = sorted.get(i - 1);
            Edit current = sorted.get(i);
            if (previous.text().isEmpty() && current.text().isEmpty() && current.start() < previous.end()) {
                sorted.set(i - 1, new Edit(previous.start(), Math.max(previous.end(), current.end()), ""));
                sorted.remove(i);
                i--;
            }
        }
        for (int i = 1; i < sorted.size(); i++) {
            Edit previous = sorted.get(i - 1);
            Edit current = sorted.get(i);
            if (current.start() < previous.end() || current.start() == previous.start() && previous.end() > previous.start()
                    && current.end() > current.start()) {
                throw new Unpatchable("two edits overlap");
            }
        }
        StringBuilder out = new StringBuilder(body);
        for (int i = sorted.size() - 1; i >= 0; i--) {
            Edit edit = sorted.get(i);
            out.replace(edit.start(), edit.end(), edit.text());
        }
        return text.substring(0, bomShift) + out;
    }

    // ---------------------------------------------------------------- positions

    /** Char offset in {@code body} of a mark (marks count code points). */
    private int offset(Optional<Mark> mark) {
        int index = mark.orElseThrow(() -> new Unpatchable("a node has no position")).getIndex();
        return charIndex == null ? index : charIndex[Math.min(index, charIndex.length - 1)];
    }

    private static int[] codePointIndex(String text) {
        boolean surrogates = false;
        for (int i = 0; i < text.length() && !surrogates; i++) {
            surrogates = Character.isSurrogate(text.charAt(i));
        }
        if (!surrogates) {
            return null;
        }
        int[] out = new int[text.codePointCount(0, text.length()) + 1];
        int cp = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            out[cp++] = i;
        }
        out[cp] = text.length();
        return out;
    }

    /** Where a node's text really ends: past its last character, before trailing line breaks and spaces. */
    private int contentEnd(Node node) {
        Node last = node;
        while (true) {
            if (last instanceof MappingNode mapping && mapping.getFlowStyle() == FlowStyle.BLOCK && !mapping.getValue().isEmpty()) {
                last = mapping.getValue().get(mapping.getValue().size() - 1).getValueNode();
            } else if (last instanceof SequenceNode sequence && sequence.getFlowStyle() == FlowStyle.BLOCK && !sequence.getValue().isEmpty()) {
                last = sequence.getValue().get(sequence.getValue().size() - 1);
            } else {
                break;
            }
        }
        int end = offset(last.getEndMark());
        int start = offset(last.getStartMark());
        while (end > start && Character.isWhitespace(body.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private int lineStart(int offset) {
        int newlineAt = body.lastIndexOf('\n', offset - 1);
        return newlineAt + 1;
    }

    /** Offset just past the line break of the line holding {@code offset} (or the end of the text). */
    private int lineEnd(int offset) {
        int newlineAt = body.indexOf('\n', offset);
        return newlineAt < 0 ? body.length() : newlineAt + 1;
    }

    private int column(int offset) {
        return offset - lineStart(offset);
    }

    private boolean inFlow(Node node) {
        int start = offset(node.getStartMark());
        // A node inside a flow collection: the nearest structural character before it is '{', '[' or ','.
        int i = start - 1;
        while (i >= 0 && (body.charAt(i) == ' ' || body.charAt(i) == '\t')) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        char c = body.charAt(i);
        if (c == '{' || c == '[' || c == ',') {
            return true;
        }
        if (c == ':') {
            // "key: value" inside a flow mapping: look further back on the line for an open brace
            int lineStart = lineStart(i);
            int depth = 0;
            for (int j = i; j >= lineStart; j--) {
                char d = body.charAt(j);
                if (d == '}' || d == ']') {
                    depth++;
                } else if (d == '{' || d == '[') {
                    if (depth == 0) {
                        return true;
                    }
                    depth--;
                }
            }
        }
        return false;
    }

    /** A flow collection stays one: {@code { a: b }} is replaced by a flow mapping, not a block. */
    private static boolean keepsFlowStyle(Node node, Object value) {
        // an empty [] or {} is a placeholder for "none yet": what replaces it may take the writer's block style
        boolean flowCollection = node instanceof MappingNode mapping && mapping.getFlowStyle() == FlowStyle.FLOW && !mapping.getValue().isEmpty()
                || node instanceof SequenceNode sequence && sequence.getFlowStyle() == FlowStyle.FLOW && !sequence.getValue().isEmpty();
        return flowCollection && (value instanceof Map || value instanceof List || value instanceof PipelineWriter.FlowList);
    }

    private static boolean isEmptyNull(ScalarNode scalar) {
        return Tag.NULL.equals(scalar.getTag()) && scalar.getValue().isEmpty();
    }

    private static NodeTuple find(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                return tuple;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- rendering

    /** A mapping entry as the writer renders it: the rest of the key's line, then the following lines (dedented). */
    private record Rendered(String firstRest, List<String> continuation) {
    }

    private Rendered renderEntry(String key, Object value) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put(key, value);
        List<String> lines = dumpLines(entry);
        String first = lines.get(0);
        String prefix = key + ":";
        if (!first.startsWith(prefix)) {
            throw new Unpatchable("unexpected rendering of key " + key);
        }
        List<String> continuation = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            continuation.add(line.startsWith("  ") ? line.substring(2) : line);
        }
        return new Rendered(first.substring(prefix.length()), continuation);
    }

    private static List<String> dumpLines(Object value) {
        String dumped = new Dump(PipelineWriter.SETTINGS, new PipelineWriter.Representer(PipelineWriter.SETTINGS)).dumpToString(value);
        List<String> lines = new ArrayList<>(List.of(dumped.split("\n", -1)));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        // A top-level sequence comes out indented by the indicator indent; callers place lines themselves.
        int common = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                common = Math.min(common, line.length() - line.stripLeading().length());
            }
        }
        if (common > 0 && common != Integer.MAX_VALUE) {
            int strip = common;
            lines.replaceAll(line -> line.length() >= strip ? line.substring(strip) : line.stripLeading());
        }
        return lines;
    }

    private String flow(Object value, Node original) {
        String dumped = new Dump(FLOW, new PipelineWriter.Representer(FLOW)).dumpToString(List.of(value)).strip();
        String inner = dumped.substring(1, dumped.length() - 1);
        String originalText = body.substring(offset(original.getStartMark()), Math.min(body.length(), offset(original.getStartMark()) + 2));
        boolean spaced = originalText.equals("{ ") || originalText.equals("[ ");
        if (spaced && inner.length() > 2 && (inner.startsWith("{") || inner.startsWith("[")) && !inner.startsWith("{}")
                && !inner.startsWith("[]")) {
            inner = inner.charAt(0) + " " + inner.substring(1, inner.length() - 1) + " " + inner.charAt(inner.length() - 1);
        }
        return inner;
    }

    private String indentLines(List<String> lines, int indent, boolean trailingNewline) {
        StringBuilder out = new StringBuilder();
        String pad = " ".repeat(indent);
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                out.append(newline);
            }
            out.append(lines.get(i).isEmpty() ? "" : pad + lines.get(i));
        }
        if (trailingNewline) {
            out.append(newline);
        }
        return out.toString();
    }

    /** Values as the writer renders them: scalar lists in flow style, multi-line strings double-quoted. */
    private static Object renderable(Object value) {
        if (value instanceof PipelineWriter.FlowList || value instanceof PipelineWriter.Quoted) {
            return value;
        }
        if (value instanceof String s) {
            return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? new PipelineWriter.Quoted(s) : s;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, renderable(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            boolean scalars = true;
            for (Object element : list) {
                Object r = renderable(element);
                scalars &= !(r instanceof Map || r instanceof List || r instanceof PipelineWriter.FlowList);
                out.add(r);
            }
            return scalars && !out.isEmpty() ? new PipelineWriter.FlowList(out) : out;
        }
        return value;
    }

    private static List<?> items(Object value) {
        if (value instanceof PipelineWriter.FlowList flowList) {
            return flowList.items();
        }
        return value instanceof List<?> list ? list : null;
    }

    // ---------------------------------------------------------------- model trees

    /** The writer's minimal tree (defaults left out), with the writer's style wrappers. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> minimal(Record record) {
        return (Map<String, Object>) PipelineWriter.plain(record);
    }

    /**
     * The model as maps, lists and scalars in the writer's key order, with default values included: what is
     * compared to find changes. A value equal to its default is still a value, so switching to the default
     * rewrites the key instead of deleting it.
     */
    static Map<String, Object> full(Record record) {
        return PipelineWriter.fields(record, true, PipelineWriter::comparable);
    }
}
