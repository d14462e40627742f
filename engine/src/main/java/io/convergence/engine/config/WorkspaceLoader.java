package io.convergence.engine.config;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import io.convergence.engine.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Loads and validates a workspace (workspace.yml, tenants, pipelines, and the SQL, schema, checks and
 * data files they name), reporting every problem at once. Nothing here throws for a user mistake.
 */
public final class WorkspaceLoader {
    public static final String WORKSPACE_FILE = "workspace.yml";
    public static final String TENANTS_DIR = "tenants";
    public static final String TENANT_FILE = "tenant.yml";
    public static final String PIPELINES_DIR = "pipelines";
    public static final String PIPELINE_FILE = "pipeline.yml";

    /** Orders problems by file, line, column and code, so output is stable. */
    public static final Comparator<Problem> PROBLEM_ORDER = Comparator
            .comparing((Problem p) -> p.location().file().toString())
            .thenComparingInt(p -> p.location().line())
            .thenComparingInt(p -> p.location().column())
            .thenComparingInt(p -> p.code().number());

    private WorkspaceLoader() {
    }

    /** The nearest folder holding workspace.yml, from {@code start} upward. */
    public static Optional<Path> findWorkspace(Path start) {
        Path dir = start.toAbsolutePath().normalize();
        while (dir != null) {
            if (dir.resolve(WORKSPACE_FILE).toFile().isFile()) {
                return Optional.of(dir);
            }
            dir = dir.getParent();
        }
        return Optional.empty();
    }

    /** Loads and validates the whole workspace rooted at {@code root}; never throws for a user mistake. */
    public static LoadResult load(Path root) {
        requireNonNull(root, "root is null");
        Path dir = root.toAbsolutePath().normalize();
        Path workspaceFile = dir.resolve(WORKSPACE_FILE);
        if (!Files.isRegularFile(workspaceFile)) {
            return new LoadResult(Optional.empty(), List.of(Problem.error(ProblemCode.NO_WORKSPACE, SourceLocation.of(dir),
                    "no " + WORKSPACE_FILE + " in " + dir, "pass --workspace DIR, set CONVERGENCE_WORKSPACE, or run inside a workspace")));
        }
        // the SQL analyzer's native service starts while the YAML files are read
        BigQueryAnalyzer.shared().warmUp();
        List<Problem> problems = new ArrayList<>();
        YamlReader.Document workspaceDocument = YamlReader.read(workspaceFile);
        ModelBinder.Bound<WorkspaceConfig> workspace = ModelBinder.bind(workspaceDocument, WorkspaceConfig.class);
        problems.addAll(workspace.problems());
        workspace.value().ifPresent(config -> {
            Set<String> unboundTargets = new HashSet<>(writtenKeys(workspaceDocument.root(), "targets"));
            unboundTargets.removeAll(config.targets().keySet());
            problems.addAll(Validator.validateWorkspace(config, workspace.sourceMap(), dir, unboundTargets));
        });

        record TenantFile(Path dir, Optional<TenantConfig> config, SourceMap sourceMap) {
        }
        List<TenantFile> tenantFiles = new ArrayList<>();
        for (Path tenantDir : subdirectories(dir.resolve(TENANTS_DIR), problems)) {
            Path tenantFile = tenantDir.resolve(TENANT_FILE);
            if (!Files.isRegularFile(tenantFile)) {
                problems.add(Problem.error(ProblemCode.FILE_NOT_FOUND, SourceLocation.of(tenantDir),
                        "tenant folder '" + tenantDir.getFileName() + "' has no " + TENANT_FILE,
                        "create " + TENANT_FILE + " with 'id: " + tenantDir.getFileName() + "'"));
                continue;
            }
            ModelBinder.Bound<TenantConfig> tenant = ModelBinder.read(tenantFile, TenantConfig.class);
            problems.addAll(tenant.problems());
            tenant.value().ifPresent(config -> problems.addAll(
                    Validator.validateTenant(config, tenant.sourceMap(), tenantDir.getFileName().toString())));
            tenantFiles.add(new TenantFile(tenantDir, tenant.value(), tenant.sourceMap()));
        }

        Set<String> tenantIds = new LinkedHashSet<>();
        Map<String, TenantFile> byId = new LinkedHashMap<>();
        for (TenantFile tenant : tenantFiles) {
            tenantIds.add(tenant.dir().getFileName().toString());
            if (tenant.config().isPresent()) {
                String id = tenant.config().get().id();
                tenantIds.add(id);
                TenantFile first = byId.putIfAbsent(id, tenant);
                if (first != null) {
                    problems.add(Problem.of(ProblemCode.DUPLICATE_TENANT, tenant.sourceMap().locate("/id"), "/id",
                            "tenant id '" + id + "' is also used by " + first.dir().getFileName() + "/" + TENANT_FILE,
                            "every tenant needs its own id, equal to its folder name"));
                }
            }
        }

        List<LoadedTenant> tenants = new ArrayList<>();
        for (TenantFile tenant : tenantFiles) {
            String folder = tenant.dir().getFileName().toString();
            PipelineContext context = new PipelineContext(dir, folder, tenant.config(), tenantIds);
            List<LoadedPipeline> pipelines = new ArrayList<>();
            for (Path pipelineDir : subdirectories(tenant.dir().resolve(PIPELINES_DIR), problems)) {
                Path pipelineFile = pipelineDir.resolve(PIPELINE_FILE);
                if (!Files.isRegularFile(pipelineFile)) {
                    problems.add(Problem.error(ProblemCode.FILE_NOT_FOUND, SourceLocation.of(pipelineDir),
                            "pipeline folder '" + pipelineDir.getFileName() + "' has no " + PIPELINE_FILE,
                            "every folder under pipelines/ holds one " + PIPELINE_FILE));
                    continue;
                }
                PipelineLoad load = loadPipeline(context, pipelineFile);
                problems.addAll(load.problems());
                load.pipeline().ifPresent(pipelines::add);
            }
            tenant.config().ifPresent(config -> tenants.add(new LoadedTenant(tenant.dir(), config, tenant.sourceMap(), pipelines)));
        }
        onceOnly(problems, ProblemCode.SQL_ANALYSIS_OFF);
        problems.sort(PROBLEM_ORDER);
        Optional<LoadedWorkspace> loaded = workspace.value().map(config -> new LoadedWorkspace(dir, config, workspace.sourceMap(), tenants));
        return new LoadResult(loaded, problems);
    }

