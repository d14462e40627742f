package io.convergence.engine.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.classmate.ResolvedType;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.CustomDefinitionProviderV2;
import com.github.victools.jsonschema.generator.CustomPropertyDefinition;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerationContext;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigPart;
import com.github.victools.jsonschema.generator.SchemaGeneratorGeneralConfigPart;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.generator.TypeScope;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Names;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import io.convergence.engine.model.meta.Scalar;
import java.lang.annotation.Annotation;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Generates the JSON Schema (draft 2020-12) of each YAML document kind from the model records, with the model
 * annotations ({@link Doc}, {@link Default}, {@link Required}, {@link Pattern}, {@link Minimum}, {@link Scalar},
 * {@link io.convergence.engine.model.meta.Key}) as the single source of truth.
 *
 * <p>Shapes that are not plain records are expressed as follows:
 * <ul>
 *   <li>a polymorphic interface ({@code @JsonTypeInfo} + {@code @JsonSubTypes}: Target, Step, Check) is an object
 *       whose {@code type} must be one of the subtype names, with one {@code if type == name then $ref subtype}
 *       per subtype; each subtype definition declares {@code type} as a {@code const}. Unlike {@code oneOf}, a
 *       mistake inside a step reports only that step kind's errors;</li>
 *   <li>a sealed interface whose permitted records have one component each (ChecksSpec) is a {@code oneOf} of
 *       those components' schemas: YAML writes the component directly;</li>
 *   <li>durations, data sizes and samples are strings (or numbers) with the model's patterns;</li>
 *   <li>enums are strings with the constants' YAML spelling ({@link Names#yamlValue}).</li>
 * </ul>
 * Every object definition forbids unknown keys. The output is deterministic: properties keep the record's
 * declaration order, definitions are sorted by name.
 */
public final class SchemaGenerator {
    /** The YAML key that selects a subtype of a polymorphic type. */
    public static final String DISCRIMINATOR = "type";

    /** Keyword order in the written schemas: identity and documentation first, definitions last. */
    private static final List<String> KEYWORD_ORDER = List.of(
            "$schema", "$id", "title", "description", "$ref", "type", "const", "enum", "pattern", "minimum", "default",
            "properties", "required", "additionalProperties", "propertyNames", "items", "oneOf", "anyOf", "allOf",
            "if", "then", "else", "$defs");
    private static final Set<String> NAMED_SCHEMAS = Set.of("properties", "$defs");
    private static final Set<String> SCHEMA_VALUED = Set.of(
            "additionalProperties", "propertyNames", "items", "oneOf", "anyOf", "allOf", "if", "then", "else");

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<SchemaKind, com.github.victools.jsonschema.generator.SchemaGenerator> generators = new EnumMap<>(SchemaKind.class);

    public SchemaGenerator() {
        for (SchemaKind kind : SchemaKind.values()) {
            generators.put(kind, new com.github.victools.jsonschema.generator.SchemaGenerator(config(kind)));
        }
    }

    /** The schema of {@code kind} as a JSON tree (a fresh copy the caller may change). */
    public synchronized ObjectNode generateTree(SchemaKind kind) {
        requireNonNull(kind, "kind is null");
        return canonical(generators.get(kind).generateSchema(kind.modelClass()));
    }

    /** The schema of {@code kind} as pretty JSON: two-space indent, LF line ends, a final newline; same bytes every time. */
    public String generate(SchemaKind kind) {
        return toJson(generateTree(kind));
    }

    /** Writes a JSON tree the way the committed schema files are written. */
    public String toJson(JsonNode tree) {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
        try {
            return mapper.writer(printer).writeValueAsString(tree) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write schema", e);
        }
    }

    /**
     * Orders the keywords of every schema object (identity and documentation first, {@code $defs} last) so the
     * committed files read top-down; names inside {@code properties} and {@code $defs} keep their order.
     * Only key order changes, never content.
     */
    private ObjectNode canonical(ObjectNode schema) {
        ObjectNode ordered = mapper.createObjectNode();
        List<String> keys = new ArrayList<>();
        schema.fieldNames().forEachRemaining(keys::add);
        keys.sort(Comparator.comparingInt(SchemaGenerator::keywordRank));
        for (String key : keys) {
            JsonNode value = schema.get(key);
            if (value.isPojo()) {
                // victools keeps typed defaults as POJO nodes; make them plain JSON for readers of the tree.
                value = mapper.valueToTree(((POJONode) value).getPojo());
            }
            if (NAMED_SCHEMAS.contains(key) && value.isObject()) {
                ObjectNode named = mapper.createObjectNode();
                value.fields().forEachRemaining(e -> named.set(e.getKey(), canonicalAny(e.getValue())));
                ordered.set(key, named);
            } else {
                ordered.set(key, SCHEMA_VALUED.contains(key) ? canonicalAny(value) : value);
            }
        }
        return ordered;
    }

