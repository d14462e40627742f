package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import java.util.List;

/**
 * Objects in cloud storage to stage for an ingest: the {@code gs://bucket/path} URI (a {@code *} matches many objects),
 * how to read them, the schema to enforce, and the target table the staging belongs to.
 */
public record CloudFileLoad(String uri, Source source, List<SchemaField> schema, TableId target) {
    public CloudFileLoad {
        requireNonNull(uri, "uri is null");
        requireNonNull(source, "source is null");
        schema = List.copyOf(schema);
        requireNonNull(target, "target is null");
        if (!uri.startsWith("gs://")) {
            throw new IllegalArgumentException("not a gs:// URI: " + uri);
        }
        if (schema.isEmpty()) {
            throw new IllegalArgumentException("schema has no columns");
        }
    }
}
