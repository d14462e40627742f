package io.convergence.engine.validation;

import io.convergence.engine.model.Check;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import io.convergence.engine.sql.analysis.SqlColumn;
import java.nio.file.Path;
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
import org.jgrapht.traverse.TopologicalOrderIterator;
import org.jgrapht.graph.DefaultEdge;

/** The rules of one pipeline, run once per validation: ids, the DAG, tables, SQL, checks and parameters. */
final class PipelineRules {
    private static final int MAX_CLUSTER_COLUMNS = 4;

    private final Validator.PipelineInput in;
    private final Pipeline pipeline;
    private final List<Problem> out = new ArrayList<>();
    /** Index of the first step with each id. */
    private final Map<String, Integer> firstIndex = new LinkedHashMap<>();
    private final Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
    private final Set<String> usedParameters = new HashSet<>();

    private record Producer(int step, String pointer, boolean quarantine) {
    }

    private final BigQueryAnalyzer analyzer;

    PipelineRules(Validator.PipelineInput in, BigQueryAnalyzer analyzer) {
        this.in = in;
        this.pipeline = in.pipeline();
        this.analyzer = analyzer;
    }

    Validator.PipelineValidation run() {
        pipelineId();
        stepIds();
        dependencies();
        writeModes();
        Map<String, Producer> producers = tables();
        sql(producers);
        checks(producers);
        parameters();
        Map<String, List<SqlColumn>> columns = new LinkedHashMap<>();
        if (!new CycleDetector<>(graph).detectCycles()) {
            new SqlRules(in, out, analyzer).run(dagOrder()).forEach((step, schema) -> columns.put(step, schema.columns()));
        }
        return new Validator.PipelineValidation(out, columns);
    }

    /** Indexes of the steps (first of each id) in DAG order, ties broken by their order in the file. */
    private List<Integer> dagOrder() {
        List<Integer> order = new ArrayList<>();
        new TopologicalOrderIterator<>(graph, Comparator.comparingInt(firstIndex::get)).forEachRemaining(id -> order.add(firstIndex.get(id)));
        return order;
    }

    private void add(ProblemCode code, String pointer, String message, String hint) {
        out.add(Validator.at(in.locator(), code, pointer, message, hint));
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
            Validator.SqlFile file = in.sqlByStep().get(transform.id());
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
            String hint = Validator.PARTITION_PARAMETERS.contains(param.name())
                    ? "@" + param.name() + " exists only in partition-aware pipelines: add 'partitions: {type: day}'"
                    : "declare it under parameters, such as '" + param.name() + ": {type: string}'";
            String suggestion = Suggestions.didYouMean(param.name(), declaredNames());
            addAt(ProblemCode.UNDECLARED_PARAMETER, location, pointer, "parameter @" + param.name() + " is used but not declared",
                    suggestion.isEmpty() ? hint : suggestion);
        }
    }

    private boolean isDeclared(String name) {
        return pipeline.parameters().containsKey(name) || pipeline.partitions() != null && Validator.PARTITION_PARAMETERS.contains(name);
    }

    private Set<String> declaredNames() {
        Set<String> names = new LinkedHashSet<>(pipeline.parameters().keySet());
        if (pipeline.partitions() != null) {
            names.addAll(Validator.PARTITION_PARAMETERS);
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
            Validator.LocatedChecks located = in.checksByStep().get(quality.id());
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

    private void check(int stepIndex, Check check, Validator.LocatedChecks located, String checkPointer, Map<String, Producer> producers) {
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
            if (pipeline.partitions() != null && Validator.PARTITION_PARAMETERS.contains(name)) {
                add(ProblemCode.RESERVED_PARAMETER, pointer, "@" + name + " is set by the engine in partition-aware pipelines",
                        "remove it from parameters; each partition binds it");
            }
            Parameter parameter = entry.getValue();
            if (parameter.defaultValue() != null) {
                Validator.checkParameterValue(parameter.type(), parameter.defaultValue()).ifPresent(reason ->
                        add(ProblemCode.INVALID_PARAMETER_DEFAULT, pointer + "/default", "default of @" + name + " is not a valid "
                                + name(parameter.type()) + ": " + reason, ""));
            }
            boolean drivesPartitions = Validator.RUN_DATE.equals(name) && pipeline.partitions() != null;
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
