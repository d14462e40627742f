package io.convergence.engine.warehouse.bigquery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.run.RunEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Run events as JSON rows of the {@code run_events} table: the record's fields, times as ISO-8601 text. */
final class RunEventCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new SimpleModule("convergence-time")
                    .addSerializer(Instant.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                            gen.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Instant.class, new JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            return Instant.parse(p.getValueAsString());
                        }
                    })
                    .addSerializer(Duration.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                            gen.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Duration.class, new JsonDeserializer<>() {
                        @Override
                        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            return Duration.parse(p.getValueAsString());
                        }
                    }));
    private static final Map<String, Class<? extends RunEvent>> TYPES = new HashMap<>();

    static {
        for (Class<?> type : RunEvent.class.getPermittedSubclasses()) {
            TYPES.put(type.getSimpleName(), type.asSubclass(RunEvent.class));
        }
    }

    private RunEventCodec() {
    }

    static String type(RunEvent event) {
        return event.getClass().getSimpleName();
    }

    static String encode(RunEvent event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "cannot encode " + type(event) + ": " + e.getMessage(), e);
        }
    }

    static RunEvent decode(String type, String json) {
        Class<? extends RunEvent> cls = TYPES.get(type);
        if (cls == null) {
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "unknown run event type '" + type + "' in history");
        }
        try {
            return JSON.readValue(json, cls);
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.STATE_STORE_UNAVAILABLE, "unreadable " + type + " in history: " + e.getMessage(), e);
        }
    }
}
