package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Names;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import io.convergence.engine.validation.Pointers;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import io.convergence.engine.validation.Suggestions;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;

/**
 * Binds a YAML node tree to the immutable model records, driven only by the record components and
 * the model's annotations ({@link Required}, {@link Default}, {@link Pattern}, {@link Minimum},
 * {@link io.convergence.engine.model.meta.Key}, Jackson's {@link JsonSubTypes}), the same metadata
 * the JSON Schema is generated from, so the two cannot disagree.
 *
 * <p>Binding never stops at the first mistake: every problem is reported with its location, what can
 * be bound is bound, and a record whose required parts failed is left out. A {@link SourceMap} keyed
 * by JSON Pointers into the <em>bound model</em> records where each value was written (list elements
 * that failed to bind are left out, so model indices and pointers always agree).
 */
public final class ModelBinder {
    /** Most problems reported per file; a file with more is mostly noise after the first ones. */
    public static final int MAX_PROBLEMS = 200;
    /** Most nodes visited while binding one file (aliases count every time they are followed). */
    public static final long MAX_VISITS = 2L * YamlReader.MAX_EXPANDED_NODES;

    private static final Object FAILED = new Object();
    private static final ScalarResolver RESOLVER = YamlReader.SCHEMA.getScalarResolver();
    /** Keyed by "Record.component": RecordComponent has identity equality and a new instance per lookup. */
    private static final Map<String, Object> DEFAULTS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, RecordComponent[]> COMPONENTS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Constructor<?>> CONSTRUCTORS = new ConcurrentHashMap<>();
    private static final Map<String, java.util.regex.Pattern> PATTERNS = new ConcurrentHashMap<>();

    /** The outcome of binding one document. */
    public record Bound<T>(Optional<T> value, SourceMap sourceMap, List<Problem> problems) {
        public Bound {
            requireNonNull(value, "value is null");
            requireNonNull(sourceMap, "sourceMap is null");
            problems = List.copyOf(problems);
        }

        public boolean hasErrors() {
            return problems.stream().anyMatch(Problem::isError);
        }
    }

    private ModelBinder() {
    }

    /** Reads and binds {@code file} as {@code type}. */
    public static <T> Bound<T> read(Path file, Class<T> type) {
        return bind(YamlReader.read(file), type);
    }

    /** Binds a parsed document; a document that did not parse gives its problems and no value. */
    public static <T> Bound<T> bind(YamlReader.Document document, Class<T> type) {
        if (document.root().isEmpty()) {
            return new Bound<>(Optional.empty(), SourceMap.empty(document.file()), document.problems());
        }
        Bound<T> bound = bind(document.root().get(), type, document.file());
        if (document.problems().isEmpty()) {
            return bound;
        }
        List<Problem> all = new ArrayList<>(document.problems());
        all.addAll(bound.problems());
        return new Bound<>(bound.value(), bound.sourceMap(), all);
    }

    /** Binds {@code root} as {@code type}; never throws for anything the YAML says. */
    public static <T> Bound<T> bind(Node root, Class<T> type, Path file) {
        requireNonNull(root, "root is null");
        requireNonNull(type, "type is null");
        requireNonNull(file, "file is null");
        Session session = new Session(file);
        Object value;
        try {
            value = session.bindValue(root, type, null, Constraints.NONE, "", "");
        } catch (TooLarge e) {
            session.problems.add(Problem.of(ProblemCode.DOCUMENT_TOO_LARGE, YamlReader.at(file, root), "",
                    "the document expands to more than " + MAX_VISITS + " nodes", "remove repeated aliases"));
            value = FAILED;
        }
        if (session.dropped > 0) {
            session.problems.add(Problem.of(ProblemCode.TOO_MANY_PROBLEMS, SourceLocation.of(file), "",
                    session.dropped + " more problems in this file are not shown", "fix the problems above first"));
        }
        Optional<T> result = value == FAILED || value == null ? Optional.empty() : Optional.of(type.cast(value));
        return new Bound<>(result, new SourceMap(file, session.positions), session.problems);
    }

