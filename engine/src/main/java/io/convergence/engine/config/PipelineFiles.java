package io.convergence.engine.config;

import io.convergence.engine.model.Check;
import io.convergence.engine.model.ChecksFile;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.validation.Pointers;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import io.convergence.engine.validation.SourceLocation;
import io.convergence.engine.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the files one pipeline names (SQL, BigQuery schemas, checks files) and checks its data globs,
 * resolving every path relative to pipeline.yml and refusing paths that leave the workspace.
 */
final class PipelineFiles {
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");
    private static final int MAX_GLOB_VISITS = 100_000;

    private final Path dir;
    private final Path root;
    private final Path realRoot;
    private final Pipeline pipeline;
    private final SourceMap sourceMap;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, List<Check>> checksByStep = new HashMap<>();
    private final Map<String, List<SchemaField>> schemaByStep = new HashMap<>();
    private final Map<String, SqlTemplate> sqlByStep = new HashMap<>();
    private final Map<String, Validator.SqlFile> sqlFiles = new HashMap<>();
    private final Map<String, Validator.LocatedChecks> locatedChecks = new HashMap<>();
    private final Set<Path> files = new LinkedHashSet<>();
    private final Map<Path, SchemaFiles.Parsed> schemaCache = new HashMap<>();
    private final Map<Path, ModelBinder.Bound<ChecksFile>> checksCache = new HashMap<>();
    private final Map<Path, String> sqlOverlays;

    PipelineFiles(PipelineContext context, Path pipelineFile, Pipeline pipeline, SourceMap sourceMap) {
        this(context, pipelineFile, pipeline, sourceMap, Map.of());
    }

