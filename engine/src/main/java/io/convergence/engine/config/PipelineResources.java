package io.convergence.engine.config;

import io.convergence.engine.model.Check;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.sql.SqlTemplate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files a pipeline names, parsed once at load time and keyed by step id: checks of quality steps
 * (inline or from their file), BigQuery schemas of ingest steps, SQL of transforms, plus every file
 * read (for reload on change). A step whose file failed to parse is absent from its map.
 */
public record PipelineResources(Map<String, List<Check>> checksByStep, Map<String, List<SchemaField>> schemaByStep,
                                Map<String, SqlTemplate> sqlByStep, Set<Path> files) {
    public PipelineResources {
        checksByStep = Map.copyOf(checksByStep);
        schemaByStep = Map.copyOf(schemaByStep);
        sqlByStep = Map.copyOf(sqlByStep);
        files = Set.copyOf(files);
    }

    public static PipelineResources empty() {
        return new PipelineResources(Map.of(), Map.of(), Map.of(), Set.of());
    }
}
