package io.convergence.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Names;
import io.convergence.engine.model.meta.Pattern;
import io.convergence.engine.model.meta.Required;
import io.convergence.engine.model.meta.Scalar;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SchemaGeneratorTest {
    private final SchemaGenerator generator = SchemaTestSupport.generator();

    @ParameterizedTest
    @EnumSource(SchemaKind.class)
    void outputIsDeterministicPrettyJson(SchemaKind kind) {
        String first = generator.generate(kind);
        assertThat(new SchemaGenerator().generate(kind)).isEqualTo(first);
        assertThat(first).startsWith("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n")
                .endsWith("}\n")
                .doesNotContain("\r");
    }

    @ParameterizedTest
    @EnumSource(SchemaKind.class)
    void rootCarriesIdentityAndDefinitions(SchemaKind kind) {
        ObjectNode schema = generator.generateTree(kind);
        assertThat(schema.path("$id").asText()).isEqualTo(kind.schemaId()).endsWith("/" + kind.id() + ".schema.json");
        assertThat(schema.path("title").asText()).isEqualTo(kind.title());
        assertThat(schema.path("description").asText()).isEqualTo(kind.modelClass().getAnnotation(Doc.class).value());
        assertThat(schema.path("$defs").isObject()).isTrue();
        List<String> keys = new ArrayList<>();
        schema.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.get(keys.size() - 1)).isEqualTo("$defs");
    }

    @ParameterizedTest
    @EnumSource(SchemaKind.class)
    void schemaIsValidDraft202012(SchemaKind kind) {
        JsonNode metaSchemaCheck = generator.generateTree(kind);
        // Building the validator parses every keyword; an unknown or malformed one would throw here.
        assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(metaSchemaCheck)).isNotNull();
    }

    /** The heart of "annotations are the single source": every record component appears exactly as annotated. */
    @ParameterizedTest
    @EnumSource(SchemaKind.class)
    void everyRecordComponentMirrorsItsAnnotations(SchemaKind kind) {
        ObjectNode schema = generator.generateTree(kind);
        JsonNode defs = schema.get("$defs");
        Set<Class<?>> seen = new HashSet<>();
        List<Class<?>> pending = new ArrayList<>(List.of(kind.modelClass()));
        Set<String> expectedDefs = new HashSet<>();
        while (!pending.isEmpty()) {
            Class<?> type = pending.remove(0);
            if (!seen.add(type)) {
                continue;
            }
            JsonNode definition = type == kind.modelClass() ? schema : defs.get(SchemaGenerator.definitionName(type));
            assertThat(definition).as("definition of %s", type.getSimpleName()).isNotNull();
            if (type != kind.modelClass()) {
                expectedDefs.add(SchemaGenerator.definitionName(type));
            }
            if (type.isInterface()) {
                for (JsonSubTypes.Type subtype : type.getAnnotation(JsonSubTypes.class).value()) {
                    pending.add(subtype.value());
                }
                continue;
            }
            assertMirrors(type, definition);
            for (RecordComponent component : type.getRecordComponents()) {
                modelTypes(component.getGenericType()).forEach(pending::add);
            }
        }
        assertThat(fieldNames(defs)).as("no definition beyond the model's records").containsExactlyInAnyOrderElementsOf(expectedDefs);
    }

    private static void assertMirrors(Class<?> type, JsonNode definition) {
        String where = type.getSimpleName();
        JsonNode properties = definition.get("properties");
        Set<String> required = new HashSet<>();
        definition.path("required").forEach(r -> required.add(r.asText()));
        List<String> expectedKeys = new ArrayList<>();
        Set<String> expectedRequired = new HashSet<>();
        SchemaGenerator.subtypeName(type).ifPresent(name -> {
            expectedKeys.add(SchemaGenerator.DISCRIMINATOR);
            expectedRequired.add(SchemaGenerator.DISCRIMINATOR);
            assertThat(properties.path(SchemaGenerator.DISCRIMINATOR).path("const").asText()).as(where).isEqualTo(name);
        });
        for (RecordComponent component : type.getRecordComponents()) {
            String key = Names.yamlKey(component);
            expectedKeys.add(key);
            JsonNode property = properties.get(key);
            String at = where + "." + key;
            assertThat(property).as(at).isNotNull();

            Doc doc = component.getAnnotation(Doc.class);
            assertThat(property.path("description").asText(null)).as(at).isEqualTo(doc == null ? null : doc.value());

            if (component.getAnnotation(Required.class) != null) {
                expectedRequired.add(key);
            }

            Default defaultValue = component.getAnnotation(Default.class);
            if (defaultValue == null) {
                assertThat(property.has("default")).as(at).isFalse();
            } else {
                JsonNode expected = SchemaTestSupport.MAPPER.valueToTree(
                        SchemaGenerator.typedDefault(defaultValue.value(), component.getType(), at));
                assertThat(property.get("default")).as(at).isEqualTo(expected);
            }

            Pattern pattern = component.getAnnotation(Pattern.class);
            String expectedPattern = component.getType() == Duration.class ? Durations.PATTERN
                    : pattern == null ? null : pattern.value();
            assertThat(property.path("pattern").asText(null)).as(at).isEqualTo(expectedPattern);
            Pattern itemPattern = typeArgumentAnnotation(component.getAnnotatedType(), 0, Pattern.class);
            if (List.class.isAssignableFrom(component.getType())) {
                assertThat(property.path("items").path("pattern").asText(null)).as(at)
                        .isEqualTo(itemPattern == null ? null : itemPattern.value());
            }
            if (Map.class.isAssignableFrom(component.getType())) {
                assertThat(property.path("propertyNames").path("pattern").asText(null)).as(at)
                        .isEqualTo(itemPattern == null ? null : itemPattern.value());
            }

            Minimum minimum = component.getAnnotation(Minimum.class);
            if (minimum == null) {
                assertThat(property.has("minimum")).as(at).isFalse();
            } else {
                assertThat(property.path("minimum").asLong()).as(at).isEqualTo(minimum.value());
            }

            boolean scalar = component.getAnnotation(Scalar.class) != null;
            boolean scalarItems = typeArgumentAnnotation(component.getAnnotatedType(), 0, Scalar.class) != null;
            JsonNode scalarNode = scalarItems ? property.path("items") : property;
            if (scalar || scalarItems) {
                assertThat(scalarNode.path("type").toString()).as(at).isEqualTo("[\"string\",\"number\",\"boolean\"]");
            }

            if (component.getType().isEnum()) {
                List<String> values = Arrays.stream(component.getType().getEnumConstants())
                        .map(c -> Names.yamlValue((Enum<?>) c))
                        .toList();
                assertThat(textValues(property.path("enum"))).as(at).containsExactlyElementsOf(values);
            }
        }
        assertThat(fieldNames(properties)).as("keys of %s in declaration order", where).containsExactlyElementsOf(expectedKeys);
        assertThat(required).as("required keys of %s", where).containsExactlyInAnyOrderElementsOf(expectedRequired);
        assertThat(definition.path("additionalProperties").isBoolean() && !definition.path("additionalProperties").asBoolean())
                .as("%s forbids unknown keys", where).isTrue();
    }

    @ParameterizedTest
    @EnumSource(SchemaKind.class)
    void everyObjectForbidsUnknownKeysExceptTheSelectorsThatDelegate(SchemaKind kind) {
        List<String> open = new ArrayList<>();
        walk(generator.generateTree(kind), "#", (node, path) -> {
            if ("object".equals(node.path("type").asText()) && !node.has("additionalProperties") && !node.has("allOf")) {
                open.add(path);
            }
        });
        assertThat(open).isEmpty();
    }

    @Test
    void polymorphicTypesSelectTheirSubtypeByType() {
        JsonNode defs = generator.generateTree(SchemaKind.PIPELINE).get("$defs");
        JsonNode step = defs.get("Step");
        assertThat(step.path("required").toString()).isEqualTo("[\"type\"]");
        assertThat(textValues(step.path("properties").path("type").path("enum"))).containsExactly("ingest", "transform", "quality");
        assertThat(step.has("additionalProperties")).as("the selected subtype decides which keys exist").isFalse();
        List<String> branches = new ArrayList<>();
        step.path("allOf").forEach(b -> branches.add(
                b.path("if").path("properties").path("type").path("const").asText() + "->" + b.path("then").path("$ref").asText()));
        assertThat(branches).containsExactly(
                "ingest->#/$defs/IngestStep", "transform->#/$defs/TransformStep", "quality->#/$defs/QualityStep");
        step.path("allOf").forEach(b -> assertThat(b.path("if").path("required").toString()).isEqualTo("[\"type\"]"));

        JsonNode check = defs.get("Check");
        assertThat(textValues(check.path("properties").path("type").path("enum"))).containsExactly(
                "not_null", "unique", "accepted_values", "range", "row_count", "freshness", "relationships", "expression");
        assertThat(defs.path("NotNullCheck").path("properties").path("type").path("const").asText()).isEqualTo("not_null");

        JsonNode targets = generator.generateTree(SchemaKind.WORKSPACE).path("properties").path("targets");
        assertThat(targets.path("type").asText()).isEqualTo("object");
        assertThat(targets.path("additionalProperties").path("$ref").asText()).isEqualTo("#/$defs/Target");
        assertThat(SchemaGenerator.isPolymorphic(Target.class)).isTrue();
        assertThat(SchemaGenerator.subtypeName(BigQueryTarget.class)).contains("bigquery");
        assertThat(SchemaGenerator.isPolymorphic(Step.class) && SchemaGenerator.isPolymorphic(Check.class)).isTrue();
    }

    @Test
    void valueTypesUseTheModelPatterns() {
        ObjectNode pipeline = generator.generateTree(SchemaKind.PIPELINE);
        JsonNode quality = pipeline.path("$defs").path("QualityStep").path("properties");
        assertThat(quality.path("timeout").path("type").asText()).isEqualTo("string");
        assertThat(quality.path("timeout").path("pattern").asText()).isEqualTo(Durations.PATTERN);
        assertThat(quality.path("sample").path("oneOf").toString())
                .isEqualTo("[{\"type\":\"integer\",\"minimum\":1},{\"const\":\"full\"}]");
        assertThat(quality.path("checks").path("oneOf").toString())
                .isEqualTo("[{\"type\":\"string\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/Check\"}}]");
        assertThat(quality.path("checks").has("additionalProperties")).isFalse();

        JsonNode bytes = generator.generateTree(SchemaKind.WORKSPACE)
                .path("$defs").path("BigQueryTarget").path("properties").path("maximum_bytes_billed");
        assertThat(bytes.path("oneOf").get(0).path("pattern").asText()).isEqualTo(DataSize.PATTERN);
        assertThat(bytes.path("oneOf").get(1).toString()).isEqualTo("{\"type\":\"integer\",\"minimum\":0}");

        JsonNode write = pipeline.path("$defs").path("TransformStep").path("properties").path("write");
        assertThat(textValues(write.path("enum"))).containsExactly("append", "replace", "replace_partitions");
        assertThat(write.path("default").asText()).isEqualTo(Names.yamlValue(WriteMode.REPLACE));
    }

    /** A default the schema itself rejects would be a model bug: the loader fills it in silently. */
    @ParameterizedTest
    @EnumSource(SchemaKind.class)
    void everyDefaultIsValidAgainstItsOwnProperty(SchemaKind kind) {
        ObjectNode schema = generator.generateTree(kind);
        List<String> invalid = new ArrayList<>();
        walk(schema, "#", (node, path) -> {
            if (node.has("default")) {
                ObjectNode standalone = node.deepCopy();
                standalone.remove("default");
                standalone.set("$defs", schema.get("$defs"));
                var messages = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(standalone)
                        .validate(node.get("default"));
                if (!messages.isEmpty()) {
                    invalid.add(path + ": " + messages);
                }
            }
        });
        assertThat(invalid).isEmpty();
    }

    @Test
    void kindsAreNamedForTheCli() {
        assertThat(SchemaKind.fromId("Pipeline")).contains(SchemaKind.PIPELINE);
        assertThat(SchemaKind.fromId("checks")).contains(SchemaKind.CHECKS);
        assertThat(SchemaKind.fromId("nope")).isEmpty();
        assertThat(SchemaKind.WORKSPACE.fileName()).isEqualTo("workspace.schema.json");
    }

    @Test
    void aDefaultThatDoesNotFitItsTypeIsAModelBug() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SchemaGenerator.typedDefault("many", int.class, "X.y"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("X.y");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SchemaGenerator.typedDefault("yes", boolean.class, "X.z"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(SchemaGenerator.typedDefault("10000", io.convergence.engine.model.Sample.class, "s")).isEqualTo(10000L);
        assertThat(SchemaGenerator.typedDefault("full", io.convergence.engine.model.Sample.class, "s")).isEqualTo("full");
    }

    private interface Visitor {
        void visit(JsonNode node, String path);
    }

    private static final Set<String> NAMED_SCHEMAS = Set.of("properties", "$defs");
    private static final Set<String> SUBSCHEMAS = Set.of(
            "items", "additionalProperties", "propertyNames", "oneOf", "anyOf", "allOf", "if", "then", "else");

    /** Visits every schema object (not the name maps, enum values or defaults that merely look like objects). */
    private static void walk(JsonNode schema, String path, Visitor visitor) {
        if (schema.isArray()) {
            for (int i = 0; i < schema.size(); i++) {
                walk(schema.get(i), path + "/" + i, visitor);
            }
            return;
        }
        if (!schema.isObject()) {
            return;
        }
        visitor.visit(schema, path);
        schema.fields().forEachRemaining(e -> {
            if (NAMED_SCHEMAS.contains(e.getKey())) {
                e.getValue().fields().forEachRemaining(n -> walk(n.getValue(), path + "/" + e.getKey() + "/" + n.getKey(), visitor));
            } else if (SUBSCHEMAS.contains(e.getKey())) {
                walk(e.getValue(), path + "/" + e.getKey(), visitor);
            }
        });
    }

    /** Record and polymorphic model types a component refers to, directly or as a list or map value. */
    private static Stream<Class<?>> modelTypes(Type type) {
        if (type instanceof ParameterizedType parameterized) {
            return Arrays.stream(parameterized.getActualTypeArguments()).flatMap(SchemaGeneratorTest::modelTypes);
        }
        if (type instanceof Class<?> raw && raw.getPackageName().equals(Target.class.getPackageName())
                && (raw.isRecord() && raw.getRecordComponents().length > 0 && !isValueType(raw) || SchemaGenerator.isPolymorphic(raw))) {
            return Stream.of(raw);
        }
        if (type instanceof Class<?> raw && raw.isSealed() && !SchemaGenerator.isPolymorphic(raw)) {
            // ChecksSpec: the shapes' components are what YAML writes.
            return Arrays.stream(raw.getPermittedSubclasses())
                    .flatMap(c -> Arrays.stream(c.getRecordComponents()))
                    .flatMap(c -> modelTypes(c.getGenericType()));
        }
        return Stream.empty();
    }

    private static boolean isValueType(Class<?> type) {
        return type == DataSize.class || type == io.convergence.engine.model.Sample.class;
    }

    private static <A extends java.lang.annotation.Annotation> A typeArgumentAnnotation(AnnotatedType type, int index, Class<A> annotation) {
        if (type instanceof AnnotatedParameterizedType parameterized && parameterized.getAnnotatedActualTypeArguments().length > index) {
            return parameterized.getAnnotatedActualTypeArguments()[index].getAnnotation(annotation);
        }
        return null;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> textValues(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
