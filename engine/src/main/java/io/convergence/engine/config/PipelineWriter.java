package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Names;
import io.convergence.engine.model.meta.Required;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.NonPrintableStyle;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;

/**
 * Writes model records as minimal, stable YAML: keys in record component order ({@code id} first,
 * then {@code type} for polymorphic kinds), values equal to their {@link Default} left out, empty
 * optional lists and maps left out, durations and sizes in their shortest exact spelling. Reading the text back
 * with {@link ModelBinder} gives an equal model.
 *
 * <p>This writes whole documents. Keeping a person's comments and formatting through a designer edit
 * is done by patching the original text at node marks (ADR 0005), not here.
 */
public final class PipelineWriter {
    private static final String[][] DECIMAL_UNITS = {{"PB", "1000000000000000"}, {"TB", "1000000000000"}, {"GB", "1000000000"},
            {"MB", "1000000"}, {"KB", "1000"}};
    private static final String[][] BINARY_UNITS = {{"PiB", String.valueOf(1L << 50)}, {"TiB", String.valueOf(1L << 40)},
            {"GiB", String.valueOf(1L << 30)}, {"MiB", String.valueOf(1L << 20)}, {"KiB", String.valueOf(1L << 10)}};

    static final DumpSettings SETTINGS = DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            .setIndent(2)
            .setIndicatorIndent(2)
            .setIndentWithIndicator(true)
            .setSplitLines(false)
            .setWidth(200)
            .setSchema(YamlReader.SCHEMA)
            .setDereferenceAliases(true)
            // control characters as escapes in double quotes, never as !!binary (which would read back as base64)
            .setNonPrintableStyle(NonPrintableStyle.ESCAPE)
            .build();

    private PipelineWriter() {
    }

    public static String write(Pipeline pipeline) {
        return toYaml(requireNonNull(pipeline, "pipeline is null"));
    }

    /** Any model record (workspace, tenant, checks file, pipeline) as a YAML document. */
    public static String toYaml(Record model) {
        requireNonNull(model, "model is null");
        Object tree = plain(model);
        if (tree instanceof Map<?, ?> map && map.isEmpty()) {
            return "{}\n";
        }
        return new Dump(SETTINGS, new Representer(SETTINGS)).dumpToString(tree);
    }

    /** A list of scalars, written in flow style ({@code depends_on: [a, b]}) as people write it. */
    record FlowList(List<Object> items) {
    }

    /** A string the emitter would write as a block scalar it cannot read back; written double-quoted instead. */
    record Quoted(String text) {
    }

    static final class Representer extends StandardRepresenter {
        Representer(DumpSettings settings) {
            super(settings);
            representers.put(FlowList.class, data -> representSequence(Tag.SEQ, ((FlowList) data).items(), FlowStyle.FLOW));
            representers.put(Quoted.class, data -> representScalar(Tag.STR, ((Quoted) data).text(),
                    org.snakeyaml.engine.v2.common.ScalarStyle.DOUBLE_QUOTED));
        }
    }

