package io.convergence.engine.steps;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.ChecksFile;
import io.convergence.engine.model.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A small checks-file reader for running steps on their own: YAML through snakeyaml-engine, mapped to
 * the model with the YAML conventions (snake_case keys, lower-case enums, durations like {@code 1d}).
 * The workspace loader validates these files with positions; this reader only runs what it accepted.
 */
public final class YamlChecksReader implements ChecksReader {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SimpleModule().addDeserializer(Duration.class, new JsonDeserializer<Duration>() {
                @Override
                public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    return Durations.parse(p.getValueAsString());
                }
            }))
            .build();

    @Override
    public List<Check> read(Path checksFile) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(checksFile));
        } catch (NoSuchFileException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "checks file " + checksFile + " does not exist");
        } catch (IOException | RuntimeException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "checks file " + checksFile + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return MAPPER.convertValue(document, ChecksFile.class).checks();
        } catch (IllegalArgumentException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "checks file " + checksFile + " is not valid: " + e.getMessage(), e);
        }
    }
}
