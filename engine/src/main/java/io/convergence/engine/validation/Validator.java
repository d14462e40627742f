package io.convergence.engine.validation;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.sql.SqlTemplate;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * Semantic rules over bound models: ids, the DAG, tables read and written, SQL files, parameters,
 * partitioning, targets and settings. Every rule reports through {@link Problem}s located by a
 * {@link Locator}; nothing here throws for a user mistake. Structural rules (keys, types, patterns)
 * belong to the binder.
 */
public final class Validator {
    /** Parameters bound by the engine for partition-aware pipelines, and only for them. */
    public static final List<String> PARTITION_PARAMETERS = List.of("partition_start", "partition_end");
    /**
     * The conventional run-date parameter. It is not built in: a pipeline declares it like any other
     * parameter (usually {@code {type: date, default: today}}); partition-aware runs use it as the
     * end of their default range, so it is never reported as unused there.
     */
    public static final String RUN_DATE = "run_date";

    private static final int MAX_CLUSTER_COLUMNS = 4;

    private Validator() {
    }

    /** A transform's SQL file as parsed. */
    public record SqlFile(Path file, SqlTemplate template) {
        public SqlFile {
            requireNonNull(file, "file is null");
            requireNonNull(template, "template is null");
        }
    }

    /**
     * The checks of one quality step and where they were written: {@code locator} and {@code listPointer}
     * locate them (in pipeline.yml for inline checks, in the checks file otherwise); problems carry
     * {@code stepPointer}, a pointer into the pipeline.
     */
    public record LocatedChecks(List<Check> checks, Locator locator, String listPointer, String stepPointer) {
        public LocatedChecks {
            checks = List.copyOf(checks);
            requireNonNull(locator, "locator is null");
            requireNonNull(listPointer, "listPointer is null");
            requireNonNull(stepPointer, "stepPointer is null");
        }
    }

    /**
     * Everything the pipeline rules look at.
     *
     * @param expectedId the pipeline's folder name, or null when the file is not in the workspace layout
     * @param tenantId the owning tenant, or null when unknown
     * @param datasetNaming the tenant's dataset naming, or null when unknown
     * @param otherTenantIds ids of the workspace's other tenants
     * @param unboundStepIds ids of steps written in the file that did not bind (they count as known for depends_on)
     * @param stepsIncomplete true when some step did not bind, so "no steps" and "nobody writes this table" are not reported
     */
    public record PipelineInput(Pipeline pipeline, Locator locator, String expectedId, String tenantId, String datasetNaming,
                                Set<String> otherTenantIds, Map<String, SqlFile> sqlByStep, Map<String, LocatedChecks> checksByStep,
                                Set<String> unboundStepIds, boolean stepsIncomplete) {
        public PipelineInput {
            requireNonNull(pipeline, "pipeline is null");
            requireNonNull(locator, "locator is null");
            otherTenantIds = Set.copyOf(otherTenantIds);
            sqlByStep = Map.copyOf(sqlByStep);
            checksByStep = Map.copyOf(checksByStep);
            unboundStepIds = Set.copyOf(unboundStepIds);
        }

        /** Just the model, as the designer holds it before any file is read. */
        public static PipelineInput of(Pipeline pipeline, Locator locator) {
            return new PipelineInput(pipeline, locator, null, null, null, Set.of(), Map.of(), Map.of(), Set.of(), false);
        }
    }

    // ---------------------------------------------------------------- workspace

    /** Rules of workspace.yml; {@code workspaceDir} resolves key file paths. */
    public static List<Problem> validateWorkspace(WorkspaceConfig config, Locator locator, Path workspaceDir) {
        return validateWorkspace(config, locator, workspaceDir, Set.of());
    }