    /**
     * The context of a pipeline file found on disk: its workspace (nearest workspace.yml upward, else its
     * own folder), its tenant (from the {@code tenants/<tenant>/pipelines/<pipeline>/} layout) and the
     * workspace's tenant ids. Problems of tenant.yml itself are not reported here.
     */
    public static PipelineContext contextOf(Path pipelineFile) {
        Path file = pipelineFile.toAbsolutePath().normalize();
        Path dir = file.getParent();
        Path root = findWorkspace(dir).orElse(dir);
        String tenantId = "";
        Optional<TenantConfig> tenant = Optional.empty();
        Path pipelinesDir = dir.getParent();
        if (pipelinesDir != null && pipelinesDir.getFileName() != null && pipelinesDir.getFileName().toString().equals(PIPELINES_DIR)
                && pipelinesDir.getParent() != null) {
            Path tenantDir = pipelinesDir.getParent();
            tenantId = tenantDir.getFileName().toString();
            Path tenantFile = tenantDir.resolve(TENANT_FILE);
            if (Files.isRegularFile(tenantFile)) {
                tenant = ModelBinder.read(tenantFile, TenantConfig.class).value();
            }
        }
        Set<String> ids = new HashSet<>();
        for (Path tenantDir : subdirectories(root.resolve(TENANTS_DIR), new ArrayList<>())) {
            ids.add(tenantDir.getFileName().toString());
        }
        return new PipelineContext(root, tenantId, tenant, ids);
    }

    /** Loads and validates one pipeline.yml and the files it names. */
    public static PipelineLoad loadPipeline(PipelineContext context, Path pipelineFile) {
        Path file = pipelineFile.toAbsolutePath().normalize();
        return loadPipeline(context, file, YamlReader.read(file));
    }

    /** Validates pipeline text (an editor buffer, say) as if it were {@code pipelineFile}; files it names are read from disk. */
    public static PipelineLoad loadPipelineText(PipelineContext context, Path pipelineFile, String yaml) {
        Path file = pipelineFile.toAbsolutePath().normalize();
        return loadPipeline(context, file, YamlReader.parse(yaml, file));
    }

    /**
     * Validates an in-memory model (the designer's) as if saved to {@code pipelineFile}. The model is written
     * with {@link PipelineWriter} and loaded back, so exactly the same rules apply; problem locations refer to
     * that written text, so match problems to model elements by {@link Problem#pointer()}.
     */
    public static PipelineLoad validatePipeline(PipelineContext context, Path pipelineFile, Pipeline model) {
        return loadPipelineText(context, pipelineFile, PipelineWriter.write(model));
    }

    /**
     * Like {@link #validatePipeline(PipelineContext, Path, Pipeline)}, with SQL text by absolute path that wins over
     * the files on disk: the designer's unsaved SQL buffers, including files that do not exist yet.
     */
    public static PipelineLoad validatePipeline(PipelineContext context, Path pipelineFile, Pipeline model, Map<Path, String> sqlOverlays) {
        return validatePipeline(context, pipelineFile, model, sqlOverlays, BigQueryAnalyzer.shared());
    }