    /** The value a component takes when the YAML leaves it out (its {@link Default}), or null/zero. */
    static Object defaultValue(RecordComponent component) {
        Default annotation = component.getAnnotation(Default.class);
        if (annotation == null) {
            return zero(component.getType());
        }
        // computeIfAbsent cannot be used: parsing a record default binds nested defaults recursively
        String key = component.getDeclaringRecord().getName() + "." + component.getName();
        Object value = DEFAULTS.get(key);
        if (value == null) {
            value = parseDefault(component);
            DEFAULTS.putIfAbsent(key, value);
        }
        return value;
    }

    private static Object parseDefault(RecordComponent component) {
        String text = component.getAnnotation(Default.class).value();
        Class<?> raw = component.getType();
        Path origin = Path.of("@Default(" + component.getDeclaringRecord().getSimpleName() + "." + component.getName() + ")");
        Node node;
        if (raw.isRecord() || raw == List.class || raw == Map.class) {
            YamlReader.Document document = YamlReader.parse(text, origin);
            node = document.root().orElseThrow(() -> new IllegalStateException("invalid " + origin + ": " + document.problems()));
        } else {
            node = new ScalarNode(RESOLVER.resolve(text, true), text, ScalarStyle.PLAIN);
        }
        Session session = new Session(origin);
        Object value = session.bindValue(node, component.getGenericType(), component.getAnnotatedType(),
                Constraints.of(component), "", component.getName());
        if (value == FAILED || !session.problems.isEmpty()) {
            throw new IllegalStateException("invalid " + origin + ": " + session.problems);
        }
        return value;
    }

    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0d;
        }
        if (type == boolean.class) {
            return false;
        }
        return null;
    }

    /** Subtype names of a polymorphic model interface, in declaration order. */
    static Map<String, Class<?>> subtypes(Class<?> polymorphic) {
        Map<String, Class<?>> out = new LinkedHashMap<>();
        for (JsonSubTypes.Type t : polymorphic.getAnnotation(JsonSubTypes.class).value()) {
            out.put(t.name(), t.value());
        }
        return out;
    }

    /** The YAML key holding a polymorphic type's discriminator ({@code type}). */
    static String typeProperty(Class<?> polymorphic) {
        JsonTypeInfo info = polymorphic.getAnnotation(JsonTypeInfo.class);
        return info == null || info.property().isEmpty() ? "type" : info.property();
    }

    static boolean isPolymorphic(Class<?> type) {
        return type.isInterface() && type.isAnnotationPresent(JsonSubTypes.class);
    }

    /** Human description of a pattern, for messages. */
    static String describePattern(String regex) {
        switch (regex) {
            case Ids.ID:
                return "an id: a lower-case letter, then lower-case letters, digits or '_' (at most 63)";
            case Ids.TABLE_REF:
                return "a table reference dataset.table (letters, digits and '_')";
            case Ids.COLUMN:
                return "a column name (a letter or '_', then letters, digits or '_')";
            case Ids.NAME:
                return "a dataset or table name (a letter or '_', then letters, digits or '_')";
            case Ids.PROJECT:
                return "a Google Cloud project id (6 to 30 lower-case letters, digits or '-')";
            default:
                return "the pattern " + regex;
        }
    }

    static boolean matches(String regex, String value) {
        return PATTERNS.computeIfAbsent(regex, java.util.regex.Pattern::compile).matcher(value).matches();
    }

    /** A value for messages: quoted, one line, at most 60 characters. */
    static String quote(String value) {
        String oneLine = value.replace("\n", "\\n").replace("\r", "\\r");
        return "'" + (oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine) + "'";
    }

    /** Constraints on one value: a pattern for strings, a lower bound for numbers. */
    private record Constraints(String pattern, Long minimum) {
        static final Constraints NONE = new Constraints(null, null);

        static Constraints of(RecordComponent component) {
            Pattern pattern = component.getAnnotation(Pattern.class);
            Minimum minimum = component.getAnnotation(Minimum.class);
            return new Constraints(pattern == null ? null : pattern.value(), minimum == null ? null : minimum.value());
        }

        static Constraints of(AnnotatedType type) {
            Pattern pattern = type == null ? null : type.getAnnotation(Pattern.class);
            Minimum minimum = type == null ? null : type.getAnnotation(Minimum.class);
            return pattern == null && minimum == null ? NONE
                    : new Constraints(pattern == null ? null : pattern.value(), minimum == null ? null : minimum.value());
        }
    }

    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }

    /** One binding run: its problems, positions and visit budget. */
    private static final class Session {
        private final Path file;
        private final List<Problem> problems = new ArrayList<>();
        private final TreeMap<String, SourceLocation> positions = new TreeMap<>();
        private long visits;
        private int dropped;

        Session(Path file) {
            this.file = file;
        }

        private void report(ProblemCode code, Node node, String pointer, String message, String hint) {
            report(code, loc(node), pointer, message, hint);
        }

        private void report(ProblemCode code, SourceLocation location, String pointer, String message, String hint) {
            if (problems.size() >= MAX_PROBLEMS) {
                dropped++;
                return;
            }
            problems.add(Problem.of(code, location, pointer, message, hint));
        }

        private SourceLocation loc(Node node) {
            return YamlReader.at(file, node);
        }

        /** Forgets positions recorded under a pointer whose value was then left out of the model. */
        private void forget(String pointer) {
            positions.remove(pointer);
            positions.subMap(pointer + "/", pointer + "0").clear();
        }

        Object bindValue(Node node, Type type, AnnotatedType annotated, Constraints constraints, String pointer, String label) {
            if (++visits > MAX_VISITS) {
                throw new TooLarge();
            }
            positions.put(pointer, loc(node));
            Class<?> raw = rawClass(type);
            if (raw == String.class) {
                return bindString(node, constraints, pointer, label);
            }
            if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
                return bindInteger(node, raw, constraints, pointer, label);
            }
            if (raw == double.class || raw == Double.class) {
                return bindDouble(node, constraints, pointer, label);
            }
            if (raw == boolean.class || raw == Boolean.class) {
                return bindBoolean(node, pointer, label);
            }
            if (raw.isEnum()) {
                return bindEnum(node, raw, pointer, label);
            }
            if (raw == Duration.class) {
                return bindDuration(node, pointer, label);
            }
            if (raw == DataSize.class) {
                return bindDataSize(node, pointer, label);
            }
            if (raw == Sample.class) {
                return bindSample(node, pointer, label);
            }
            if (raw == OptionalLong.class) {
                Object value = bindInteger(node, long.class, constraints, pointer, label);
                return value == FAILED ? FAILED : OptionalLong.of((Long) value);
            }
            if (raw == ChecksSpec.class) {
                return bindChecksSpec(node, pointer, label);
            }
            if (raw == List.class) {
                return bindList(node, typeArgument(type, 0), annotatedArgument(annotated, 0), pointer, label);
            }
            if (raw == Map.class) {
                if (rawClass(typeArgument(type, 0)) != String.class) {
                    throw new IllegalStateException("model maps must have String keys: " + type);
                }
                return bindMap(node, typeArgument(type, 1), annotatedArgument(annotated, 1), pointer, label);
            }
            if (raw.isRecord()) {
                return bindRecord(node, raw, pointer, label, null, null);
            }
            if (isPolymorphic(raw)) {
                return bindPolymorphic(node, raw, pointer, label);
            }
            throw new IllegalStateException("the binder does not support model type " + type);
        }

        private Object wrongType(Node node, String pointer, String label, String expected) {
            report(ProblemCode.WRONG_TYPE, node, pointer, name(label) + " must be " + expected + ", found " + describe(node), "");
            return FAILED;
        }

        private Object bindString(Node node, Constraints constraints, String pointer, String label) {
            if (!(node instanceof ScalarNode scalar)) {
                return wrongType(node, pointer, label, "a string");
            }
            String value = scalar.getValue();
            if (constraints.pattern() != null && !matches(constraints.pattern(), value)) {
                ProblemCode code = Ids.ID.equals(constraints.pattern()) ? ProblemCode.INVALID_ID : ProblemCode.PATTERN_MISMATCH;
                report(code, node, pointer, name(label) + " is " + quote(value) + ", which is not "
                        + describePattern(constraints.pattern()), patternHint(constraints.pattern(), value));
            }
            return value;
        }

        private Object bindInteger(Node node, Class<?> raw, Constraints constraints, String pointer, String label) {
            BigInteger value = integerValue(node);
            if (value == null) {
                return wrongType(node, pointer, label, "an integer");
            }
            boolean isInt = raw == int.class || raw == Integer.class;
            BigInteger max = BigInteger.valueOf(isInt ? Integer.MAX_VALUE : Long.MAX_VALUE);
            BigInteger min = BigInteger.valueOf(isInt ? Integer.MIN_VALUE : Long.MIN_VALUE);
            if (value.compareTo(max) > 0 || value.compareTo(min) < 0) {
                report(ProblemCode.INVALID_VALUE, node, pointer, name(label) + " is out of range: " + quote(value.toString()), "");
                return FAILED;
            }
            if (constraints.minimum() != null && value.compareTo(BigInteger.valueOf(constraints.minimum())) < 0) {
                report(ProblemCode.INVALID_VALUE, node, pointer, name(label) + " must be at least " + constraints.minimum()
                        + ", found " + value, "");
            }
            return isInt ? (Object) value.intValue() : (Object) value.longValue();
        }

        private Object bindDouble(Node node, Constraints constraints, String pointer, String label) {
            if (!(node instanceof ScalarNode scalar) || !(Tag.INT.equals(node.getTag()) || Tag.FLOAT.equals(node.getTag()))) {
                return wrongType(node, pointer, label, "a number");
            }
            double value;
            try {
                value = Tag.INT.equals(node.getTag()) ? integerValue(node).doubleValue() : Double.parseDouble(scalar.getValue());
            } catch (NumberFormatException e) {
                value = Double.NaN;
            }
            if (!Double.isFinite(value)) {
                report(ProblemCode.INVALID_VALUE, node, pointer, name(label) + " must be a finite number", "");
                return FAILED;
            }
            if (constraints.minimum() != null && value < constraints.minimum()) {
                report(ProblemCode.INVALID_VALUE, node, pointer, name(label) + " must be at least " + constraints.minimum(), "");
            }
            return value;
        }

        private Object bindBoolean(Node node, String pointer, String label) {
            if (!(node instanceof ScalarNode scalar) || !Tag.BOOL.equals(node.getTag())) {
                report(ProblemCode.WRONG_TYPE, node, pointer, name(label) + " must be true or false, found " + describe(node),
                        node instanceof ScalarNode s && isYaml11Boolean(s.getValue()) ? "YAML 1.2 booleans are only true and false" : "");
                return FAILED;
            }
            return Boolean.parseBoolean(scalar.getValue().toLowerCase(Locale.ROOT));
        }

        private Object bindEnum(Node node, Class<?> raw, String pointer, String label) {
            List<String> allowed = new ArrayList<>();
            for (Object constant : raw.getEnumConstants()) {
                allowed.add(Names.yamlValue((Enum<?>) constant));
            }
            if (!(node instanceof ScalarNode scalar)) {
                return wrongType(node, pointer, label, "one of " + String.join(", ", allowed));
            }
            int index = allowed.indexOf(scalar.getValue());
            if (index < 0) {
                report(ProblemCode.INVALID_ENUM, node, pointer, name(label) + " must be one of " + String.join(", ", allowed)
                        + "; found " + quote(scalar.getValue()), Suggestions.didYouMean(scalar.getValue(), allowed));
                return FAILED;
            }
            return raw.getEnumConstants()[index];
        }

        private Object bindDuration(Node node, String pointer, String label) {
            if (!(node instanceof ScalarNode scalar)) {
                return wrongType(node, pointer, label, "a duration such as 500ms, 20s, 2m, 1h or 7d");
            }
            if (Tag.INT.equals(node.getTag())) {
                report(ProblemCode.WRONG_TYPE, node, pointer, name(label) + " must be a duration with a unit, found the number "
                        + scalar.getValue(), "add a unit: " + scalar.getValue() + "s, " + scalar.getValue() + "m, ...");
                return FAILED;
            }
            try {
                return Durations.parse(scalar.getValue());
            } catch (RuntimeException e) {
                report(ProblemCode.WRONG_TYPE, node, pointer, name(label) + " must be a duration such as 500ms, 20s, 2m, 1h or 7d; found "
                        + quote(scalar.getValue()), "");
                return FAILED;
            }
        }

        private Object bindDataSize(Node node, String pointer, String label) {
            if (!(node instanceof ScalarNode scalar)) {
                return wrongType(node, pointer, label, "a data size such as 50GB or 512MiB");
            }
            BigInteger bytes = integerValue(node);
            try {
                if (bytes != null) {
                    return new DataSize(bytes.longValueExact());
                }
                return DataSize.parse(scalar.getValue());
            } catch (RuntimeException e) {
                report(ProblemCode.WRONG_TYPE, node, pointer, name(label) + " must be a data size such as 50GB or 512MiB; found "
                        + quote(scalar.getValue()), "");
                return FAILED;
            }
        }

        private Object bindSample(Node node, String pointer, String label) {
            BigInteger rows = integerValue(node);
            if (rows != null) {
                if (rows.signum() <= 0 || rows.bitLength() > 63) {
                    report(ProblemCode.INVALID_VALUE, node, pointer, name(label) + " must be a positive row count or 'full', found " + rows, "");
                    return FAILED;
                }
                return Sample.ofRows(rows.longValue());
            }
            if (node instanceof ScalarNode scalar && "full".equals(scalar.getValue())) {
                return Sample.FULL;
            }
            return wrongType(node, pointer, label, "a row count or 'full'");
        }

        private Object bindChecksSpec(Node node, String pointer, String label) {
            if (node instanceof ScalarNode scalar) {
                return new ChecksSpec.File(scalar.getValue());
            }
            if (node instanceof SequenceNode) {
                Object checks = bindList(node, io.convergence.engine.model.Check.class, null, pointer, label);
                if (checks == FAILED) {
                    return FAILED;
                }
                @SuppressWarnings("unchecked")
                List<io.convergence.engine.model.Check> list = (List<io.convergence.engine.model.Check>) checks;
                return new ChecksSpec.Inline(list);
            }
            return wrongType(node, pointer, label, "a checks file path or a list of checks");
        }

        private Object bindList(Node node, Type elementType, AnnotatedType annotatedElement, String pointer, String label) {
            if (!(node instanceof SequenceNode sequence)) {
                return wrongType(node, pointer, label, "a list");
            }
            Constraints constraints = Constraints.of(annotatedElement);
            List<Object> out = new ArrayList<>(sequence.getValue().size());
            int yamlIndex = 0;
            for (Node child : sequence.getValue()) {
                String childPointer = Pointers.child(pointer, out.size());
                String childLabel = label + "[" + yamlIndex++ + "]";
                if (isNull(child)) {
                    report(ProblemCode.WRONG_TYPE, child, childPointer, name(childLabel) + " is empty", "remove the empty '-' item");
                    continue;
                }
                Object value = bindValue(child, elementType, annotatedElement, constraints, childPointer, childLabel);
                if (value == FAILED || value == null) {
                    forget(childPointer);
                    continue;
                }
                out.add(value);
            }
            return out;
        }

        private Object bindMap(Node node, Type valueType, AnnotatedType annotatedValue, String pointer, String label) {
            if (!(node instanceof MappingNode mapping)) {
                return wrongType(node, pointer, label, "a mapping (name: value)");
            }
            Constraints constraints = Constraints.of(annotatedValue);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, NodeTuple> entry : entries(mapping, pointer, label).entrySet()) {
                String key = entry.getKey();
                Node value = entry.getValue().getValueNode();
                String childPointer = Pointers.child(pointer, key);
                String childLabel = label.isEmpty() ? key : label + "." + key;
                if (isNull(value)) {
                    report(ProblemCode.WRONG_TYPE, entry.getValue().getKeyNode(), childPointer, name(childLabel) + " has no value", "");
                    continue;
                }
                Object bound = bindValue(value, valueType, annotatedValue, constraints, childPointer, childLabel);
                if (bound == FAILED || bound == null) {
                    forget(childPointer);
                    continue;
                }
                out.put(key, bound);
            }
            return out;
        }

        private Object bindPolymorphic(Node node, Class<?> polymorphic, String pointer, String label) {
            Map<String, Class<?>> subtypes = subtypes(polymorphic);
            String property = typeProperty(polymorphic);
            String kind = Names.snakeCase(polymorphic.getSimpleName()).replace('_', ' ');
            List<String> names = List.copyOf(subtypes.keySet());
            if (!(node instanceof MappingNode mapping)) {
                return wrongType(node, pointer, label, "a mapping with '" + property + "' (" + String.join(", ", names) + ")");
            }
            Node typeNode = null;
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(property)) {
                    typeNode = tuple.getValueNode();
                    break;
                }
            }
            String typePointer = Pointers.child(pointer, property);
            if (typeNode == null || isNull(typeNode)) {
                report(ProblemCode.MISSING_KEY, node, typePointer, name(label) + ": the " + kind + " has no '" + property + "'",
                        "add '" + property + ": ' with one of " + String.join(", ", names));
                return FAILED;
            }
            positions.put(typePointer, loc(typeNode));
            if (!(typeNode instanceof ScalarNode typeScalar)) {
                return wrongType(typeNode, typePointer, label.isEmpty() ? property : label + "." + property, "one of " + String.join(", ", names));
            }
            Class<?> subtype = subtypes.get(typeScalar.getValue());
            if (subtype == null) {
                report(ProblemCode.INVALID_ENUM, typeNode, typePointer, "unknown " + kind + " type " + quote(typeScalar.getValue())
                        + "; allowed: " + String.join(", ", names), Suggestions.didYouMean(typeScalar.getValue(), names));
                return FAILED;
            }
            return bindRecord(node, subtype, pointer, label, property, typeScalar.getValue() + " " + kind);
        }

        private Object bindRecord(Node node, Class<?> type, String pointer, String label, String typeProperty, String description) {
            if (!(node instanceof MappingNode mapping)) {
                return wrongType(node, pointer, label, "a mapping (key: value)");
            }
            RecordComponent[] components = components(type);
            Map<String, RecordComponent> byKey = new LinkedHashMap<>();
            for (RecordComponent component : components) {
                byKey.put(Names.yamlKey(component), component);
            }
            Map<String, NodeTuple> entries = entries(mapping, pointer, label);
            String what = describeRecord(type, description, entries);
            for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
                String key = entry.getKey();
                if (!byKey.containsKey(key) && !key.equals(typeProperty)) {
                    String suggestion = Suggestions.didYouMean(key, byKey.keySet());
                    report(ProblemCode.UNKNOWN_KEY, entry.getValue().getKeyNode(), Pointers.child(pointer, key),
                            "unknown key " + quote(key) + " in " + what,
                            suggestion.isEmpty() ? "allowed keys: " + String.join(", ", byKey.keySet()) : suggestion);
                }
            }
            Object[] args = new Object[components.length];
            boolean failed = false;
            for (int i = 0; i < components.length; i++) {
                RecordComponent component = components[i];
                String key = Names.yamlKey(component);
                NodeTuple tuple = entries.get(key);
                Node value = tuple == null ? null : tuple.getValueNode();
                String childPointer = Pointers.child(pointer, key);
                String childLabel = label.isEmpty() ? key : label + "." + key;
                boolean required = component.isAnnotationPresent(Required.class);
                if (value == null || isNull(value)) {
                    if (required) {
                        Doc doc = component.getAnnotation(Doc.class);
                        String hint = "add '" + key + ":'" + (doc == null ? "" : " (" + doc.value().replaceAll("\\.$", "") + ")");
                        if (tuple == null) {
                            report(ProblemCode.MISSING_KEY, node, childPointer, "missing required key '" + key + "' in " + what, hint);
                        } else {
                            report(ProblemCode.MISSING_KEY, tuple.getKeyNode(), childPointer, name(childLabel) + " has no value", hint);
                        }
                        failed = true;
                    }
                    args[i] = defaultValue(component);
                    continue;
                }
                Object bound = bindValue(value, component.getGenericType(), component.getAnnotatedType(), Constraints.of(component),
                        childPointer, childLabel);
                if (bound == FAILED) {
                    forget(childPointer);
                    failed |= required;
                    args[i] = defaultValue(component);
                } else {
                    args[i] = bound;
                }
            }
            if (failed) {
                return FAILED;
            }
            try {
                return constructor(type).newInstance(args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                report(ProblemCode.INVALID_VALUE, node, pointer, "invalid " + what + ": " + cause.getMessage(), "");
                return FAILED;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct model record " + type.getName(), e);
            }
        }

        /** The mapping's entries by key, reporting duplicate and non-string keys (the first occurrence wins). */
        private Map<String, NodeTuple> entries(MappingNode mapping, String pointer, String label) {
            Map<String, NodeTuple> entries = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode key) || isNull(keyNode)) {
                    report(ProblemCode.WRONG_TYPE, keyNode, pointer, "keys in " + name(label.isEmpty() ? "the document" : label)
                            + " must be plain names, found " + describe(keyNode), "");
                    continue;
                }
                NodeTuple first = entries.get(key.getValue());
                if (first != null) {
                    SourceLocation firstAt = loc(first.getKeyNode());
                    report(ProblemCode.DUPLICATE_KEY, keyNode, Pointers.child(pointer, key.getValue()),
                            "duplicate key " + quote(key.getValue()) + " (first at line " + firstAt.line() + ", column " + firstAt.column() + ")",
                            "keep only one; the first is used");
                    continue;
                }
                entries.put(key.getValue(), tuple);
            }
            return entries;
        }
    }

    /** The record's components, cached: reflection builds new objects on every call. */
    static RecordComponent[] components(Class<?> type) {
        return COMPONENTS.computeIfAbsent(type, Class::getRecordComponents);
    }

    private static Constructor<?> constructor(Class<?> type) {
        return CONSTRUCTORS.computeIfAbsent(type, t -> {
            try {
                return t.getDeclaredConstructor(Arrays.stream(components(t)).map(RecordComponent::getType).toArray(Class<?>[]::new));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("no canonical constructor on model record " + t.getName(), e);
            }
        });
    }

    private static String describeRecord(Class<?> type, String description, Map<String, NodeTuple> entries) {
        String what = description != null ? description : Names.snakeCase(type.getSimpleName()).replace('_', ' ');
        NodeTuple id = entries.get("id");
        if (id != null && id.getValueNode() instanceof ScalarNode scalar && !isNull(scalar) && scalar.getValue().length() <= 64) {
            what += " " + quote(scalar.getValue());
        }
        return what;
    }

    private static String name(String label) {
        return label.isEmpty() ? "the document" : "'" + label + "'";
    }

    private static String patternHint(String regex, String value) {
        if (Ids.ID.equals(regex) && matches(Ids.ID, value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_"))) {
            return "use lower-case letters, digits and '_', such as '" + value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "'";
        }
        if (Ids.TABLE_REF.equals(regex)) {
            return "write the logical table as dataset.table, such as raw.orders; the project and the tenant's dataset naming are added by Convergence";
        }
        return "";
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static boolean isYaml11Boolean(String value) {
        return List.of("yes", "no", "on", "off", "y", "n").contains(value.toLowerCase(Locale.ROOT));
    }

    /** What a node is, for messages. */
    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = node.getTag();
        if (Tag.NULL.equals(tag)) {
            return "nothing";
        }
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "the number " + quote(scalar.getValue());
        }
        if (Tag.BOOL.equals(tag)) {
            return "the boolean " + scalar.getValue();
        }
        return "the text " + quote(scalar.getValue());
    }

    /** The integer a YAML 1.2 core-schema int scalar denotes, else null. */
    private static BigInteger integerValue(Node node) {
        if (!(node instanceof ScalarNode scalar) || !Tag.INT.equals(node.getTag())) {
            return null;
        }
        String text = scalar.getValue().replace("_", "");
        try {
            boolean negative = text.startsWith("-");
            String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
            BigInteger value;
            if (digits.startsWith("0x")) {
                value = new BigInteger(digits.substring(2), 16);
            } else if (digits.startsWith("0o")) {
                value = new BigInteger(digits.substring(2), 8);
            } else {
                value = new BigInteger(digits);
            }
            return negative ? value.negate() : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported model type " + type);
    }

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[index];
        }
        throw new IllegalStateException("raw collection type in the model: " + type);
    }

    private static AnnotatedType annotatedArgument(AnnotatedType annotated, int index) {
        if (annotated instanceof AnnotatedParameterizedType p) {
            return p.getAnnotatedActualTypeArguments()[index];
        }
        return null;
    }
}
