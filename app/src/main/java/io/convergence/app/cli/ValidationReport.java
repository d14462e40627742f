package io.convergence.app.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.Severity;
import java.io.File;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The problems of a {@link LoadResult} as {@code convergence validate} reports them: restricted to
 * the requested paths, sorted by file and position, with paths shown relative to the current folder
 * (or the workspace, for a workspace outside it).
 */
final class ValidationReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cwd;
    private final Path root;
    private final List<Problem> problems;
    private final Set<String> files;

    private ValidationReport(Path cwd, Path root, List<Problem> problems, Set<String> files) {
        this.cwd = cwd;
        this.root = root;
        this.problems = List.copyOf(problems);
        this.files = Set.copyOf(files);
    }

    /**
     * @param filters absolute files or folders; a problem is kept when its file lies in one of them
     *     (all are kept when empty)
     */
    static ValidationReport of(LoadResult result, Path root, Path cwd, List<Path> filters) {
        requireNonNull(result, "result is null");
        Path absoluteRoot = root.toAbsolutePath().normalize();
        Path absoluteCwd = cwd.toAbsolutePath().normalize();
        List<Path> absoluteFilters = filters.stream().map(p -> p.toAbsolutePath().normalize()).toList();

        List<Problem> kept = new ArrayList<>();
        for (Problem problem : result.problems()) {
            if (matches(absolute(absoluteRoot, problem.location().file()), absoluteFilters)) {
                kept.add(problem);
            }
        }
        // Stable sort: problems at the same place keep the loader's order.
        kept.sort(Comparator.comparing((Problem p) -> absolute(absoluteRoot, p.location().file()).toString())
                .thenComparingInt(p -> p.location().line())
                .thenComparingInt(p -> p.location().column()));

        // Files checked: the documents that loaded plus every file with a problem, within the filters.
        Set<Path> checked = new java.util.LinkedHashSet<>();
        result.workspace().ifPresent(workspace -> checked.addAll(documents(workspace)));
        result.problems().forEach(p -> checked.add(p.location().file()));
        Set<String> files = new TreeSet<>();
        for (Path file : checked) {
            Path absolute = absolute(absoluteRoot, file);
            if (matches(absolute, absoluteFilters)) {
                files.add(absolute.toString());
            }
        }
        return new ValidationReport(absoluteCwd, absoluteRoot, kept, files);
    }

    int errors() {
        return count(Severity.ERROR);
    }

    int warnings() {
        return count(Severity.WARNING);
    }

    int files() {
        return files.size();
    }

    List<Problem> problems() {
        return problems;
    }

    /** One problem per line ({@code path:line:col: error CV203: message}), an indented hint, then a summary. */
    void writeText(PrintWriter out) {
        for (Problem problem : problems) {
            out.println(problem.display(base(problem.location().file())).replace(File.separatorChar, '/'));
        }
        out.println(summary());
        out.flush();
    }

    /** A stable JSON document for scripts; keys and their order do not change. */
    void writeJson(PrintWriter out) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("valid", errors() == 0);
        document.put("errors", errors());
        document.put("warnings", warnings());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Problem problem : problems) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("code", problem.code().id());
            entry.put("severity", problem.severity().name().toLowerCase(Locale.ROOT));
            entry.put("file", displayPath(problem.location().file()));
            entry.put("line", problem.location().line());
            entry.put("column", problem.location().column());
            entry.put("message", problem.message());
            entry.put("hint", problem.hint());
            entries.add(entry);
        }
        document.put("problems", entries);
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            out.println(JSON.writer(printer).writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }

    String summary() {
        return plural(errors(), "error") + ", " + plural(warnings(), "warning") + " in " + plural(files(), "file");
    }

    String displayPath(Path file) {
        Path absolute = absolute(root, file);
        return base(absolute).relativize(absolute).toString().replace(File.separatorChar, '/');
    }

    private Path base(Path file) {
        Path absolute = absolute(root, file);
        if (absolute.startsWith(cwd)) {
            return cwd;
        }
        return absolute.startsWith(root) ? root : absolute.getRoot();
    }

    private int count(Severity severity) {
        return (int) problems.stream().filter(p -> p.severity() == severity).count();
    }

    private static List<Path> documents(LoadedWorkspace workspace) {
        List<Path> documents = new ArrayList<>();
        documents.add(workspace.sourceMap().file());
        for (LoadedTenant tenant : workspace.tenants()) {
            documents.add(tenant.sourceMap().file());
            for (LoadedPipeline pipeline : tenant.pipelines()) {
                documents.add(pipeline.file());
            }
        }
        return documents;
    }

    private static boolean matches(Path file, List<Path> filters) {
        return filters.isEmpty() || filters.stream().anyMatch(file::startsWith);
    }

    private static Path absolute(Path root, Path file) {
        return root.resolve(file).toAbsolutePath().normalize();
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