    /**
     * snakeyaml-engine emits a multi-line string with whitespace-only lines as a literal block whose leading
     * empty lines are more indented than its first text line, which no YAML parser accepts back.
     */
    private static boolean blockScalarUnsafe(String text) {
        if (text.indexOf('\n') < 0) {
            return false;
        }
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty() && line.isBlank()) {
                return true;
            }
        }
        return Character.isWhitespace(text.charAt(0));
    }

    /** The model value as maps, lists and scalars, in writing order, defaults left out. */
    static Object plain(Object value) {
        return convert(value, true);
    }

    /**
     * The model value as maps, lists and scalars with defaults kept and no emitter hints (no flow lists, no forced
     * quoting): the form the YAML patcher compares to find what changed.
     */
    static Object comparable(Object value) {
        return convert(value, false);
    }

    private static Object convert(Object value, boolean forWriting) {
        if (value instanceof String text) {
            return forWriting && blockScalarUnsafe(text) ? new Quoted(text) : text;
        }
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Enum<?> constant) {
            return Names.yamlValue(constant);
        }
        if (value instanceof Duration duration) {
            return Durations.format(duration);
        }
        if (value instanceof DataSize size) {
            return formatSize(size.bytes());
        }
        if (value instanceof Sample sample) {
            return sample.isFull() ? "full" : (Object) sample.rows().getAsLong();
        }
        if (value instanceof OptionalLong optional) {
            return optional.isPresent() ? optional.getAsLong() : null;
        }
        if (value instanceof ChecksSpec.File file) {
            return convert(file.path(), forWriting);
        }
        if (value instanceof ChecksSpec.Inline inline) {
            return convert(inline.checks(), forWriting);
        }
        if (value instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            boolean scalars = true;
            for (Object element : list) {
                Object plain = convert(element, forWriting);
                scalars &= !(plain instanceof Map || plain instanceof List || plain instanceof FlowList);
                out.add(plain);
            }
            return forWriting && scalars && !out.isEmpty() ? new FlowList(out) : out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            List<Object> keys = new ArrayList<>(map.keySet());
            // Map.of/Map.copyOf iterate in an order that changes between JVM runs; sort those for stable output.
            // Other maps (parameters) keep the order they were written in.
            if (map.getClass().getName().startsWith("java.util.ImmutableCollections")) {
                keys.sort(Comparator.comparing(String::valueOf));
            }
            for (Object key : keys) {
                out.put(key, convert(map.get(key), forWriting));
            }
            return out;
        }
        if (value instanceof Record record) {
            return forWriting ? plainRecord(record) : fields(record, true, PipelineWriter::comparable);
        }
        throw new IllegalArgumentException("cannot write " + value.getClass().getName());
    }

    private static Map<String, Object> plainRecord(Record record) {
        return fields(record, false, PipelineWriter::plain);
    }

    /**
     * A record's properties in writing order ({@code id}, then the polymorphic {@code type}, then the rest in
     * component order), each value mapped by {@code convert}. Absent values and empty optional collections are
     * left out, and so are values equal to their {@link Default} unless {@code keepDefaults}. Shared by the writer
     * and the patcher, so both see a model in the same shape.
     */
    static Map<String, Object> fields(Record record, boolean keepDefaults, java.util.function.Function<Object, Object> convert) {
        Class<?> type = record.getClass();
        Map<String, Object> out = new LinkedHashMap<>();
        RecordComponent[] components = ModelBinder.components(type);
        for (RecordComponent component : components) {
            if (Names.yamlKey(component).equals("id")) {
                put(out, record, component, keepDefaults, convert);
            }
        }
        for (Class<?> polymorphic : type.getInterfaces()) {
            if (ModelBinder.isPolymorphic(polymorphic)) {
                ModelBinder.subtypes(polymorphic).forEach((name, subtype) -> {
                    if (subtype == type) {
                        out.put(ModelBinder.typeProperty(polymorphic), name);
                    }
                });
            }
        }
        for (RecordComponent component : components) {
            if (!Names.yamlKey(component).equals("id")) {
                put(out, record, component, keepDefaults, convert);
            }
        }
        return out;
    }

    private static void put(Map<String, Object> out, Record record, RecordComponent component, boolean keepDefaults,
                            java.util.function.Function<Object, Object> convert) {
        Object value;
        try {
            value = component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
        boolean empty = value instanceof Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty();
        if (value == null || empty && !component.isAnnotationPresent(Required.class)) {
            return;
        }
        if (!keepDefaults && component.isAnnotationPresent(Default.class) && Objects.equals(value, ModelBinder.defaultValue(component))) {
            return;
        }
        out.put(Names.yamlKey(component), convert.apply(value));
    }

    /** The shortest exact spelling of a byte count: 50GB, 10MiB, or the plain number. */
    static Object formatSize(long bytes) {
        String best = null;
        for (String[][] units : new String[][][] {DECIMAL_UNITS, BINARY_UNITS}) {
            for (String[] unit : units) {
                long factor = Long.parseLong(unit[1]);
                if (bytes >= factor && bytes % factor == 0) {
                    String text = bytes / factor + unit[0];
                    if (DataSize.parse(text).bytes() != bytes) {
                        // DataSize parses through a double; beyond 2^53 bytes only the plain number is exact
                        continue;
                    }
                    if (best == null || text.length() < best.length()) {
                        best = text;
                    }
                    break;
                }
            }
        }
        return best != null ? best : (Object) bytes;
    }
}
