package io.convergence.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Shared test helpers: the repository root, YAML as a Jackson tree, validation against the generated schemas. */
final class SchemaTestSupport {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SchemaGenerator GENERATOR = new SchemaGenerator();
    private static final Map<SchemaKind, JsonSchema> VALIDATORS = new EnumMap<>(SchemaKind.class);

    private SchemaTestSupport() {
    }

    static SchemaGenerator generator() {
        return GENERATOR;
    }

    /** The repository root: the nearest folder upward from the test's working folder that holds engine/pom.xml. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("engine/pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    /** YAML text as a Jackson tree, with the scalar types YAML resolves (numbers, booleans, strings). */
    static JsonNode yaml(String text) {
        Object document = new Load(LoadSettings.builder().build()).loadFromString(text);
        return MAPPER.valueToTree(document);
    }

    static JsonNode yaml(Path file) {
        try {
            return yaml(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages of validating {@code document} against the generated schema of {@code kind}, sorted by location. */
    static List<String> validate(SchemaKind kind, JsonNode document) {
        JsonSchema schema;
        synchronized (VALIDATORS) {
            schema = VALIDATORS.computeIfAbsent(kind, k -> JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(GENERATOR.generateTree(k)));
        }
        Set<ValidationMessage> messages = schema.validate(document);
        return messages.stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .toList();
    }
}
