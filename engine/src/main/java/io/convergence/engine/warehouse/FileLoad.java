package io.convergence.engine.warehouse;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import java.nio.file.Path;
import java.util.List;

/**
 * Files to stage for an ingest: the concrete files (already expanded from the glob), how to read them,
 * the schema to enforce, and the target table the staging belongs to (staging lives beside it).
 */
public record FileLoad(List<Path> files, Source source, List<SchemaField> schema, TableId target) {
    public FileLoad {
        files = List.copyOf(files);
        requireNonNull(source, "source is null");
        schema = List.copyOf(schema);
        requireNonNull(target, "target is null");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files to load");
        }
        if (schema.isEmpty()) {
            throw new IllegalArgumentException("schema has no columns");
        }
    }
}
