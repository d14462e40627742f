package io.convergence.engine.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.SchemaField;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads BigQuery JSON schema files, the format of {@code bq show --schema}: an array of fields (or an
 * object with a {@code fields} array), each with name, type, optional mode, description and nested fields.
 */
public final class SchemaFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaFiles() {
    }

    public static List<SchemaField> read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "schema file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "schema file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode fields = root != null && root.isObject() ? root.get("fields") : root;
        if (fields == null || !fields.isArray() || fields.isEmpty()) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                    "schema file " + file + " must be a non-empty JSON array of fields (as printed by bq show --schema)");
        }
        return parseFields(fields, file, "");
    }

    private static List<SchemaField> parseFields(JsonNode fields, Path file, String prefix) {
        List<SchemaField> out = new ArrayList<>();
        for (JsonNode f : fields) {
            String name = text(f, "name");
            String where = "schema file " + file + ", field '" + prefix + (name == null ? "?" : name) + "'";
            if (name == null || !Ids.COLUMN_PATTERN.matcher(name).matches()) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, where + ": name must match " + Ids.COLUMN);
            }
            String type = text(f, "type");
            if (type == null || !SchemaField.TYPES.contains(type.toUpperCase(Locale.ROOT))) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, where + ": type '" + type + "' is not a BigQuery type "
                        + SchemaField.TYPES);
            }
            String mode = text(f, "mode");
            if (mode != null && !SchemaField.MODES.contains(mode.toUpperCase(Locale.ROOT))) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, where + ": mode '" + mode + "' is not one of " + SchemaField.MODES);
            }
            List<SchemaField> nested = List.of();
            JsonNode children = f.get("fields");
            if (children != null && children.isArray() && !children.isEmpty()) {
                nested = parseFields(children, file, prefix + name + ".");
            }
            out.add(new SchemaField(name, type.toUpperCase(Locale.ROOT), mode == null ? null : mode.toUpperCase(Locale.ROOT),
                    text(f, "description"), nested));
        }
        return List.copyOf(out);
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