    /**
     * Like {@link #validatePipeline(PipelineContext, Path, Pipeline, Map)}, with SQL analyzed by {@code analyzer}
     * (an unavailable one keeps the text-level rules only).
     */
    public static PipelineLoad validatePipeline(PipelineContext context, Path pipelineFile, Pipeline model, Map<Path, String> sqlOverlays,
                                                BigQueryAnalyzer analyzer) {
        Path file = pipelineFile.toAbsolutePath().normalize();
        return loadPipeline(context, file, YamlReader.parse(PipelineWriter.write(model), file), sqlOverlays, requireNonNull(analyzer, "analyzer is null"));
    }

    private static PipelineLoad loadPipeline(PipelineContext context, Path file, YamlReader.Document document) {
        return loadPipeline(context, file, document, Map.of(), BigQueryAnalyzer.shared());
    }

    private static PipelineLoad loadPipeline(PipelineContext context, Path file, YamlReader.Document document, Map<Path, String> sqlOverlays,
                                             BigQueryAnalyzer analyzer) {
        ModelBinder.Bound<Pipeline> bound = ModelBinder.bind(document, Pipeline.class);
        List<Problem> problems = new ArrayList<>(bound.problems());
        if (bound.value().isEmpty()) {
            problems.sort(PROBLEM_ORDER);
            return new PipelineLoad(Optional.empty(), problems);
        }
        Pipeline pipeline = bound.value().get();
        SourceMap sourceMap = bound.sourceMap();

        List<String> writtenIds = new ArrayList<>();
        int written = writtenSteps(document.root().orElseThrow(), writtenIds);
        Set<String> unbound = new HashSet<>(writtenIds);
        pipeline.steps().stream().map(Step::id).forEach(unbound::remove);

        PipelineFiles files = new PipelineFiles(context, file, pipeline, sourceMap, sqlOverlays);
        files.load();
        problems.addAll(files.problems());

        String tenantId = context.tenantId().isEmpty() ? null : context.tenantId();
        Set<String> others = new HashSet<>(context.tenantIds());
        others.remove(context.tenantId());
        Validator.PipelineInput input = new Validator.PipelineInput(pipeline, sourceMap, expectedPipelineId(file), tenantId,
                context.tenant().map(TenantConfig::datasetNaming).orElse(null), others, files.sqlFiles(), files.locatedChecks(),
                files.resources().schemaByStep(), unbound, written > pipeline.steps().size());
        Validator.PipelineValidation validation = Validator.analyzePipeline(input, analyzer);
        problems.addAll(validation.problems());
        problems.sort(PROBLEM_ORDER);
        LoadedPipeline loaded = new LoadedPipeline(tenantId == null ? "" : tenantId, file, pipeline, sourceMap, files.resources(), problems);
        return new PipelineLoad(Optional.of(loaded), problems, validation.columns());
    }

    /** Keeps the first problem with {@code code}: it is about the workspace, said by each pipeline that met it. */
    private static void onceOnly(List<Problem> problems, ProblemCode code) {
        boolean seen = false;
        for (Iterator<Problem> it = problems.iterator(); it.hasNext(); ) {
            if (it.next().code() == code) {
                if (seen) {
                    it.remove();
                }
                seen = true;
            }
        }
    }

    /** The folder name a pipeline's id must equal, when the file sits in the workspace layout. */
    private static String expectedPipelineId(Path file) {
        Path dir = file.getParent();
        Path parent = dir == null ? null : dir.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(PIPELINES_DIR)) {
            return dir.getFileName().toString();
        }
        return null;
    }

    /** Counts the step items written in the document and collects their ids, bound or not. */
    private static int writtenSteps(Node root, List<String> ids) {
        if (!(root instanceof MappingNode mapping)) {
            return 0;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("steps")
                    && tuple.getValueNode() instanceof SequenceNode steps) {
                for (Node step : steps.getValue()) {
                    if (step instanceof MappingNode stepMapping) {
                        for (NodeTuple field : stepMapping.getValue()) {
                            if (field.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id")
                                    && field.getValueNode() instanceof ScalarNode v && !Tag.NULL.equals(v.getTag())) {
                                ids.add(v.getValue());
                            }
                        }
                    }
                }
                return steps.getValue().size();
            }
        }
        return 0;
    }

    /** The keys written under a top-level mapping key, bound or not. */
    private static List<String> writtenKeys(Optional<Node> root, String key) {
        List<String> keys = new ArrayList<>();
        if (root.isPresent() && root.get() instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key) && tuple.getValueNode() instanceof MappingNode value) {
                    for (NodeTuple entry : value.getValue()) {
                        if (entry.getKeyNode() instanceof ScalarNode name) {
                            keys.add(name.getValue());
                        }
                    }
                }
            }
        }
        return keys;
    }

    /** Sub-folders in name order, hidden ones skipped; a missing folder has none. */
    private static List<Path> subdirectories(Path dir, List<Problem> problems) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children
                    .filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            problems.add(Problem.error(ProblemCode.IO_ERROR, SourceLocation.of(dir), "cannot list the folder: " + e.getMessage(), ""));
            return List.of();
        }
    }
}