    /** {@code sqlOverlays}: SQL text by absolute path that wins over the disk (an editor's unsaved buffers). */
    PipelineFiles(PipelineContext context, Path pipelineFile, Pipeline pipeline, SourceMap sourceMap, Map<Path, String> sqlOverlays) {
        this.sqlOverlays = Map.copyOf(sqlOverlays);
        this.dir = pipelineFile.getParent();
        this.root = context.root();
        this.realRoot = realPath(root);
        this.pipeline = pipeline;
        this.sourceMap = sourceMap;
        files.add(pipelineFile);
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException | SecurityException e) {
            return path;
        }
    }

    void load() {
        List<Step> steps = pipeline.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String pointer = Pointers.child("/steps", i);
            if (step instanceof IngestStep ingest) {
                schema(ingest, pointer + "/schema");
                source(ingest, pointer + "/source/uri");
            } else if (step instanceof TransformStep transform) {
                sql(transform, pointer + "/sql");
            } else if (step instanceof QualityStep quality) {
                checks(quality, pointer + "/checks");
            }
        }
    }

    List<Problem> problems() {
        return problems;
    }

    Map<String, Validator.SqlFile> sqlFiles() {
        return sqlFiles;
    }

    Map<String, Validator.LocatedChecks> locatedChecks() {
        return locatedChecks;
    }

    PipelineResources resources() {
        return new PipelineResources(checksByStep, schemaByStep, sqlByStep, files);
    }

    private void report(ProblemCode code, String pointer, String message, String hint) {
        problems.add(Problem.of(code, sourceMap.locate(pointer), pointer, message, hint));
    }

    /** The file {@code relative} names, if it is inside the workspace and exists. */
    private Optional<Path> resolve(String relative, String pointer, String what) {
        if (relative.isBlank()) {
            report(ProblemCode.FILE_NOT_FOUND, pointer, "the " + what + " path is empty", "write a path relative to pipeline.yml");
            return Optional.empty();
        }
        Path path;
        try {
            path = dir.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            report(ProblemCode.FILE_NOT_FOUND, pointer, ModelBinder.quote(relative) + " is not a valid path", "");
            return Optional.empty();
        }
        if (!path.startsWith(root)) {
            report(ProblemCode.PATH_OUTSIDE_WORKSPACE, pointer, "the " + what + " " + ModelBinder.quote(relative) + " is outside the workspace",
                    "keep the files a pipeline uses inside the workspace, next to pipeline.yml");
            return Optional.empty();
        }
        if (!Files.exists(path)) {
            report(ProblemCode.FILE_NOT_FOUND, pointer, what + " not found: " + relative, "expected at " + root.relativize(path)
                    + " (paths are relative to pipeline.yml)");
            return Optional.empty();
        }
        if (!realPath(path).startsWith(realRoot)) {
            report(ProblemCode.PATH_OUTSIDE_WORKSPACE, pointer, "the " + what + " " + ModelBinder.quote(relative)
                    + " leads outside the workspace through a symbolic link", "copy the file into the workspace");
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            report(ProblemCode.FILE_NOT_FOUND, pointer, "the " + what + " " + ModelBinder.quote(relative) + " is not a file", "");
            return Optional.empty();
        }
        files.add(path);
        return Optional.of(path);
    }

    private void schema(IngestStep step, String pointer) {
        resolve(step.schema(), pointer, "schema file").ifPresent(path -> {
            boolean first = !schemaCache.containsKey(path);
            SchemaFiles.Parsed parsed = schemaCache.computeIfAbsent(path, SchemaFiles::read);
            if (first) {
                parsed.problems().forEach(p -> problems.add(p.withPointer(pointer)));
            }
            if (!parsed.hasErrors()) {
                schemaByStep.putIfAbsent(step.id(), parsed.fields());
            }
        });
    }

    private void sql(TransformStep step, String pointer) {
        Path overlaid = overlay(step.sql());
        if (overlaid != null) {
            SqlTemplate template = SqlTemplate.parse(sqlOverlays.get(overlaid));
            sqlByStep.putIfAbsent(step.id(), template);
            sqlFiles.putIfAbsent(step.id(), new Validator.SqlFile(overlaid, template));
            return;
        }
        resolve(step.sql(), pointer, "SQL file").ifPresent(path -> {
            try {
                long size = Files.size(path);
                if (size > YamlReader.MAX_DOCUMENT_BYTES) {
                    problems.add(Problem.of(ProblemCode.DOCUMENT_TOO_LARGE, SourceLocation.of(path), pointer,
                            "the SQL file is too large (" + size + " bytes)", ""));
                    return;
                }
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(Files.readAllBytes(path))).toString();
                if (text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                SqlTemplate template = SqlTemplate.parse(text);
                sqlByStep.putIfAbsent(step.id(), template);
                sqlFiles.putIfAbsent(step.id(), new Validator.SqlFile(path, template));
            } catch (CharacterCodingException e) {
                problems.add(Problem.of(ProblemCode.IO_ERROR, SourceLocation.of(path), pointer, "the SQL file is not valid UTF-8",
                        "save it with UTF-8 encoding"));
            } catch (IOException e) {
                problems.add(Problem.of(ProblemCode.IO_ERROR, SourceLocation.of(path), pointer, "cannot read the SQL file: " + e.getMessage(), ""));
            }
        });
    }

    /** The overlay path {@code relative} names, when there is an unsaved buffer for it inside the workspace. */
    private Path overlay(String relative) {
        if (sqlOverlays.isEmpty() || relative.isBlank()) {
            return null;
        }
        try {
            Path path = dir.resolve(relative).normalize();
            return path.startsWith(root) && sqlOverlays.containsKey(path) ? path : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private void checks(QualityStep step, String pointer) {
        if (step.checks() instanceof ChecksSpec.Inline inline) {
            checksByStep.putIfAbsent(step.id(), inline.checks());
            locatedChecks.putIfAbsent(step.id(), new Validator.LocatedChecks(inline.checks(), sourceMap, pointer, pointer));
            return;
        }
        ChecksSpec.File file = (ChecksSpec.File) step.checks();
        resolve(file.path(), pointer, "checks file").ifPresent(path -> {
            boolean first = !checksCache.containsKey(path);
            ModelBinder.Bound<ChecksFile> bound = checksCache.computeIfAbsent(path, p -> ModelBinder.read(p, ChecksFile.class));
            if (first) {
                bound.problems().forEach(p -> problems.add(p.withPointer(pointer)));
            }
            bound.value().ifPresent(checks -> {
                checksByStep.putIfAbsent(step.id(), checks.checks());
                locatedChecks.putIfAbsent(step.id(), new Validator.LocatedChecks(checks.checks(), bound.sourceMap(), "/checks", pointer));
            });
        });
    }

    /** Local ingest sources must match at least one file inside the workspace; gs:// is checked at run time. */
    private void source(IngestStep step, String pointer) {
        String uri = step.source().uri();
        if (uri.startsWith("gs://")) {
            return;
        }
        if (URI_SCHEME.matcher(uri).matches()) {
            report(ProblemCode.INVALID_VALUE, pointer, "unsupported source " + ModelBinder.quote(uri),
                    "use a path or glob relative to pipeline.yml, or gs://bucket/path on BigQuery");
            return;
        }
        int firstGlob = firstGlobChar(uri);
        if (firstGlob < 0) {
            Optional<Path> path = resolveData(uri, uri, pointer);
            path.ifPresent(p -> {
                if (!Files.isRegularFile(p)) {
                    noMatch(uri, pointer);
                }
            });
            return;
        }
        int slash = uri.lastIndexOf('/', firstGlob);
        String base = slash < 0 ? "" : uri.substring(0, slash + 1);
        String pattern = uri.substring(slash + 1);
        Optional<Path> baseDir = resolveData(base.isEmpty() ? "." : base, uri, pointer);
        if (baseDir.isEmpty()) {
            return;
        }
        if (!Files.isDirectory(baseDir.get())) {
            noMatch(uri, pointer);
            return;
        }
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) {
            report(ProblemCode.INVALID_VALUE, pointer, "invalid glob " + ModelBinder.quote(uri), "use *, ?, ** and [abc]");
            return;
        }
        int depth = pattern.contains("**") ? 32 : pattern.split("/", -1).length;
        try (Stream<Path> walk = Files.walk(baseDir.get(), depth)) {
            Iterator<Path> it = walk.iterator();
            int visits = 0;
            while (it.hasNext() && visits++ < MAX_GLOB_VISITS) {
                Path candidate = it.next();
                if (Files.isRegularFile(candidate) && matcher.matches(baseDir.get().relativize(candidate))) {
                    if (!realPath(candidate).startsWith(realRoot)) {
                        report(ProblemCode.PATH_OUTSIDE_WORKSPACE, pointer, "data file " + root.relativize(candidate)
                                + " leads outside the workspace through a symbolic link", "copy the data into the workspace");
                    }
                    return;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            report(ProblemCode.IO_ERROR, pointer, "cannot list data files for " + ModelBinder.quote(uri) + ": " + e.getMessage(), "");
            return;
        }
        noMatch(uri, pointer);
    }

    private Optional<Path> resolveData(String relative, String uri, String pointer) {
        Path path;
        try {
            path = dir.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            report(ProblemCode.INVALID_VALUE, pointer, ModelBinder.quote(uri) + " is not a valid path", "");
            return Optional.empty();
        }
        if (!path.startsWith(root)) {
            report(ProblemCode.PATH_OUTSIDE_WORKSPACE, pointer, "the source " + ModelBinder.quote(uri) + " is outside the workspace",
                    "keep local data inside the workspace, or use gs:// on BigQuery");
            return Optional.empty();
        }
        if (Files.exists(path) && !realPath(path).startsWith(realRoot)) {
            report(ProblemCode.PATH_OUTSIDE_WORKSPACE, pointer, "the source " + ModelBinder.quote(uri)
                    + " leads outside the workspace through a symbolic link", "copy the data into the workspace");
            return Optional.empty();
        }
        return Optional.of(path);
    }

    private void noMatch(String uri, String pointer) {
        report(ProblemCode.NO_DATA_FILES, pointer, "no file matches " + ModelBinder.quote(uri),
                "put at least one file there (paths are relative to pipeline.yml), or read from gs:// on BigQuery");
    }

    private static int firstGlobChar(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }
}
