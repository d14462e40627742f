package io.convergence.engine.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the generated documentation committed in the repository: {@code docs/schema/*.schema.json} and
 * {@code docs/reference.md}. Run it with the repository root as the only argument after changing the model;
 * {@code GeneratedDocsTest} fails while the committed files differ from what this writes.
 */
public final class GenerateDocs {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateDocs.class);

    private GenerateDocs() {
    }

    /** Every generated file, by path relative to the repository root (with '/' separators), in a stable order. */
    public static Map<String, String> files() {
        SchemaGenerator generator = new SchemaGenerator();
        Map<String, String> files = new LinkedHashMap<>();
        for (SchemaKind kind : SchemaKind.values()) {
            files.put("docs/schema/" + kind.fileName(), generator.generate(kind));
        }
        files.put("docs/reference.md", new ReferenceDocGenerator(generator).generate());
        return files;
    }

    /** Writes every generated file under {@code root}; returns how many changed. */
    public static int write(Path root) {
        int changed = 0;
        for (Map.Entry<String, String> file : files().entrySet()) {
            Path path = root.resolve(file.getKey());
            try {
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                if (Files.isRegularFile(path) && Arrays.equals(Files.readAllBytes(path), content)) {
                    continue;
                }
                Files.createDirectories(path.getParent());
                Files.write(path, content);
                changed++;
                LOG.info("wrote {}", path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
        }
        return changed;
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GenerateDocs REPOSITORY_ROOT");
        }
        write(Path.of(args[0]));
    }
}
