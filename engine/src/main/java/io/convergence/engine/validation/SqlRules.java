package io.convergence.engine.validation;

import io.convergence.engine.model.Check;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import io.convergence.engine.sql.analysis.SqlAnalysis;
import io.convergence.engine.sql.analysis.LocalSqlSupport;
import io.convergence.engine.sql.analysis.SqlColumn;
import io.convergence.engine.sql.analysis.SqlConstruct;
import io.convergence.engine.sql.analysis.SqlSchema;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SQL as BigQuery sees it: every transform's query and every expression check is analyzed by BigQuery's own
 * front end, steps in DAG order, so a query is checked against the columns its upstream steps really produce
 * (schema files for ingests, the analyzed output of transforms). Then what only the pipeline knows: partition and
 * cluster columns, and the columns quality checks name. A step whose SQL already has a reference problem, or that
 * reads a table whose columns are unknown (written outside this pipeline), is not analyzed, and neither is what
 * depends on its output: one mistake is reported once, not again downstream.
 */
final class SqlRules {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqlRules.class);
    /** Problems after which a file's SQL is not what would run, so analyzing it would only add noise. */
    private static final Set<ProblemCode> NOT_ANALYZED_AFTER = EnumSet.of(ProblemCode.INVALID_REF, ProblemCode.RAW_TABLE_REFERENCE,
            ProblemCode.REF_OTHER_TENANT, ProblemCode.SQL_NOT_SELECT, ProblemCode.MULTIPLE_STATEMENTS);
    private static final Set<String> TIME_PARTITION_TYPES = Set.of("DATE", "TIMESTAMP", "DATETIME");
    private static final Set<String> HOUR_PARTITION_TYPES = Set.of("TIMESTAMP", "DATETIME");
    private static final Set<String> CLUSTER_TYPES = Set.of("INT64", "STRING", "DATE", "TIMESTAMP", "DATETIME", "BOOL", "NUMERIC",
            "BIGNUMERIC", "GEOGRAPHY");
    private static final Set<String> NUMBERS = Set.of("INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64");

    private final Validator.PipelineInput in;
    private final Pipeline pipeline;
    private final List<Problem> out;
    private final BigQueryAnalyzer analyzer;
    /** Logical table name to its known columns. */
    private final Map<String, SqlSchema> tables = new HashMap<>();
    private final Map<String, SqlSchema> outputs = new LinkedHashMap<>();
    private final Set<String> written = new HashSet<>();
    private boolean offReported;
    private BigQueryAnalyzer.Session session;

    SqlRules(Validator.PipelineInput in, List<Problem> out, BigQueryAnalyzer analyzer) {
        this.in = in;
        this.pipeline = in.pipeline();
        this.out = out;
        this.analyzer = analyzer;
    }

    /**
     * Analyzes the steps given in DAG order (by their index in the pipeline); returns the columns each ingest and
     * transform step writes, when known.
     */
    Map<String, SqlSchema> run(List<Integer> order) {
        for (int index : order) {
            Step step = pipeline.steps().get(index);
            String pointer = Pointers.child("/steps", index);
            if (step instanceof IngestStep ingest) {
                ingest(ingest);
            } else if (step instanceof TransformStep transform) {
                transform(transform, pointer);
            } else if (step instanceof QualityStep quality) {
                quality(quality, pointer);
            }
        }
        return outputs;
    }

    private void ingest(IngestStep ingest) {
        List<SchemaField> fields = in.schemasByStep().get(ingest.id());
        if (fields != null && SqlTemplate.isTableRef(ingest.target())) {
            SqlSchema.fromSchemaFields(fields).ifPresent(schema -> {
                define(ingest.target(), schema);
                outputs.put(ingest.id(), schema);
            });
        }
        String quarantine = ingest.badRows() != null && ingest.badRows().quarantine() != null
                ? ingest.badRows().quarantine() : ingest.target() + "_rejected";
        if (SqlTemplate.isTableRef(quarantine) && !written.contains(quarantine)) {
            SqlSchema.fromSchemaFields(SchemaField.QUARANTINE).ifPresent(schema -> define(quarantine, schema));
        }
    }

    private void transform(TransformStep transform, String stepPointer) {
        Validator.SqlFile file = in.sqlByStep().get(transform.id());
        String pointer = stepPointer + "/sql";
        if (file == null || file.template().statementCount() != 1 || hasProblem(pointer)) {
            return;
        }
        Optional<Rewritten> text = analyzable(file.template());
        if (text.isEmpty() || !available(new SourceLocation(file.file(), 0, 0), pointer)) {
            return;
        }
        long start = System.nanoTime();
        SqlAnalysis analysis = session.analyzeQuery(text.get().text(), parameterTypes());
        LOG.debug("analyzed {} in {} ms", file.file().getFileName(), (System.nanoTime() - start) / 1_000_000);
        if (analysis instanceof SqlAnalysis.Resolved resolved) {
            localSupport(resolved, file.file(), file.template().sql(), pointer);
            outputs.put(transform.id(), resolved.output());
            if (SqlTemplate.isTableRef(transform.target())) {
                define(transform.target(), resolved.output());
            }
            partitionAndCluster(transform, stepPointer, resolved.output());
        } else if (analysis instanceof SqlAnalysis.Refused refused) {
            int[] position = text.get().original(refused.line(), refused.column());
            SourceLocation at = new SourceLocation(file.file(), position[0], position[1]);
            refusal(refused, at, pointer, "writing " + transform.target());
        } else if (analysis instanceof SqlAnalysis.Failed failed) {
            analyzerFailed(failed, new SourceLocation(file.file(), 0, 0), pointer);
        }
    }

    /**
     * The template's text with each ref written as the analyzer's {@code `dataset`.`table`}; empty when a ref's
     * columns are unknown. {@link Rewritten#original} maps positions back to the user's text.
     */
    private Optional<Rewritten> analyzable(SqlTemplate template) {
        StringBuilder text = new StringBuilder();
        List<int[]> spans = new ArrayList<>();
        int copied = 0;
        for (SqlTemplate.Ref ref : template.refs()) {
            if (!SqlTemplate.isTableRef(ref.target()) || !tables.containsKey(ref.target())) {
                return Optional.empty();
            }
            int dot = ref.target().indexOf('.');
            text.append(template.sql(), copied, ref.start());
            int start = text.length();
            text.append('`').append(ref.target(), 0, dot).append("`.`").append(ref.target().substring(dot + 1)).append('`');
            spans.add(new int[] {start, text.length(), ref.start(), ref.end()});
            copied = ref.end();
        }
        text.append(template.sql().substring(copied));
        return Optional.of(new Rewritten(text.toString(), template.sql(), spans));
    }

    /** A rewritten SQL text and the spans ({rewritten start, end, original start, end}) where it differs from the user's. */
    private record Rewritten(String text, String originalText, List<int[]> spans) {
        /** The user's line and column of a 1-based position in the rewritten text; inside a ref, the ref's start. */
        int[] original(int line, int column) {
            int offset = offset(text, line, column);
            int mapped = offset;
            for (int[] span : spans) {
                if (offset >= span[1]) {
                    mapped = offset - span[1] + span[3];
                } else if (offset >= span[0]) {
                    mapped = span[2];
                }
            }
            int originalLine = 1;
            int lineStart = 0;
            for (int i = 0; i < mapped && i < originalText.length(); i++) {
                if (originalText.charAt(i) == '\n') {
                    originalLine++;
                    lineStart = i + 1;
                }
            }
            return new int[] {originalLine, mapped - lineStart + 1};
        }

        private static int offset(String text, int line, int column) {
            int at = 0;
            for (int l = 1; l < line; l++) {
                int next = text.indexOf('\n', at);
                if (next < 0) {
                    return text.length();
                }
                at = next + 1;
            }
            return Math.min(at + Math.max(column, 1) - 1, text.length());
        }
    }

    private boolean hasProblem(String pointer) {
        return out.stream().anyMatch(p -> p.pointer().equals(pointer) && NOT_ANALYZED_AFTER.contains(p.code()));
    }

    private Map<String, ParameterType> parameterTypes() {
        Map<String, ParameterType> types = new HashMap<>();
        for (Map.Entry<String, Parameter> parameter : pipeline.parameters().entrySet()) {
            types.put(parameter.getKey(), parameter.getValue().type());
        }
        if (pipeline.partitions() != null) {
            ParameterType bound = pipeline.partitions().type() == PartitionGrain.HOUR ? ParameterType.TIMESTAMP : ParameterType.DATE;
            Validator.PARTITION_PARAMETERS.forEach(name -> types.put(name, bound));
        }
        return types;
    }

    /**
     * Whether the analyzer runs, with a session holding every table known so far; says once per pipeline why not.
     * The session starts with the first SQL to analyze, so a pipeline without SQL never starts the analyzer.
     */
    private boolean available(SourceLocation location, String pointer) {
        if (session != null) {
            return true;
        }
        Optional<BigQueryAnalyzer.Session> started = offReported ? Optional.empty() : analyzer.session();
        if (started.isEmpty()) {
            if (!offReported) {
                offReported = true;
                out.add(Problem.of(ProblemCode.SQL_ANALYSIS_OFF, location, pointer, "SQL analysis is off: "
                        + analyzer.unavailableReason().orElse("the analyzer did not start") + "; SQL was checked for refs and parameters only",
                        "BigQuery will report what it refuses when the pipeline runs"));
            }
            return false;
        }
        session = started.get();
        tables.forEach(session::define);
        return true;
    }

    /**
     * Records a table's columns, for the SQL analyzed after it. A table two steps write (reported elsewhere) has no
     * known columns: nothing that reads it is analyzed, rather than checked against either writer.
     */
    private void define(String table, SqlSchema schema) {
        if (!written.add(table)) {
            tables.remove(table);
            return;
        }
        tables.put(table, schema);
        if (session != null) {
            session.define(table, schema);
        }
    }

    private void refusal(SqlAnalysis.Refused refused, SourceLocation at, String pointer, String writing) {
        String message = refused.message();
        String hint = signatures(refused.details());
        ProblemCode code = switch (refused.kind()) {
            case SYNTAX -> ProblemCode.SQL_SYNTAX;
            case UNKNOWN_NAME -> ProblemCode.SQL_UNKNOWN_NAME;
            case TYPE -> ProblemCode.SQL_TYPE;
            case OTHER -> ProblemCode.SQL_REFUSED;
        };
        if (message.startsWith("CREATE TABLE columns must be named")) {
            code = ProblemCode.SQL_OUTPUT_COLUMN;
            message = message.replace("CREATE TABLE columns must be named, but", "BigQuery refuses " + writing + ":");
            hint = "name every result column with AS, such as 'count(*) AS orders'";
        } else if (message.startsWith("CREATE TABLE has columns with duplicate name")) {
            code = ProblemCode.SQL_OUTPUT_COLUMN;
            message = "BigQuery refuses " + writing + ": the result has two columns named "
                    + message.substring("CREATE TABLE has columns with duplicate name".length()).strip() + " (names ignore case)";
            hint = "give each result column its own name with AS";
        } else if (hint.isEmpty()) {
            hint = "BigQuery would refuse this query; fix it here before it runs";
        }
        out.add(Problem.of(code, at, pointer, message, hint));
    }

    private static final String LOCAL_HINT = "the local target refuses what it cannot run exactly as BigQuery does "
            + "(docs/sql-compatibility.md); run this pipeline with --target on BigQuery, or write it with supported functions";

    /**
     * CV421 when the local target cannot run every construct of a query exactly as BigQuery: a warning here, as the
     * pipeline is valid for BigQuery; a run on the local target refuses to start. Located at the first construct's
     * name in the file when it is written there.
     */
    private void localSupport(SqlAnalysis.Resolved resolved, java.nio.file.Path file, String sql, String pointer) {
        List<SqlConstruct> refused = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (SqlConstruct construct : resolved.constructs()) {
            List<String> refusal = LocalSqlSupport.measured().refusals(List.of(construct));
            if (!refusal.isEmpty()) {
                refused.add(construct);
                reasons.addAll(refusal);
            }
        }
        if (refused.isEmpty()) {
            return;
        }
        int[] at = firstMention(sql, refused);
        out.add(Problem.of(ProblemCode.LOCAL_UNSUPPORTED, new SourceLocation(file, at[0], at[1]), pointer,
                "not supported on the local target: " + String.join(", ", reasons) + "; this query runs on BigQuery only", LOCAL_HINT));
    }

    /** The 1-based line and column of the first refused function's name written in {@code sql}, else 1:1. */
    private static int[] firstMention(String sql, List<SqlConstruct> constructs) {
        int best = -1;
        for (SqlConstruct construct : constructs) {
            String word = construct.display().replace("SAFE.", "");
            if (!word.matches("[A-Z_][A-Z0-9_]*")) {
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)(?<![A-Za-z0-9_])" + word + "\\s*\\(").matcher(sql);
            if (m.find() && (best < 0 || m.start() < best)) {
                best = m.start();
            }
        }
        if (best < 0) {
            return new int[] {1, 1};
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < best; i++) {
            if (sql.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, best - lineStart + 1};
    }

    /** "BigQuery's signatures: SUM(INT64); SUM(FLOAT64)" from the analyzer's further lines, else empty. */
    private static String signatures(List<String> details) {
        List<String> signatures = details.stream().map(String::strip).filter(l -> l.startsWith("Signature: "))
                .map(l -> l.substring("Signature: ".length())).toList();
        if (signatures.isEmpty()) {
            return "";
        }
        boolean sameType = details.stream().anyMatch(l -> l.contains("Unable to find common supertype"));
        return (sameType ? "both sides need one type (CAST one of them); " : "") + "BigQuery's signatures: " + String.join("; ", signatures);
    }

    private void analyzerFailed(SqlAnalysis.Failed failed, SourceLocation at, String pointer) {
        out.add(Problem.of(ProblemCode.SQL_ANALYZER_FAILED, at, pointer, "the SQL analyzer failed on this file: " + failed.reason(),
                "a bug in Convergence, please report it; CONVERGENCE_SQL_ANALYSIS=off skips SQL analysis meanwhile"));
    }

    private void partitionAndCluster(TransformStep transform, String pointer, SqlSchema output) {
        if (transform.partitionBy() != null) {
            String field = transform.partitionBy().field();
            boolean hourly = transform.partitionBy().type() == PartitionGrain.HOUR;
            column(output, field, in.locator(), pointer + "/partition_by/field", pointer, "the result of step '" + transform.id() + "'")
                    .ifPresent(column -> {
                        if (!(hourly ? HOUR_PARTITION_TYPES : TIME_PARTITION_TYPES).contains(column.type())) {
                            add(ProblemCode.COLUMN_TYPE, in.locator(), pointer + "/partition_by/field", pointer, "partition column " + column.name()
                                            + " is " + column.type() + "; " + (hourly ? "hourly" : "time") + " partitioning needs "
                                            + (hourly ? "TIMESTAMP or DATETIME" : "DATE, TIMESTAMP or DATETIME"),
                                    "cast it in the query, such as 'DATE(" + column.name() + ") AS " + column.name() + "'");
                        }
                    });
        }
        for (int i = 0; i < transform.clusterBy().size(); i++) {
            String at = pointer + "/cluster_by/" + i;
            column(output, transform.clusterBy().get(i), in.locator(), at, pointer, "the result of step '" + transform.id() + "'")
                    .ifPresent(column -> {
                        if (!CLUSTER_TYPES.contains(column.type())) {
                            add(ProblemCode.COLUMN_TYPE, in.locator(), at, pointer, "cluster column " + column.name() + " is " + column.type()
                                    + "; BigQuery clusters by top-level INT64, STRING, DATE, TIMESTAMP, DATETIME, BOOL, NUMERIC, BIGNUMERIC"
                                    + " or GEOGRAPHY columns", "cluster by another column, or cast this one in the query");
                        }
                    });
        }
    }

    private void quality(QualityStep quality, String stepPointer) {
        SqlSchema schema = tables.get(quality.table());
        Validator.LocatedChecks located = in.checksByStep().get(quality.id());
        if (schema == null || located == null) {
            return;
        }
        String what = quality.table();
        for (int j = 0; j < located.checks().size(); j++) {
            Check check = located.checks().get(j);
            String at = Pointers.child(located.listPointer(), j);
            Locator locator = located.locator();
            if (check instanceof Check.NotNull notNull) {
                column(schema, notNull.column(), locator, at + "/column", stepPointer, what);
            } else if (check instanceof Check.Unique unique) {
                for (int k = 0; k < unique.columns().size(); k++) {
                    column(schema, unique.columns().get(k), locator, at + "/columns/" + k, stepPointer, what);
                }
            } else if (check instanceof Check.AcceptedValues accepted) {
                column(schema, accepted.column(), locator, at + "/column", stepPointer, what);
            } else if (check instanceof Check.Range range) {
                column(schema, range.column(), locator, at + "/column", stepPointer, what).ifPresent(column -> {
                    if (!NUMBERS.contains(column.type()) && !TIME_PARTITION_TYPES.contains(column.type())) {
                        add(ProblemCode.COLUMN_TYPE, locator, at + "/column", stepPointer, "range check on " + column.name() + ", a "
                                + column.type() + " column; range compares numbers, dates and timestamps", "use accepted_values or an expression check");
                    }
                });
            } else if (check instanceof Check.Freshness freshness) {
                column(schema, freshness.column(), locator, at + "/column", stepPointer, what).ifPresent(column -> {
                    if (!TIME_PARTITION_TYPES.contains(column.type())) {
                        add(ProblemCode.COLUMN_TYPE, locator, at + "/column", stepPointer, "freshness check on " + column.name() + ", a "
                                + column.type() + " column; freshness needs a DATE, TIMESTAMP or DATETIME column", "");
                    }
                });
            } else if (check instanceof Check.Relationships relationships) {
                relationships(schema, relationships, locator, at, stepPointer, what);
            } else if (check instanceof Check.Expression expression) {
                expression(schema, expression, quality, locator.locate(at + "/sql"), stepPointer);
            }
        }
    }

    private void relationships(SqlSchema schema, Check.Relationships check, Locator locator, String at, String stepPointer, String what) {
        Optional<SqlColumn> child = column(schema, check.column(), locator, at + "/column", stepPointer, what);
        SqlSchema parentSchema = tables.get(check.to());
        if (parentSchema == null) {
            return;
        }
        Optional<SqlColumn> parent = column(parentSchema, check.field(), locator, at + "/field", stepPointer, check.to());
        if (child.isPresent() && parent.isPresent() && !comparable(child.get().type(), parent.get().type())) {
            add(ProblemCode.COLUMN_TYPE, locator, at + "/field", stepPointer, "relationships check compares " + child.get().name() + " ("
                    + child.get().type() + ") with " + check.to() + "." + parent.get().name() + " (" + parent.get().type()
                    + "); BigQuery cannot compare these types", "compare columns of one type");
        }
    }

    private static boolean comparable(String a, String b) {
        return a.equals(b) || NUMBERS.contains(a) && NUMBERS.contains(b);
    }

    private void expression(SqlSchema schema, Check.Expression check, QualityStep quality, SourceLocation at, String stepPointer) {
        if (!SqlTemplate.isTableRef(quality.table()) || !available(at, stepPointer)) {
            return;
        }
        SqlTemplate template = SqlTemplate.parse(check.sql());
        if (!template.refs().isEmpty() || !template.rawTables().isEmpty() || !template.badTemplates().isEmpty()
                || template.statementCount() > 1) {
            return; // reported by the check rules; the predicate is not what would run
        }
        SqlAnalysis analysis = session.analyzePredicate(check.sql(), quality.table());
        if (analysis instanceof SqlAnalysis.Resolved resolved) {
            List<String> refusals = LocalSqlSupport.measured().refusals(resolved.constructs());
            if (!refusals.isEmpty()) {
                out.add(Problem.of(ProblemCode.LOCAL_UNSUPPORTED, at, stepPointer, "not supported on the local target: "
                        + String.join(", ", refusals) + "; this check runs on BigQuery only", LOCAL_HINT));
            }
        } else if (analysis instanceof SqlAnalysis.Refused refused) {
            refusal(refused, at, stepPointer, "checking " + quality.table());
        } else if (analysis instanceof SqlAnalysis.Failed failed) {
            analyzerFailed(failed, at, stepPointer);
        }
    }

    /** The column {@code name} of {@code schema}, or a located problem naming the columns there are. */
    private Optional<SqlColumn> column(SqlSchema schema, String name, Locator locator, String at, String stepPointer, String where) {
        Optional<SqlColumn> column = schema.column(name);
        if (column.isEmpty()) {
            String suggestion = Suggestions.didYouMean(name, schema.names());
            add(ProblemCode.COLUMN_NOT_FOUND, locator, at, stepPointer, "column " + name + " is not in " + where,
                    suggestion.isEmpty() ? "its columns: " + String.join(", ", schema.names()) : suggestion);
        }
        return column;
    }

    private void add(ProblemCode code, Locator locator, String at, String pointer, String message, String hint) {
        out.add(Problem.of(code, locator.locate(at), pointer, message, hint));
    }
}