    private JsonNode canonicalAny(JsonNode node) {
        if (node.isObject()) {
            return canonical((ObjectNode) node);
        }
        if (node.isArray()) {
            ArrayNode array = mapper.createArrayNode();
            node.forEach(element -> array.add(canonicalAny(element)));
            return array;
        }
        return node;
    }

    private static int keywordRank(String keyword) {
        // Keywords not in the list go just before $defs, in the order victools wrote them.
        int rank = KEYWORD_ORDER.indexOf(keyword);
        return rank < 0 ? 2 * KEYWORD_ORDER.size() - 3 : 2 * rank;
    }

    private com.github.victools.jsonschema.generator.SchemaGeneratorConfig config(SchemaKind kind) {
        SchemaGeneratorConfigBuilder builder = new SchemaGeneratorConfigBuilder(mapper, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(Option.DEFINITIONS_FOR_ALL_OBJECTS,
                        Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT,
                        Option.FLATTENED_OPTIONALS,
                        Option.PLAIN_DEFINITION_KEYS)
                .without(Option.NULLABLE_FIELDS_BY_DEFAULT, Option.NULLABLE_METHOD_RETURN_VALUES_BY_DEFAULT);

        SchemaGeneratorGeneralConfigPart types = builder.forTypesInGeneral();
        types.withIdResolver(scope -> isRoot(scope, kind) ? kind.schemaId() : null)
                .withTitleResolver(scope -> isRoot(scope, kind) ? kind.title() : null)
                .withDescriptionResolver(scope -> doc(scope.getType().getErasedType()))
                .withPropertySorter(SchemaGenerator::compareByDeclaration)
                .withDefinitionNamingStrategy((key, context) -> definitionName(key.getType().getErasedType()))
                .withCustomDefinitionProvider(new ModelDefinitions());

        SchemaGeneratorConfigPart<FieldScope> fields = builder.forFields();
        fields.withPropertyNameOverrideResolver(field -> component(field).map(Names::yamlKey).orElse(null))
                .withDescriptionResolver(field -> field.isFakeContainerItemScope() ? null : docOf(field))
                .withDefaultResolver(SchemaGenerator::typedDefault)
                .withRequiredCheck(field -> !field.isFakeContainerItemScope() && field.getAnnotation(Required.class) != null)
                .withStringPatternResolver(field -> {
                    Pattern pattern = annotation(field, Pattern.class);
                    return pattern == null ? null : pattern.value();
                })
                .withNumberInclusiveMinimumResolver(field -> {
                    Minimum minimum = field.isFakeContainerItemScope() ? null : field.getAnnotation(Minimum.class);
                    return minimum == null ? null : BigDecimal.valueOf(minimum.value());
                })
                .withCustomDefinitionProvider((field, context) -> annotation(field, Scalar.class) == null
                        ? null
                        : new CustomPropertyDefinition(scalar(), CustomDefinition.AttributeInclusion.YES))
                .withInstanceAttributeOverride((node, field, context) -> {
                    Pattern keyPattern = mapKeyPattern(field);
                    if (keyPattern != null) {
                        node.putObject("propertyNames").put("pattern", keyPattern.value());
                    }
                });
        return builder.build();
    }

    /** Definitions for the types that are not plain records (see the class comment). */
    private final class ModelDefinitions implements CustomDefinitionProviderV2 {
        @Override
        public CustomDefinition provideCustomSchemaDefinition(ResolvedType type, SchemaGenerationContext context) {
            Class<?> raw = type.getErasedType();
            if (raw == Duration.class) {
                return inline(string(Durations.PATTERN), Durations.class);
            }
            if (Map.class.isAssignableFrom(raw)) {
                // Maps are keyed by names the user picks (targets, parameters); the field may constrain the keys.
                ObjectNode node = mapper.createObjectNode().put("type", "object");
                ResolvedType valueType = context.getTypeContext().getTypeParameterFor(type, Map.class, 1);
                node.set("additionalProperties", context.createDefinitionReference(valueType));
                return inline(node);
            }
            if (raw == DataSize.class) {
                ObjectNode node = mapper.createObjectNode();
                ArrayNode oneOf = node.putArray("oneOf");
                oneOf.add(string(DataSize.PATTERN));
                oneOf.addObject().put("type", "integer").put("minimum", 0);
                return inline(node, raw);
            }
            if (raw == Sample.class) {
                ObjectNode node = mapper.createObjectNode();
                ArrayNode oneOf = node.putArray("oneOf");
                oneOf.addObject().put("type", "integer").put("minimum", 1);
                oneOf.addObject().put("const", Sample.FULL.toString());
                return inline(node, raw);
            }
            if (raw == OptionalLong.class || raw == OptionalInt.class) {
                return inline(mapper.createObjectNode().put("type", "integer"));
            }
            if (raw == OptionalDouble.class) {
                return inline(mapper.createObjectNode().put("type", "number"));
            }
            if (raw.isEnum()) {
                ObjectNode node = mapper.createObjectNode().put("type", "string");
                ArrayNode values = node.putArray("enum");
                for (Object constant : raw.getEnumConstants()) {
                    values.add(Names.yamlValue((Enum<?>) constant));
                }
                return inline(node, raw);
            }
            if (isPolymorphic(raw)) {
                return new CustomDefinition(polymorphic(raw, context),
                        CustomDefinition.DefinitionType.STANDARD, CustomDefinition.AttributeInclusion.NO);
            }
            Optional<String> subtypeName = subtypeName(raw);
            if (subtypeName.isPresent()) {
                ObjectNode definition = context.createStandardDefinition(type, this);
                addDiscriminator(definition, subtypeName.get());
                return new CustomDefinition(definition,
                        CustomDefinition.DefinitionType.STANDARD, CustomDefinition.AttributeInclusion.NO);
            }
            if (isUnionOfShapes(raw)) {
                ObjectNode node = mapper.createObjectNode();
                ArrayNode oneOf = node.putArray("oneOf");
                for (Class<?> permitted : raw.getPermittedSubclasses()) {
                    RecordComponent only = permitted.getRecordComponents()[0];
                    oneOf.add(context.createDefinitionReference(context.getTypeContext().resolve(only.getGenericType())));
                }
                return inline(node, raw);
            }
            return null;
        }
    }

    /** {@code type} must name a subtype; the matching subtype definition then applies. */
    private ObjectNode polymorphic(Class<?> base, SchemaGenerationContext context) {
        ObjectNode definition = mapper.createObjectNode();
        String doc = doc(base);
        if (doc != null) {
            definition.put("description", doc);
        }
        definition.put("type", "object");
        ObjectNode discriminator = definition.putObject("properties").putObject(DISCRIMINATOR);
        discriminator.put("description", "Selects the kind; the other keys depend on it.");
        ArrayNode names = discriminator.putArray("enum");
        definition.putArray("required").add(DISCRIMINATOR);
        ArrayNode branches = definition.putArray("allOf");
        for (JsonSubTypes.Type subtype : base.getAnnotation(JsonSubTypes.class).value()) {
            names.add(subtype.name());
            ObjectNode branch = branches.addObject();
            ObjectNode condition = branch.putObject("if");
            condition.putObject("properties").putObject(DISCRIMINATOR).put("const", subtype.name());
            condition.putArray("required").add(DISCRIMINATOR);
            branch.set("then", context.createDefinitionReference(context.getTypeContext().resolve(subtype.value())));
        }
        return definition;
    }

    /** Declares {@code type: const name} first among the subtype's properties, and requires it. */
    private void addDiscriminator(ObjectNode definition, String name) {
        ObjectNode properties = mapper.createObjectNode();
        properties.putObject(DISCRIMINATOR)
                .put("description", "Selects this kind.")
                .put("const", name);
        JsonNode existing = definition.get("properties");
        if (existing != null) {
            properties.setAll((ObjectNode) existing);
        }
        definition.set("properties", properties);
        ArrayNode required = mapper.createArrayNode().add(DISCRIMINATOR);
        JsonNode existingRequired = definition.get("required");
        if (existingRequired != null) {
            required.addAll((ArrayNode) existingRequired);
        }
        definition.set("required", required);
    }

    /**
     * A definition written where it is used. Type attributes are left out because the general ones would add
     * {@code additionalProperties: false} to value types such as DataSize; the property's own attributes still apply.
     */
    private static CustomDefinition inline(ObjectNode node) {
        return new CustomDefinition(node, CustomDefinition.DefinitionType.INLINE, CustomDefinition.AttributeInclusion.NO);
    }

    private static CustomDefinition inline(ObjectNode node, Class<?> type) {
        String doc = doc(type);
        if (doc != null) {
            node.put("description", doc);
        }
        return inline(node);
    }

    private ObjectNode string(String pattern) {
        return mapper.createObjectNode().put("type", "string").put("pattern", pattern);
    }

    private ObjectNode scalar() {
        ObjectNode node = mapper.createObjectNode();
        node.putArray("type").add("string").add("number").add("boolean");
        return node;
    }

    static boolean isPolymorphic(Class<?> type) {
        JsonTypeInfo info = type.getAnnotation(JsonTypeInfo.class);
        return type.isInterface() && type.getAnnotation(JsonSubTypes.class) != null
                && info != null && info.use() == JsonTypeInfo.Id.NAME && DISCRIMINATOR.equals(info.property());
    }

    /** The YAML type name of a subtype of a polymorphic interface. */
    static Optional<String> subtypeName(Class<?> type) {
        for (Class<?> parent : type.getInterfaces()) {
            if (isPolymorphic(parent)) {
                for (JsonSubTypes.Type subtype : parent.getAnnotation(JsonSubTypes.class).value()) {
                    if (subtype.value() == type) {
                        return Optional.of(subtype.name());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A sealed interface whose permitted records have one component each: YAML writes that component. */
    private static boolean isUnionOfShapes(Class<?> type) {
        return type.isSealed() && !isPolymorphic(type)
                && Arrays.stream(type.getPermittedSubclasses()).allMatch(c -> c.isRecord() && c.getRecordComponents().length == 1);
    }

    private static boolean isRoot(TypeScope scope, SchemaKind kind) {
        return scope.getType().getErasedType() == kind.modelClass();
    }

    /** Nested types are named outer-last: Check.NotNull is NotNullCheck. */
    static String definitionName(Class<?> type) {
        Class<?> outer = type.getEnclosingClass();
        return outer == null ? type.getSimpleName() : type.getSimpleName() + outer.getSimpleName();
    }

    private static String doc(Class<?> type) {
        Doc doc = type.getAnnotation(Doc.class);
        return doc == null ? null : doc.value();
    }

    private static String docOf(FieldScope field) {
        Doc doc = field.getAnnotation(Doc.class);
        return doc == null ? null : doc.value();
    }

    /** The annotation on the field, or for a list's item on the list's type argument (a TYPE_USE annotation). */
    private static <A extends Annotation> A annotation(FieldScope field, Class<A> type) {
        return field.isFakeContainerItemScope() ? field.getContainerItemAnnotation(type) : field.getAnnotation(type);
    }

    /** {@code Map<@Pattern(...) String, V>}: the pattern every key must match. */
    private static Pattern mapKeyPattern(FieldScope field) {
        if (field.isFakeContainerItemScope() || !Map.class.isAssignableFrom(field.getType().getErasedType())) {
            return null;
        }
        // 'annotation -> false': our annotations are used directly, never through meta-annotations.
        return field.getContext().getTypeParameterAnnotation(Pattern.class, annotation -> false,
                field.getRawMember().getAnnotatedType(), 0);
    }

    private static Optional<RecordComponent> component(MemberScope<?, ?> member) {
        Class<?> owner = member.getDeclaringType().getErasedType();
        if (!owner.isRecord()) {
            return Optional.empty();
        }
        return Arrays.stream(owner.getRecordComponents())
                .filter(c -> c.getName().equals(member.getDeclaredName()))
                .findFirst();
    }

    /** Record properties in declaration order, which is the order people read and write them in YAML. */
    private static int compareByDeclaration(MemberScope<?, ?> a, MemberScope<?, ?> b) {
        return Comparator.<MemberScope<?, ?>>comparingInt(SchemaGenerator::declarationIndex)
                .thenComparing(MemberScope::getSchemaPropertyName)
                .compare(a, b);
    }

    private static int declarationIndex(MemberScope<?, ?> member) {
        Class<?> owner = member.getDeclaringType().getErasedType();
        if (owner.isRecord()) {
            RecordComponent[] components = owner.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                if (components[i].getName().equals(member.getDeclaredName())) {
                    return i;
                }
            }
        }
        return Integer.MAX_VALUE;
    }

    /** {@link Default}'s text as the JSON value of the property's type: {@code "0"} on an int is the number 0. */
    private static Object typedDefault(FieldScope field) {
        Default annotation = field.isFakeContainerItemScope() ? null : field.getAnnotation(Default.class);
        if (annotation == null) {
            return null;
        }
        return typedDefault(annotation.value(), field.getType().getErasedType(), field.toString());
    }

    static Object typedDefault(String text, Class<?> type, String where) {
        try {
            if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                    || type == short.class || type == Short.class) {
                return Long.parseLong(text);
            }
            if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
                return Double.parseDouble(text);
            }
            if (type == boolean.class || type == Boolean.class) {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new IllegalArgumentException("not a boolean");
                }
                return Boolean.parseBoolean(text);
            }
            if ((type == Sample.class || type == DataSize.class) && text.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(text);
            }
            if (type.isRecord() && type != Sample.class && type != DataSize.class) {
                // a nested settings block whose every key has a default: absent means "all defaults"
                if (!text.equals("{}")) {
                    throw new IllegalArgumentException("a record default must be {}");
                }
                return java.util.Map.of();
            }
            return text;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("@Default(\"" + text + "\") does not fit the type of " + where, e);
        }
    }
}
