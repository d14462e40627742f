package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import io.convergence.engine.validation.Suggestions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads BigQuery JSON schema files (the format of {@code bq show --schema}) with every problem located. */
public final class SchemaFiles {
    /** Keys BigQuery defines on a field besides the ones Convergence uses; accepted and ignored. */
    private static final Set<String> BIGQUERY_EXTRA_KEYS = Set.of("policyTags", "maxLength", "precision", "scale",
            "defaultValueExpression", "collation", "roundingMode", "rangeElementType", "foreignTypeDefinition",
            "categories", "dataPolicies");
    private static final List<String> KEYS = List.of("name", "type", "mode", "description", "fields");
    private static final int MAX_DEPTH = 32;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1_000_000).build())
            .build();

    /** A parsed schema file: the fields that could be read, and every problem. */
    public record Parsed(Path file, List<SchemaField> fields, List<Problem> problems) {
        public Parsed {
            requireNonNull(file, "file is null");
            fields = List.copyOf(fields);
            problems = List.copyOf(problems);
        }

        public boolean hasErrors() {
            return problems.stream().anyMatch(Problem::isError);
        }
    }

    private SchemaFiles() {
    }

    public static Parsed read(Path file) {
        requireNonNull(file, "file is null");
        try {
            long size = Files.size(file);
            if (size > YamlReader.MAX_DOCUMENT_BYTES) {
                return failed(file, Problem.error(ProblemCode.DOCUMENT_TOO_LARGE, SourceLocation.of(file),
                        "the schema file is too large (" + size + " bytes)", ""));
            }
            return parse(Files.readAllBytes(file), file);
        } catch (NoSuchFileException e) {
            return failed(file, Problem.error(ProblemCode.FILE_NOT_FOUND, SourceLocation.of(file), "schema file not found", ""));
        } catch (IOException | SecurityException e) {
            return failed(file, Problem.error(ProblemCode.IO_ERROR, SourceLocation.of(file),
                    "cannot read the schema file: " + e.getMessage(), ""));
        }
    }

    public static Parsed parse(byte[] json, Path file) {
        Json root;
        try (JsonParser parser = JSON.createParser(json)) {
            List<Problem> problems = new ArrayList<>();
            JsonToken first = parser.nextToken();
            if (first == null) {
                return failed(file, Problem.error(ProblemCode.EMPTY_FILE, SourceLocation.of(file), "the schema file is empty",
                        "write a JSON array of fields, as printed by `bq show --schema --format=prettyjson`"));
            }
            root = tree(parser, file, problems);
            if (parser.nextToken() != null) {
                problems.add(Problem.error(ProblemCode.JSON_SYNTAX, location(file, parser.currentTokenLocation()),
                        "unexpected content after the JSON value", "a schema file holds one JSON array"));
            }
            if (!problems.isEmpty()) {
                return new Parsed(file, List.of(), problems);
            }
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage();
            return failed(file, Problem.error(ProblemCode.JSON_SYNTAX, location(file, e.getLocation()),
                    "invalid JSON: " + (message == null ? "syntax error" : message.lines().findFirst().orElse(message)), ""));
        } catch (IOException | RuntimeException e) {
            return failed(file, Problem.error(ProblemCode.JSON_SYNTAX, SourceLocation.of(file),
                    "the schema file could not be read as JSON (" + e.getClass().getSimpleName() + ")", ""));
        }
        List<Problem> problems = new ArrayList<>();
        List<SchemaField> fields = fields(root, file, problems, 0, "the schema file");
        return new Parsed(file, fields, problems);
    }

    private static Parsed failed(Path file, Problem problem) {
        return new Parsed(file, List.of(), List.of(problem));
    }

    private static List<SchemaField> fields(Json array, Path file, List<Problem> problems, int depth, String where) {
        if (array.items == null) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, array.at, where + " must be a JSON array of fields, found "
                    + array.kind(), "use the format printed by `bq show --schema --format=prettyjson`: [{\"name\": ..., \"type\": ...}]"));
            return List.of();
        }
        if (array.items.isEmpty()) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, array.at, where + " has no fields", "list at least one column"));
            return List.of();
        }
        if (depth > MAX_DEPTH) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, array.at, "RECORD fields are nested too deep", ""));
            return List.of();
        }
        List<SchemaField> out = new ArrayList<>();
        Map<String, Json> seen = new HashMap<>();
        for (Json item : array.items) {
            SchemaField field = field(item, file, problems, depth);
            if (field == null) {
                continue;
            }
            Json nameNode = item.fields.get("name");
            Json first = seen.putIfAbsent(field.name().toLowerCase(Locale.ROOT), nameNode);
            if (first != null) {
                problems.add(Problem.error(ProblemCode.DUPLICATE_COLUMN, nameNode.at, "duplicate column '" + field.name()
                        + "' (first at line " + first.at.line() + ")", "column names are case-insensitive in BigQuery; rename or remove one"));
                continue;
            }
            out.add(field);
        }
        return out;
    }

    private static SchemaField field(Json item, Path file, List<Problem> problems, int depth) {
        if (item.fields == null) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, item.at, "a schema field must be a JSON object, found " + item.kind(),
                    "write {\"name\": \"order_id\", \"type\": \"STRING\"}"));
            return null;
        }
        for (Map.Entry<String, Json> entry : item.fields.entrySet()) {
            if (!KEYS.contains(entry.getKey()) && !BIGQUERY_EXTRA_KEYS.contains(entry.getKey())) {
                String suggestion = Suggestions.didYouMean(entry.getKey(), KEYS);
                problems.add(Problem.error(ProblemCode.UNKNOWN_KEY, entry.getValue().keyAt, "unknown key '" + entry.getKey()
                        + "' in a schema field", suggestion.isEmpty() ? "allowed keys: " + String.join(", ", KEYS) : suggestion));
            }
        }
        String name = text(item, "name", true, problems);
        String type = text(item, "type", true, problems);
        String mode = text(item, "mode", false, problems);
        String description = text(item, "description", false, problems);
        boolean ok = name != null && type != null;
        if (name != null && !Ids.COLUMN_PATTERN.matcher(name).matches()) {
            problems.add(Problem.error(ProblemCode.INVALID_IDENTIFIER, item.fields.get("name").at, "column name " + ModelBinder.quote(name)
                    + " is not " + ModelBinder.describePattern(Ids.COLUMN), ""));
            ok = false;
        }
        if (type != null) {
            type = type.toUpperCase(Locale.ROOT);
            if (!SchemaField.TYPES.contains(type)) {
                problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_TYPE, item.fields.get("type").at, "unknown BigQuery type "
                        + ModelBinder.quote(type) + (name == null ? "" : " for column '" + name + "'"),
                        hintOr(Suggestions.didYouMean(type, SchemaField.TYPES), "allowed: " + String.join(", ", SchemaField.TYPES))));
                ok = false;
            }
        }
        if (mode != null) {
            mode = mode.toUpperCase(Locale.ROOT);
            if (!SchemaField.MODES.contains(mode)) {
                problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_MODE, item.fields.get("mode").at, "unknown mode "
                        + ModelBinder.quote(mode) + "; allowed: " + String.join(", ", SchemaField.MODES),
                        Suggestions.didYouMean(mode, SchemaField.MODES)));
                ok = false;
            }
        }
        boolean record = "RECORD".equals(type) || "STRUCT".equals(type);
        Json nested = item.fields.get("fields");
        List<SchemaField> children = List.of();
        if (record && nested == null) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, item.at, "RECORD column '" + name + "' has no \"fields\"",
                    "list the nested columns under \"fields\""));
            ok = false;
        } else if (record) {
            int before = problems.size();
            children = fields(nested, file, problems, depth + 1, "\"fields\" of '" + name + "'");
            ok &= problems.size() == before;
        } else if (nested != null && type != null && SchemaField.TYPES.contains(type)) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, nested.keyAt, "column '" + name + "' of type " + type
                    + " cannot have nested \"fields\"", "use type RECORD for nested columns"));
            ok = false;
        }
        return ok ? new SchemaField(name, type, mode, description, children) : null;
    }

    private static String hintOr(String first, String second) {
        return first.isEmpty() ? second : first;
    }

    private static String text(Json item, String key, boolean required, List<Problem> problems) {
        Json value = item.fields.get(key);
        if (value == null || value.kind == Kind.NULL) {
            if (required) {
                problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, item.at, "schema field without \"" + key + "\"",
                        "every field needs \"name\" and \"type\""));
            }
            return null;
        }
        if (value.kind != Kind.STRING) {
            problems.add(Problem.error(ProblemCode.INVALID_SCHEMA_FILE, value.at, "\"" + key + "\" must be a string, found " + value.kind(), ""));
            return null;
        }
        return (String) value.value;
    }

    private static SourceLocation location(Path file, JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return SourceLocation.of(file);
        }
        return new SourceLocation(file, location.getLineNr(), Math.max(1, location.getColumnNr()));
    }

    private enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

    /** A JSON value with where it starts (and, for object members, where its key starts). */
    private static final class Json {
        final Kind kind;
        final SourceLocation at;
        SourceLocation keyAt;
        Object value;
        Map<String, Json> fields;
        List<Json> items;

        Json(Kind kind, SourceLocation at) {
            this.kind = kind;
            this.at = at;
        }

        String kind() {
            return switch (kind) {
                case OBJECT -> "an object";
                case ARRAY -> "an array";
                case STRING -> "a string";
                case NUMBER -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "null";
            };
        }
    }

    /** Builds the value at the current token; reports duplicate keys. Depth is bounded by the factory's constraints. */
    private static Json tree(JsonParser parser, Path file, List<Problem> problems) throws IOException {
        SourceLocation at = location(file, parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                Json node = new Json(Kind.OBJECT, at);
                node.fields = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    SourceLocation keyAt = location(file, parser.currentTokenLocation());
                    parser.nextToken();
                    Json value = tree(parser, file, problems);
                    value.keyAt = keyAt;
                    Json first = node.fields.putIfAbsent(key, value);
                    if (first != null) {
                        problems.add(Problem.error(ProblemCode.DUPLICATE_KEY, keyAt, "duplicate key '" + key + "' (first at line "
                                + first.keyAt.line() + ")", "keep only one"));
                    }
                }
                return node;
            }
            case START_ARRAY: {
                Json node = new Json(Kind.ARRAY, at);
                node.items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    node.items.add(tree(parser, file, problems));
                }
                return node;
            }
            case VALUE_STRING: {
                Json node = new Json(Kind.STRING, at);
                node.value = parser.getText();
                return node;
            }
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Json(Kind.NUMBER, at);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new Json(Kind.BOOLEAN, at);
            case VALUE_NULL:
                return new Json(Kind.NULL, at);
            default:
                throw new IllegalStateException("unexpected JSON token " + token);
        }
    }
}
