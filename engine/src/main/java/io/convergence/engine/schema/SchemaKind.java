package io.convergence.engine.schema;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.ChecksFile;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.WorkspaceConfig;
import java.util.Locale;
import java.util.Optional;

/** The YAML documents Convergence reads, each with the model record that defines its grammar. */
public enum SchemaKind {
    WORKSPACE(WorkspaceConfig.class, "workspace.yml", "Convergence workspace"),
    TENANT(TenantConfig.class, "tenants/<tenant>/tenant.yml", "Convergence tenant"),
    PIPELINE(Pipeline.class, "tenants/<tenant>/pipelines/<pipeline>/pipeline.yml", "Convergence pipeline"),
    CHECKS(ChecksFile.class, "tenants/<tenant>/pipelines/<pipeline>/checks/*.yml", "Convergence checks file");

    /** Base of every schema's {@code $id}; an identifier, not necessarily a reachable address. */
    public static final String ID_BASE = "https://convergence.io/schema/";

    private final Class<? extends Record> modelClass;
    private final String documentPath;
    private final String title;

    SchemaKind(Class<? extends Record> modelClass, String documentPath, String title) {
        this.modelClass = requireNonNull(modelClass, "modelClass is null");
        this.documentPath = requireNonNull(documentPath, "documentPath is null");
        this.title = requireNonNull(title, "title is null");
    }

    /** The root record of documents of this kind. */
    public Class<? extends Record> modelClass() {
        return modelClass;
    }

    /** Lower-case name, as in {@code convergence schema --kind pipeline}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Where documents of this kind live in a workspace. */
    public String documentPath() {
        return documentPath;
    }

    public String title() {
        return title;
    }

    /** File name of the committed schema, e.g. {@code pipeline.schema.json} in {@code docs/schema/}. */
    public String fileName() {
        return id() + ".schema.json";
    }

    /** The schema's {@code $id}. */
    public String schemaId() {
        return ID_BASE + fileName();
    }

    /** The kind named {@code text} (case-insensitive), if any. */
    public static Optional<SchemaKind> fromId(String text) {
        requireNonNull(text, "text is null");
        for (SchemaKind kind : values()) {
            if (kind.id().equalsIgnoreCase(text.trim())) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