    /**
     * Rules of workspace.yml. {@code unboundTargets} names targets written in the file that did not bind
     * (already reported), so default_target naming one of them is not reported again.
     */
    public static List<Problem> validateWorkspace(WorkspaceConfig config, Locator locator, Path workspaceDir, Set<String> unboundTargets) {
        List<Problem> out = new ArrayList<>();
        if (unboundTargets.contains(config.defaultTarget())) {
            // the target's own problems say what is wrong with it
        } else if (config.targets().isEmpty()) {
            out.add(at(locator, ProblemCode.UNKNOWN_TARGET, "/targets", "the workspace defines no targets",
                    "add one, such as 'local: {type: duckdb}'"));
        } else if (!config.targets().containsKey(config.defaultTarget())) {
            String suggestion = Suggestions.didYouMean(config.defaultTarget(), config.targets().keySet());
            out.add(at(locator, ProblemCode.UNKNOWN_TARGET, "/default_target", "default_target '" + config.defaultTarget()
                            + "' is not a target; targets: " + String.join(", ", config.targets().keySet()),
                    suggestion.isEmpty() ? "name one of the targets, or add a target with that name" : suggestion));
        }
        for (Map.Entry<String, Target> entry : config.targets().entrySet()) {
            String pointer = Pointers.child("/targets", entry.getKey());
            if (entry.getValue() instanceof BigQueryTarget bigQuery) {
                validateBigQuery(bigQuery, locator, pointer, workspaceDir, out);
            } else if (entry.getValue() instanceof DuckDbTarget duckDb && duckDb.memoryLimit() != null
                    && !isMemoryLimit(duckDb.memoryLimit())) {
                out.add(at(locator, ProblemCode.INVALID_SETTING, pointer + "/memory_limit", "memory_limit '" + duckDb.memoryLimit()
                        + "' is not a size such as 2GB or a percentage such as 50%", ""));
            }
        }
        LockSettings locks = config.locks();
        if (locks.lease().isZero() || locks.lease().isNegative()) {
            out.add(at(locator, ProblemCode.INVALID_SETTING, "/locks/lease", "the lock lease must be longer than zero", ""));
        } else if (locks.heartbeat().isZero() || locks.heartbeat().compareTo(locks.lease()) >= 0) {
            out.add(at(locator, ProblemCode.INVALID_SETTING, "/locks/heartbeat", "the lock heartbeat (" + format(locks.heartbeat())
                            + ") must be above zero and shorter than the lease (" + format(locks.lease()) + ")",
                    "renew well within the lease, such as a third of it"));
        }
        return out;
    }

    private static void validateBigQuery(BigQueryTarget target, Locator locator, String pointer, Path workspaceDir, List<Problem> out) {
        String credentials = target.credentials();
        String credentialsPointer = pointer + "/credentials";
        if (target.endpoint() != null) {
            try {
                URI uri = new URI(target.endpoint());
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new URISyntaxException(target.endpoint(), "not an http(s) URL");
                }
                if (uri.getUserInfo() != null) {
                    out.add(at(locator, ProblemCode.SECRET_IN_CONFIG, pointer + "/endpoint",
                            "the endpoint URL carries a user name or password", "remove the user info from the URL"));
                }
            } catch (URISyntaxException e) {
                out.add(at(locator, ProblemCode.INVALID_SETTING, pointer + "/endpoint",
                        "endpoint must be an http or https URL such as http://127.0.0.1:9050", ""));
            }
        }
        if ("adc".equals(credentials)) {
            return;
        }
        if ("none".equals(credentials)) {
            if (target.endpoint() == null) {
                out.add(at(locator, ProblemCode.INVALID_SETTING, credentialsPointer,
                        "credentials 'none' is only allowed with an endpoint (a local BigQuery-compatible server)",
                        "use 'adc' (Application Default Credentials) or a key file path"));
            }
            return;
        }
        if (looksLikeSecret(credentials)) {
            out.add(at(locator, ProblemCode.SECRET_IN_CONFIG, credentialsPointer,
                    "credentials look like an inline secret (a key, token or JSON document); secrets are never written in YAML",
                    "remove it from the file (and rotate it if the file was shared); use 'adc' or the path of a key file kept outside git"));
            return;
        }
        Path keyFile;
        try {
            keyFile = workspaceDir.resolve(credentials).normalize();
        } catch (InvalidPathException e) {
            out.add(at(locator, ProblemCode.FILE_NOT_FOUND, credentialsPointer, "credentials is neither 'adc', 'none' nor a valid path", ""));
            return;
        }
        if (!Files.isRegularFile(keyFile)) {
            out.add(at(locator, ProblemCode.FILE_NOT_FOUND, credentialsPointer, "key file not found: " + keyFile,
                    "use 'adc' (Application Default Credentials), or a path (relative to workspace.yml) to a service-account key file"));
        }
    }

    /** True for text that looks like key material rather than a word or a path; never echo such text. */
    public static boolean looksLikeSecret(String text) {
        String t = text.trim();
        if (t.startsWith("{") || t.contains("private_key") || t.contains("-----BEGIN") || t.contains("\n") || t.startsWith("AIza")) {
            return true;
        }
        if (t.length() < 40 || !t.matches("[A-Za-z0-9+/=_-]+") || t.contains(".")) {
            return false;
        }
        boolean upper = t.chars().anyMatch(Character::isUpperCase);
        boolean lower = t.chars().anyMatch(Character::isLowerCase);
        boolean digit = t.chars().anyMatch(Character::isDigit);
        int longestSegment = 0;
        for (String segment : t.split("/")) {
            longestSegment = Math.max(longestSegment, segment.length());
        }
        return upper && lower && digit && longestSegment >= 32;
    }

    private static boolean isMemoryLimit(String text) {
        if (text.trim().matches("[0-9]+(\\.[0-9]+)?\\s*%")) {
            return true;
        }
        try {
            DataSize.parse(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- tenants

    /** Rules of tenant.yml; {@code folderName} is the tenant's folder, or null when unknown. */
    public static List<Problem> validateTenant(TenantConfig tenant, Locator locator, String folderName) {
        List<Problem> out = new ArrayList<>();
        if (folderName != null && !tenant.id().equals(folderName)) {
            out.add(at(locator, ProblemCode.ID_MISMATCH, "/id", "tenant id '" + tenant.id() + "' does not match its folder '" + folderName + "'",
                    "set 'id: " + folderName + "' or rename the folder"));
        }
        String naming = tenant.datasetNaming();
        String unknownPlaceholder = naming.replace("{tenant}", "").replace("{dataset}", "");
        if (!naming.contains("{dataset}")) {
            out.add(at(locator, ProblemCode.INVALID_SETTING, "/dataset_naming", "dataset_naming must contain {dataset}",
                    "for example {tenant}_{dataset}"));
        } else if (unknownPlaceholder.contains("{") || unknownPlaceholder.contains("}")) {
            out.add(at(locator, ProblemCode.INVALID_SETTING, "/dataset_naming", "dataset_naming may only use {tenant} and {dataset}", ""));
        } else if (!Ids.NAME_PATTERN.matcher(naming.replace("{tenant}", tenant.id()).replace("{dataset}", "raw")).matches()) {
            out.add(at(locator, ProblemCode.INVALID_SETTING, "/dataset_naming", "dataset_naming produces invalid dataset names such as '"
                    + naming.replace("{tenant}", tenant.id()).replace("{dataset}", "raw") + "'", "use letters, digits and '_' only"));
        }
        String metadata = tenant.metadataDataset().replace("{tenant}", tenant.id());
        if (!Ids.NAME_PATTERN.matcher(metadata).matches()) {
            out.add(at(locator, ProblemCode.INVALID_SETTING, "/metadata_dataset", "metadata_dataset '" + metadata
                    + "' is not a valid dataset name", "use letters, digits and '_' ({tenant} is replaced)"));
        }
        return out;
    }

    // ---------------------------------------------------------------- pipelines

    public static List<Problem> validatePipeline(PipelineInput input) {
        return new PipelineRules(input).run();
    }

    /**
     * Why {@code text} is not a valid value of {@code type}, or empty when it is. DATE accepts
     * {@code today}, {@code yesterday} and ISO dates; TIMESTAMP accepts {@code now} and ISO date-times
     * (with an offset, or else taken as UTC).
     */
    public static Optional<String> checkParameterValue(ParameterType type, String text) {
        String t = text.trim();
        try {
            switch (type) {
                case STRING:
                    return Optional.empty();
                case INT64:
                    Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
                    return Optional.empty();
                case FLOAT64:
                    if (!Double.isFinite(Double.parseDouble(t))) {
                        return Optional.of("'" + t + "' is not a finite number");
                    }
                    return Optional.empty();
                case BOOL:
                    return t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false") ? Optional.empty()
                            : Optional.of("a bool is true or false");
                case DATE:
                    if (!t.equals("today") && !t.equals("yesterday")) {
                        LocalDate.parse(t);
                    }
                    return Optional.empty();
                case TIMESTAMP:
                    if (!t.equals("now")) {
                        parseTimestamp(t);
                    }
                    return Optional.empty();
                default:
                    throw new IllegalStateException(type.name());
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            String expected = switch (type) {
                case INT64 -> "a whole number";
                case FLOAT64 -> "a number";
                case DATE -> "today, yesterday or a date such as 2024-01-31";
                case TIMESTAMP -> "now or a timestamp such as 2024-01-31T10:00:00Z";
                default -> type.name().toLowerCase(Locale.ROOT);
            };
            return Optional.of("expected " + expected);
        }
    }

    private static void parseTimestamp(String text) {
        String t = text.replace(' ', 'T');
        try {
            OffsetDateTime.parse(t);
        } catch (DateTimeParseException e) {
            try {
                Instant.parse(t);
            } catch (DateTimeParseException e2) {
                LocalDateTime.parse(t);
            }
        }
    }

    private static Problem at(Locator locator, ProblemCode code, String pointer, String message, String hint) {
        return Problem.of(code, locator.locate(pointer), pointer, message, hint);
    }

    private static String format(Duration d) {
        return io.convergence.engine.model.Durations.format(d);
    }

    /** One run of the pipeline rules. */
    private static final class PipelineRules {
        private final PipelineInput in;
        private final Pipeline pipeline;
        private final List<Problem> out = new ArrayList<>();
        /** Index of the first step with each id. */
        private final Map<String, Integer> firstIndex = new LinkedHashMap<>();
        private final Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        private final Set<String> usedParameters = new HashSet<>();

        private record Producer(int step, String pointer, boolean quarantine) {
        }

        PipelineRules(PipelineInput in) {
            this.in = in;
            this.pipeline = in.pipeline();
        }

        List<Problem> run() {
            pipelineId();
            stepIds();
            dependencies();
            writeModes();
            Map<String, Producer> producers = tables();
            sql(producers);
            checks(producers);
            parameters();
            return out;
        }

        private void add(ProblemCode code, String pointer, String message, String hint) {
            out.add(at(in.locator(), code, pointer, message, hint));
        }

        private void addAt(ProblemCode code, SourceLocation location, String pointer, String message, String hint) {
            out.add(Problem.of(code, location, pointer, message, hint));
        }

        private static String stepPointer(int index) {
            return Pointers.child("/steps", index);
        }

        private void pipelineId() {
            if (in.expectedId() != null && !pipeline.id().equals(in.expectedId())) {
                add(ProblemCode.ID_MISMATCH, "/id", "pipeline id '" + pipeline.id() + "' does not match its folder '" + in.expectedId() + "'",
                        "set 'id: " + in.expectedId() + "' or rename the folder");
            }
            if (pipeline.timeout() != null && (pipeline.timeout().isZero() || pipeline.timeout().isNegative())) {
                add(ProblemCode.INVALID_VALUE, "/timeout", "the pipeline timeout must be longer than zero", "leave it out for no limit");
            }
        }

        private void stepIds() {
            List<Step> steps = pipeline.steps();
            if (steps.isEmpty() && !in.stepsIncomplete()) {
                add(ProblemCode.EMPTY_PIPELINE, "/steps", "the pipeline has no steps", "add an ingest, transform or quality step");
            }
            for (int i = 0; i < steps.size(); i++) {
                String id = steps.get(i).id();
                Integer first = firstIndex.putIfAbsent(id, i);
                if (first != null) {
                    SourceLocation firstAt = in.locator().locate(stepPointer(first) + "/id");
                    add(ProblemCode.DUPLICATE_STEP_ID, stepPointer(i) + "/id", "step id '" + id + "' is used twice; first at line "
                            + firstAt.line() + ", column " + firstAt.column(), "give every step its own id");
                } else {
                    graph.addVertex(id);
                }
                Step step = steps.get(i);
                if (step.timeout() != null && (step.timeout().isZero() || step.timeout().isNegative())) {
                    add(ProblemCode.INVALID_VALUE, stepPointer(i) + "/timeout", "a step timeout must be longer than zero", "");
                }
            }
        }

        private void dependencies() {
            Set<String> known = new LinkedHashSet<>(firstIndex.keySet());
            known.addAll(in.unboundStepIds());
            List<Step> steps = pipeline.steps();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                for (int j = 0; j < step.dependsOn().size(); j++) {
                    String dependency = step.dependsOn().get(j);
                    String pointer = stepPointer(i) + "/depends_on/" + j;
                    if (dependency.equals(step.id())) {
                        add(ProblemCode.SELF_DEPENDENCY, pointer, "step '" + step.id() + "' depends on itself", "remove it from depends_on");
                    } else if (!known.contains(dependency)) {
                        String suggestion = Suggestions.didYouMean(dependency, known);
                        add(ProblemCode.UNKNOWN_DEPENDENCY, pointer, "step '" + step.id() + "' depends on '" + dependency
                                + "', which is not a step of this pipeline", suggestion.isEmpty() ? "steps: " + String.join(", ", known) : suggestion);
                    } else if (graph.containsVertex(dependency) && firstIndex.get(step.id()) == i) {
                        graph.addEdge(dependency, step.id());
                    }
                }
            }
            if (!new CycleDetector<>(graph).detectCycles()) {
                return;
            }
            List<Set<String>> components = new ArrayList<>();
            for (Set<String> component : new KosarajuStrongConnectivityInspector<>(graph).stronglyConnectedSets()) {
                if (component.size() > 1) {
                    components.add(component);
                }
            }
            components.sort(Comparator.comparingInt(c -> c.stream().mapToInt(firstIndex::get).min().orElse(0)));
            for (Set<String> component : components) {
                String start = component.stream().min(Comparator.comparingInt(firstIndex::get)).orElseThrow();
                List<String> cycle = shortestCycle(start, component);
                String last = cycle.get(cycle.size() - 2);
                int startIndex = firstIndex.get(start);
                int edge = steps.get(startIndex).dependsOn().indexOf(last);
                add(ProblemCode.CYCLE, stepPointer(startIndex) + "/depends_on" + (edge < 0 ? "" : "/" + edge),
                        "dependency cycle: " + String.join(" -> ", cycle),
                        "a pipeline is a DAG; remove one of these depends_on edges");
            }
        }

        /** The shortest path start -> ... -> start inside one strongly connected set, following data flow. */
        private List<String> shortestCycle(String start, Set<String> component) {
            Map<String, String> previous = new HashMap<>();
            Deque<String> queue = new ArrayDeque<>();
            queue.add(start);
            while (!queue.isEmpty()) {
                String node = queue.poll();
                List<String> next = new ArrayList<>();
                for (DefaultEdge e : graph.outgoingEdgesOf(node)) {
                    next.add(graph.getEdgeTarget(e));
                }
                next.sort(Comparator.comparingInt(firstIndex::get));
                for (String target : next) {
                    if (!component.contains(target)) {
                        continue;
                    }
                    if (target.equals(start)) {
                        List<String> path = new ArrayList<>();
                        for (String at = node; at != null; at = previous.get(at)) {
                            path.add(0, at);
                        }
                        path.add(start);
                        return path;
                    }
                    if (!previous.containsKey(target) && !target.equals(start)) {
                        previous.put(target, node);
                        queue.add(target);
                    }
                }
            }
            throw new IllegalStateException("no cycle through " + start);
        }

        private Set<String> ancestors(String stepId) {
            Set<String> seen = new HashSet<>();
            if (!graph.containsVertex(stepId)) {
                return seen;
            }
            Deque<String> queue = new ArrayDeque<>(List.of(stepId));
            while (!queue.isEmpty()) {
                for (DefaultEdge e : graph.incomingEdgesOf(queue.poll())) {
                    String source = graph.getEdgeSource(e);
                    if (seen.add(source)) {
                        queue.add(source);
                    }
                }
            }
            return seen;
        }

        private void writeModes() {
            List<Step> steps = pipeline.steps();
            for (int i = 0; i < steps.size(); i++) {
                String pointer = stepPointer(i);
                if (steps.get(i) instanceof IngestStep ingest && ingest.write() == WriteMode.REPLACE_PARTITIONS) {
                    add(ProblemCode.PARTITION_CONFIG, pointer + "/write", "ingest step '" + ingest.id()
                            + "' cannot use replace_partitions: ingest steps have no partition_by",
                            "use append or replace, and replace partitions in a transform step");
                } else if (steps.get(i) instanceof TransformStep transform) {
                    if (transform.write() == WriteMode.REPLACE_PARTITIONS) {
                        if (transform.partitionBy() == null) {
                            add(ProblemCode.PARTITION_CONFIG, pointer + "/write", "step '" + transform.id()
                                    + "' uses replace_partitions but has no partition_by", "add partition_by: {field: <date column>, type: day}");
                        }
                        if (pipeline.partitions() == null) {
                            add(ProblemCode.PARTITION_CONFIG, pointer + "/write", "step '" + transform.id()
                                    + "' uses replace_partitions but the pipeline has no partitions", "add 'partitions: {type: day}' to the pipeline");
                        } else if (transform.partitionBy() != null && transform.partitionBy().type() != pipeline.partitions().type()) {
                            add(ProblemCode.PARTITION_CONFIG, pointer + "/partition_by/type", "step '" + transform.id()
                                    + "' partitions its table by " + name(transform.partitionBy().type()) + " but the pipeline runs by "
                                    + name(pipeline.partitions().type()), "use the same grain so each run replaces whole partitions");
                        }
                    }
                    if (transform.clusterBy().size() > MAX_CLUSTER_COLUMNS) {
                        add(ProblemCode.INVALID_VALUE, pointer + "/cluster_by", "BigQuery clusters by at most " + MAX_CLUSTER_COLUMNS
                                + " columns; found " + transform.clusterBy().size(), "");
                    }
                }
            }
        }

        private static String name(Enum<?> value) {
            return value.name().toLowerCase(Locale.ROOT);
        }

        /** Tables written by each step; reports two steps writing one table and writes that leave the tenant. */
        private Map<String, Producer> tables() {
            Map<String, Producer> producers = new LinkedHashMap<>();
            List<Step> steps = pipeline.steps();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                String pointer = stepPointer(i);
                if (step instanceof IngestStep ingest) {
                    produce(producers, ingest.target(), new Producer(i, pointer + "/target", false));
                    if (ingest.badRows() != null && ingest.badRows().quarantine() != null) {
                        produce(producers, ingest.badRows().quarantine(), new Producer(i, pointer + "/bad_rows/quarantine", true));
                    } else if (SqlTemplate.isTableRef(ingest.target() + "_rejected")) {
                        produce(producers, ingest.target() + "_rejected", new Producer(i, pointer + "/target", true));
                    }
                } else if (step instanceof TransformStep transform) {
                    produce(producers, transform.target(), new Producer(i, pointer + "/target", false));
                }
            }
            return producers;
        }

        private void produce(Map<String, Producer> producers, String table, Producer producer) {
            if (!SqlTemplate.isTableRef(table)) {
                return;
            }
            tenantBoundary(table, in.locator().locate(producer.pointer()), producer.pointer());
            Producer first = producers.putIfAbsent(table, producer);
            if (first != null && first.step() != producer.step()) {
                String firstId = pipeline.steps().get(first.step()).id();
                String id = pipeline.steps().get(producer.step()).id();
                add(ProblemCode.DUPLICATE_TARGET_TABLE, producer.pointer(), "steps '" + firstId + "' and '" + id + "' both write "
                        + table + (first.quarantine() || producer.quarantine() ? " (as a target or quarantine table)" : ""),
                        "give each step its own table");
            }
        }

        /** CV403: a table that names another tenant's dataset, a physical dataset, or a project. */
        private boolean tenantBoundary(String table, SourceLocation location, String pointer) {
            String[] parts = table.split("\\.", -1);
            if (parts.length == 3 && !parts[0].isEmpty() && !parts[1].isEmpty() && !parts[2].isEmpty()) {
                addAt(ProblemCode.REF_OTHER_TENANT, location, pointer, "'" + table + "' names a project; tables are written as dataset.table",
                        "Convergence adds the project and the tenant's dataset naming; tables outside the tenant cannot be used");
                return false;
            }
            if (parts.length != 2) {
                return true;
            }
            String dataset = parts[0];
            for (String other : in.otherTenantIds()) {
                if (!other.equals(in.tenantId()) && (dataset.equals(other) || dataset.startsWith(other + "_"))) {
                    addAt(ProblemCode.REF_OTHER_TENANT, location, pointer, "'" + table + "' looks like a dataset of tenant '" + other + "'",
                            "a pipeline only reads and writes its own tenant's datasets");
                    return false;
                }
            }
            if (in.tenantId() != null && in.datasetNaming() != null && in.datasetNaming().contains("{dataset}")) {
                String naming = in.datasetNaming().replace("{tenant}", in.tenantId());
                int at = naming.indexOf("{dataset}");
                String prefix = naming.substring(0, at);
                String suffix = naming.substring(at + "{dataset}".length());
                if (!(prefix + suffix).isEmpty() && dataset.length() > prefix.length() + suffix.length()
                        && dataset.startsWith(prefix) && dataset.endsWith(suffix)) {
                    String logical = dataset.substring(prefix.length(), dataset.length() - suffix.length());
                    addAt(ProblemCode.REF_OTHER_TENANT, location, pointer, "'" + table + "' is a physical dataset name",
                            "write the logical table '" + logical + "." + parts[1] + "'; Convergence maps it to '" + dataset + "'");
                    return false;
                }
            }
            return true;
        }

        /** A step reads {@code table}: it must depend on the step writing it, or nobody here writes it. */
        private void read(int stepIndex, String table, SourceLocation location, String pointer, Map<String, Producer> producers) {
            if (!SqlTemplate.isTableRef(table) || !tenantBoundary(table, location, pointer)) {
                return;
            }
            Step reader = pipeline.steps().get(stepIndex);
            Producer producer = producers.get(table);
            if (producer == null) {
                if (!in.stepsIncomplete()) {
                    addAt(ProblemCode.REF_NOT_PRODUCED, location, pointer, "step '" + reader.id() + "' reads " + table
                                    + ", which no step of this pipeline writes",
                            "fine if another pipeline or a load outside Convergence produces it (make sure it runs first); otherwise check the name");
                }
                return;
            }
            String writer = pipeline.steps().get(producer.step()).id();
            if (writer.equals(reader.id()) || firstIndex.get(reader.id()) != stepIndex) {
                return;
            }
            if (!ancestors(reader.id()).contains(writer)) {
                addAt(ProblemCode.MISSING_DEPENDENCY, location, pointer, "step '" + reader.id() + "' reads " + table
                                + ", which step '" + writer + "' writes, but does not depend on it",
                        "add '" + writer + "' to depends_on of step '" + reader.id() + "'");
            }
        }

        private void sql(Map<String, Producer> producers) {
            List<Step> steps = pipeline.steps();
            for (int i = 0; i < steps.size(); i++) {
                if (!(steps.get(i) instanceof TransformStep transform)) {
                    continue;
                }
                SqlFile file = in.sqlByStep().get(transform.id());
                if (file == null || firstIndex.get(transform.id()) != i) {
                    continue;
                }
                String pointer = stepPointer(i) + "/sql";
                SqlTemplate template = file.template();
                if (template.statementCount() == 0) {
                    addAt(ProblemCode.SQL_NOT_SELECT, SourceLocation.of(file.file()), pointer, "the SQL file is empty",
                            "write one SELECT query; its result is written to " + transform.target());
                    continue;
                }
                if (template.statementCount() > 1) {
                    addAt(ProblemCode.MULTIPLE_STATEMENTS, new SourceLocation(file.file(), 1, 1), pointer, "the SQL file holds "
                            + template.statementCount() + " statements; a transform is one query", "split it into several transform steps");
                }
                firstKeyword(template.sql()).ifPresent(keyword -> {
                    String word = keyword.word().toUpperCase(Locale.ROOT);
                    if (!word.equals("SELECT") && !word.equals("WITH") && !word.equals("FROM")) {
                        addAt(ProblemCode.SQL_NOT_SELECT, new SourceLocation(file.file(), keyword.line(), keyword.column()), pointer,
                                "a transform's SQL must be a query (SELECT or WITH), found " + word,
                                "Convergence writes " + transform.target() + " itself according to 'write'; keep only the query");
                    }
                });
                for (SqlTemplate.BadTemplate bad : template.badTemplates()) {
                    addAt(ProblemCode.INVALID_REF, new SourceLocation(file.file(), bad.line(), bad.column()), pointer,
                            "malformed template " + shorten(bad.text()), "write tables as {{ ref('dataset.table') }}");
                }
                for (SqlTemplate.RawTable raw : template.rawTables()) {
                    String text = raw.text().replace("`", "");
                    addAt(ProblemCode.RAW_TABLE_REFERENCE, new SourceLocation(file.file(), raw.line(), raw.column()), pointer,
                            "table " + shorten(raw.text()) + " is named directly",
                            "write {{ ref('" + (SqlTemplate.isTableRef(text) ? text : "dataset.table")
                                    + "') }} so the tenant's dataset naming applies and the dependency is tracked");
                }
                for (SqlTemplate.Ref ref : template.refs()) {
                    SourceLocation location = new SourceLocation(file.file(), ref.line(), ref.column());
                    if (SqlTemplate.isTableRef(ref.target())) {
                        read(i, ref.target(), location, pointer, producers);
                    } else if (ref.target().split("\\.", -1).length == 3) {
                        tenantBoundary(ref.target(), location, pointer);
                    } else {
                        addAt(ProblemCode.INVALID_REF, location, pointer, "ref(" + shorten(ref.target()) + ") is not a table reference "
                                + "dataset.table", "write {{ ref('dataset.table') }} with letters, digits and '_'");
                    }
                }
                parameterUses(template, file.file(), pointer, null);
            }
        }

        /** Reports parameters used but not declared (once per name and place) and remembers every use. */
        private void parameterUses(SqlTemplate template, Path file, String pointer, SourceLocation fixedLocation) {
            Set<String> reported = new HashSet<>();
            for (SqlTemplate.Param param : template.parameters()) {
                usedParameters.add(param.name());
                if (isDeclared(param.name()) || !reported.add(param.name())) {
                    continue;
                }
                SourceLocation location = fixedLocation != null ? fixedLocation : new SourceLocation(file, param.line(), param.column());
                String hint = PARTITION_PARAMETERS.contains(param.name())
                        ? "@" + param.name() + " exists only in partition-aware pipelines: add 'partitions: {type: day}'"
                        : "declare it under parameters, such as '" + param.name() + ": {type: string}'";
                String suggestion = Suggestions.didYouMean(param.name(), declaredNames());
                addAt(ProblemCode.UNDECLARED_PARAMETER, location, pointer, "parameter @" + param.name() + " is used but not declared",
                        suggestion.isEmpty() ? hint : suggestion);
            }
        }

        private boolean isDeclared(String name) {
            return pipeline.parameters().containsKey(name) || pipeline.partitions() != null && PARTITION_PARAMETERS.contains(name);
        }

        private Set<String> declaredNames() {
            Set<String> names = new LinkedHashSet<>(pipeline.parameters().keySet());
            if (pipeline.partitions() != null) {
                names.addAll(PARTITION_PARAMETERS);
            }
            return names;
        }

        private void checks(Map<String, Producer> producers) {
            List<Step> steps = pipeline.steps();
            for (int i = 0; i < steps.size(); i++) {
                if (!(steps.get(i) instanceof QualityStep quality) || firstIndex.get(quality.id()) != i) {
                    continue;
                }
                String pointer = stepPointer(i);
                read(i, quality.table(), in.locator().locate(pointer + "/table"), pointer + "/table", producers);
                LocatedChecks located = in.checksByStep().get(quality.id());
                if (located == null) {
                    continue;
                }
                if (located.checks().isEmpty()) {
                    add(ProblemCode.INVALID_VALUE, pointer + "/checks", "quality step '" + quality.id() + "' has no checks", "add at least one check");
                }
                for (int j = 0; j < located.checks().size(); j++) {
                    check(i, located.checks().get(j), located, Pointers.child(located.listPointer(), j), producers);
                }
            }
        }

        private void check(int stepIndex, Check check, LocatedChecks located, String checkPointer, Map<String, Producer> producers) {
            String pointer = located.stepPointer();
            SourceLocation location = located.locator().locate(checkPointer);
            if (check instanceof Check.Relationships relationships) {
                read(stepIndex, relationships.to(), located.locator().locate(checkPointer + "/to"), pointer, producers);
            } else if (check instanceof Check.Unique unique && unique.columns().isEmpty()) {
                addAt(ProblemCode.INVALID_VALUE, location, pointer, "a unique check needs at least one column", "");
            } else if (check instanceof Check.AcceptedValues accepted && accepted.values().isEmpty()) {
                addAt(ProblemCode.INVALID_VALUE, location, pointer, "an accepted_values check needs at least one value", "");
            } else if (check instanceof Check.Range range && range.min() == null && range.max() == null) {
                addAt(ProblemCode.INVALID_VALUE, location, pointer, "a range check needs min, max or both", "");
            } else if (check instanceof Check.RowCount rows) {
                if (rows.min() == null && rows.max() == null) {
                    addAt(ProblemCode.INVALID_VALUE, location, pointer, "a row_count check needs min, max or both", "");
                } else if (rows.min() != null && rows.max() != null && rows.min() > rows.max()) {
                    addAt(ProblemCode.INVALID_VALUE, location, pointer, "row_count min (" + rows.min() + ") is above max (" + rows.max() + ")", "");
                }
            } else if (check instanceof Check.Expression expression) {
                SourceLocation sqlAt = located.locator().locate(checkPointer + "/sql");
                SqlTemplate template = SqlTemplate.parse(expression.sql());
                if (!template.refs().isEmpty() || !template.rawTables().isEmpty() || !template.badTemplates().isEmpty()) {
                    addAt(ProblemCode.INVALID_REF, sqlAt, pointer, "an expression check is a predicate over the table's own columns; "
                            + "it cannot name tables", "use a relationships check to compare with another table");
                }
                if (template.statementCount() > 1) {
                    addAt(ProblemCode.MULTIPLE_STATEMENTS, sqlAt, pointer, "an expression check is one boolean expression", "");
                }
                parameterUses(template, null, pointer, sqlAt);
            }
        }

        private void parameters() {
            for (Map.Entry<String, Parameter> entry : pipeline.parameters().entrySet()) {
                String name = entry.getKey();
                String pointer = Pointers.child("/parameters", name);
                if (!Ids.ID_PATTERN.matcher(name).matches()) {
                    add(ProblemCode.INVALID_ID, pointer, "parameter name '" + name + "' is not a valid name",
                            "use a lower-case letter, then lower-case letters, digits or '_'");
                }
                if (pipeline.partitions() != null && PARTITION_PARAMETERS.contains(name)) {
                    add(ProblemCode.RESERVED_PARAMETER, pointer, "@" + name + " is set by the engine in partition-aware pipelines",
                            "remove it from parameters; each partition binds it");
                }
                Parameter parameter = entry.getValue();
                if (parameter.defaultValue() != null) {
                    checkParameterValue(parameter.type(), parameter.defaultValue()).ifPresent(reason ->
                            add(ProblemCode.INVALID_PARAMETER_DEFAULT, pointer + "/default", "default of @" + name + " is not a valid "
                                    + name(parameter.type()) + ": " + reason, ""));
                }
                boolean drivesPartitions = RUN_DATE.equals(name) && pipeline.partitions() != null;
                if (!usedParameters.contains(name) && !drivesPartitions && allSqlKnown()) {
                    add(ProblemCode.UNUSED_PARAMETER, pointer, "parameter @" + name + " is declared but no SQL uses it",
                            "remove it, or use @" + name + " in a query");
                }
            }
        }

        /** Whether every query of the pipeline was read, so "no SQL uses it" can be said. */
        private boolean allSqlKnown() {
            if (in.stepsIncomplete()) {
                return false;
            }
            for (Step step : pipeline.steps()) {
                if (step instanceof TransformStep && !in.sqlByStep().containsKey(step.id())) {
                    return false;
                }
                if (step instanceof QualityStep && !in.checksByStep().containsKey(step.id())) {
                    return false;
                }
            }
            return true;
        }

        private static String shorten(String text) {
            return "'" + (text.length() > 60 ? text.substring(0, 57) + "..." : text).replace("\n", " ") + "'";
        }
    }

    /** The first word of a SQL text outside comments and parentheses, with its 1-based position. */
    record Keyword(String word, int line, int column) {
    }

    static Optional<Keyword> firstKeyword(String sql) {
        int i = 0;
        int line = 1;
        int lineStart = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
                i++;
            } else if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                int stop = end < 0 ? n : end + 2;
                for (int k = i; k < stop; k++) {
                    if (sql.charAt(k) == '\n') {
                        line++;
                        lineStart = k + 1;
                    }
                }
                i = stop;
            } else if (Character.isLetter(c)) {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                return Optional.of(new Keyword(sql.substring(i, end), line, i - lineStart + 1));
            } else {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
