package io.convergence.engine.steps;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.error.ErrorType;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.exec.StepRunner;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.CheckSeverity;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.sql.SqlLexer;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.validation.SourceLocation;
import io.convergence.engine.warehouse.BigQueryTypes;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.SqlDialect;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.TableNames;
import io.convergence.engine.warehouse.Warehouse;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Evaluates data-quality checks on a table (one partition of it when the run is partitioned and the
 * producing step names a partition column). Each check is one query with every value bound; each
 * result is published as a {@link RunEvent.CheckEvaluated} with the failing row count and up to five
 * example rows. A failed ERROR check fails the step when {@code on_failure} is {@code fail}; WARN checks
 * and {@code on_failure: warn} only log a warning.
 */
public final class QualityRunner implements StepRunner {
    private static final int EXAMPLES = 5;
    private static final int EXAMPLE_LENGTH = 200;
    /** Words that would turn a predicate into a query or a statement. */
    private static final Set<String> FORBIDDEN_WORDS = Set.of("SELECT", "FROM", "WITH", "JOIN", "UNION", "INSERT", "UPDATE",
            "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "CALL", "EXECUTE", "DECLARE", "BEGIN", "COPY", "ATTACH",
            "DETACH", "PRAGMA", "INSTALL", "LOAD", "EXPORT", "IMPORT", "SET");

    private final Warehouse warehouse;
    private final ChecksReader checksReader;

    public QualityRunner(Warehouse warehouse, ChecksReader checksReader) {
        this.warehouse = requireNonNull(warehouse, "warehouse is null");
        this.checksReader = requireNonNull(checksReader, "checksReader is null");
    }

    /** One check's outcome. */
    record Outcome(boolean passed, long failingRows, List<String> examples, String detail) {
    }

    /** The rows a check reads: SQL of a relation (table, partition or sample) and its bound values. */
    private record Relation(BoundSql sql, String description) {
    }

    @Override
    public StepResult run(StepContext context) {
        QualityStep step = (QualityStep) context.step();
        TableNames names = warehouse.tableNames(context.tenant().config());
        TableId table = names.resolve(step.table());
        List<Check> checks = checks(context, step);
        List<SchemaField> schema = warehouse.tableSchema(table).orElseThrow(() -> new ConvergenceException(ErrorCode.STEP_FAILED,
                "step " + step.id() + ": table " + step.table() + " does not exist (" + table + ")"));
        SqlDialect dialect = warehouse.dialect();

        Relation whole = new Relation(BoundSql.of(dialect.quoteTable(table)), step.table());
        Relation scoped = whole;
        Optional<String> partitionColumn = partitionColumn(context, step);
        if (context.partition().isPresent() && partitionColumn.isPresent()) {
            PartitionWindow window = context.partition().get();
            SchemaField column = field(schema, partitionColumn.get(), step);
            PartitionRange range = PartitionRange.of(column.name(), column.type(), window);
            String c = dialect.quoteIdentifier(column.name());
            scoped = new Relation(BoundSql.builder().append("(SELECT * FROM " + dialect.quoteTable(table) + " WHERE " + c + " >= ")
                    .bind(range.start()).append(" AND " + c + " < ").bind(range.end()).append(")").build(),
                    step.table() + " partition " + window.key());
        }
        Relation sampled = scoped;
        if (!step.sample().isFull()) {
            long rows = step.sample().rows().getAsLong();
            sampled = new Relation(new BoundSql(dialect.sample(scoped.sql().sql(), rows), scoped.sql().parameters()),
                    scoped.description() + " (sample of " + rows + " rows)");
        }

        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<ConvergenceException> unevaluated = new ArrayList<>();
        for (int index = 0; index < checks.size(); index++) {
            Check check = checks.get(index);
            context.cancellation().throwIfCancelled();
            CheckSeverity severity = check.severity() == null ? CheckSeverity.ERROR : check.severity();
            // what a failure of this check does here: with on_failure: warn an error-severity failure only warns
            CheckSeverity effective = step.onFailure() == OnFailure.WARN ? CheckSeverity.WARN : severity;
            String name = name(check);
            Outcome outcome;
            try {
                outcome = evaluate(context, check, schema, names, whole, scoped, sampled);
            } catch (ConvergenceException e) {
                if (e.code() == ErrorCode.RUN_CANCELLED || e.type() != ErrorType.USER) {
                    // a transient or unavailable warehouse is not a verdict on the data: the step fails (and may be retried)
                    throw e;
                }
                String reason = SqlErrorLocator.withoutExcerpt(e.getMessage());
                outcome = new Outcome(false, 0, List.of(), "could not evaluate: " + reason);
                unevaluated.add(new ConvergenceException(e.code(), where(context, step, index) + "check " + name + " could not be evaluated: "
                        + reason, e));
            }
            context.events().onEvent(new RunEvent.CheckEvaluated(context.runId(), context.clock().instant(), step.id(),
                    StepSupport.partitionKey(context), name, check.typeName(), effective.name(), outcome.passed(), outcome.failingRows(),
                    outcome.examples(), outcome.detail()));
            if (!outcome.passed()) {
                String line = name + ": " + outcome.detail();
                if (severity == CheckSeverity.ERROR) {
                    errors.add(line);
                } else {
                    warnings.add(line);
                }
            }
        }

        if (!unevaluated.isEmpty()) {
            // severity and on_failure weigh failing rows; a check that cannot run is a mistake in the pipeline, and
            // passing over it (with on_failure: warn) would hide that nothing is being checked
            ConvergenceException first = unevaluated.get(0);
            String more = unevaluated.size() == 1 ? "" : " (and " + StepSupport.plural(unevaluated.size() - 1, "more check") + ": "
                    + unevaluated.stream().skip(1).map(Throwable::getMessage).collect(Collectors.joining("; ")) + ")";
            throw new ConvergenceException(first.code(), first.getMessage() + more
                    + ". A check that cannot run fails its step whatever its severity and on_failure", first);
        }
        String where = scoped.description();
        if (!errors.isEmpty() && step.onFailure() == OnFailure.FAIL) {
            throw new ConvergenceException(ErrorCode.QUALITY_CHECK_FAILED, StepSupport.plural(errors.size(), "check") + " of " + checks.size()
                    + " failed on " + where + ": " + String.join("; ", errors)
                    + (warnings.isEmpty() ? "" : " (warnings: " + String.join("; ", warnings) + ")"));
        }
        if (!errors.isEmpty() || !warnings.isEmpty()) {
            List<String> all = new ArrayList<>(errors);
            all.addAll(warnings);
            StepSupport.log(context, "WARN", StepSupport.plural(all.size(), "check") + " failed on " + where
                    + (errors.isEmpty() ? "" : " (on_failure: warn)") + ": " + String.join("; ", all));
        } else {
            StepSupport.log(context, "INFO", "all " + StepSupport.plural(checks.size(), "check") + " passed on " + where);
        }
        long examined = warehouse.count(select("*", sampled, null), context.cancellation());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("checks", Integer.toString(checks.size()));
        details.put("failed", Integer.toString(errors.size()));
        details.put("warnings", Integer.toString(warnings.size()));
        return new StepResult(examined, 0, details);
    }

    /**
     * Where check {@code index} of the step is written, as {@code pipeline.yml:LINE:COL: } for inline checks
     * (the node of its SQL for an expression) or {@code checks/FILE: } for a checks file.
     */
    private static String where(StepContext context, QualityStep step, int index) {
        if (step.checks() instanceof ChecksSpec.File file) {
            return file.path() + ": ";
        }
        int stepIndex = context.pipeline().pipeline().steps().indexOf(step);
        if (stepIndex < 0) {
            return "";
        }
        SourceLocation at = context.pipeline().sourceMap().locate("/steps/" + stepIndex + "/checks/" + index + "/sql");
        String file = context.pipeline().file().getFileName().toString();
        return at.line() > 0 ? file + ":" + at.line() + ":" + at.column() + ": " : file + ": ";
    }

    private List<Check> checks(StepContext context, QualityStep step) {
        ChecksSpec spec = step.checks();
        if (spec instanceof ChecksSpec.Inline) {
            return ((ChecksSpec.Inline) spec).checks();
        }
        return checksReader.read(StepSupport.resolve(context, ((ChecksSpec.File) spec).path()));
    }

    /** The partition column of the table, from the step that produces it. */
    static Optional<String> partitionColumn(StepContext context, QualityStep step) {
        for (Step s : context.pipeline().pipeline().steps()) {
            if (s instanceof TransformStep) {
                TransformStep t = (TransformStep) s;
                if (t.target().equalsIgnoreCase(step.table()) && t.partitionBy() != null) {
                    return Optional.of(t.partitionBy().field());
                }
            }
        }
        return Optional.empty();
    }

    static String name(Check check) {
        if (check.name() != null && !check.name().isBlank()) {
            return check.name();
        }
        if (check instanceof Check.NotNull) {
            return "not_null(" + ((Check.NotNull) check).column() + ")";
        }
        if (check instanceof Check.Unique) {
            return "unique(" + String.join(", ", ((Check.Unique) check).columns()) + ")";
        }
        if (check instanceof Check.AcceptedValues) {
            return "accepted_values(" + ((Check.AcceptedValues) check).column() + ")";
        }
        if (check instanceof Check.Range) {
            return "range(" + ((Check.Range) check).column() + ")";
        }
        if (check instanceof Check.Freshness) {
            return "freshness(" + ((Check.Freshness) check).column() + ")";
        }
        if (check instanceof Check.Relationships) {
            Check.Relationships r = (Check.Relationships) check;
            return "relationships(" + r.column() + " -> " + r.to() + "." + r.field() + ")";
        }
        if (check instanceof Check.Expression) {
            String sql = ((Check.Expression) check).sql().strip().replaceAll("\\s+", " ");
            return "expression(" + (sql.length() > 60 ? sql.substring(0, 57) + "..." : sql) + ")";
        }
        return check.typeName();
    }

    private Outcome evaluate(StepContext context, Check check, List<SchemaField> schema, TableNames names,
                             Relation whole, Relation scoped, Relation sampled) {
        SqlDialect d = warehouse.dialect();
        if (check instanceof Check.NotNull) {
            String c = d.quoteIdentifier(field(schema, ((Check.NotNull) check).column(), null).name());
            return failing(context, sampled, BoundSql.of(c + " IS NULL"), "NULL in " + ((Check.NotNull) check).column());
        }
        if (check instanceof Check.Unique) {
            return unique(context, (Check.Unique) check, schema, sampled);
        }
        if (check instanceof Check.AcceptedValues) {
            Check.AcceptedValues a = (Check.AcceptedValues) check;
            SchemaField f = field(schema, a.column(), null);
            if (a.values().isEmpty()) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "accepted_values on " + a.column() + " lists no values");
            }
            BoundSql.Builder predicate = BoundSql.builder().append(d.quoteIdentifier(f.name()) + " IS NOT NULL AND "
                    + d.quoteIdentifier(f.name()) + " NOT IN (");
            for (int i = 0; i < a.values().size(); i++) {
                predicate.append(i == 0 ? "" : ", ").bind(typed(a.values().get(i), f));
            }
            return failing(context, sampled, predicate.append(")").build(), "values of " + a.column() + " outside " + a.values());
        }
        if (check instanceof Check.Range) {
            Check.Range r = (Check.Range) check;
            SchemaField f = field(schema, r.column(), null);
            String c = d.quoteIdentifier(f.name());
            if (r.min() == null && r.max() == null) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "range on " + r.column() + " needs min, max or both");
            }
            BoundSql.Builder predicate = BoundSql.builder();
            if (r.min() != null) {
                predicate.append(c + " < ").bind(typed(r.min(), f));
            }
            if (r.max() != null) {
                predicate.append(r.min() != null ? " OR " : "").append(c + " > ").bind(typed(r.max(), f));
            }
            String bounds = r.min() == null ? "above " + r.max() : r.max() == null ? "below " + r.min()
                    : "outside [" + r.min() + ", " + r.max() + "]";
            return failing(context, sampled, predicate.build(), r.column() + " " + bounds);
        }
        if (check instanceof Check.RowCount) {
            return rowCount(context, (Check.RowCount) check, scoped);
        }
        if (check instanceof Check.Freshness) {
            return freshness(context, (Check.Freshness) check, schema, whole);
        }
        if (check instanceof Check.Relationships) {
            Check.Relationships r = (Check.Relationships) check;
            TableId parent = names.resolve(r.to());
            String c = d.quoteIdentifier(field(schema, r.column(), null).name());
            BoundSql predicate = BoundSql.of(c + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + d.quoteTable(parent) + " AS _cvg_parent WHERE _cvg_parent."
                    + d.quoteIdentifier(r.field()) + " = _cvg_rows." + c + ")");
            return failing(context, sampled, predicate, r.column() + " values missing from " + r.to() + "." + r.field());
        }
        if (check instanceof Check.Expression) {
            String predicate = safePredicate(((Check.Expression) check).sql());
            return failing(context, sampled, BoundSql.of("NOT COALESCE((" + d.translate(predicate) + "), FALSE)"),
                    "rows where the expression is false or NULL");
        }
        throw new IllegalStateException("unknown check " + check.typeName());
    }

    /** Counts rows matching {@code predicate} and keeps a few as examples. */
    private Outcome failing(StepContext context, Relation relation, BoundSql predicate, String what) {
        long count = warehouse.count(select("*", relation, predicate), context.cancellation());
        if (count == 0) {
            return new Outcome(true, 0, List.of(), "no " + what);
        }
        QueryResult examples = warehouse.query(select("*", relation, predicate), EXAMPLES, context.cancellation());
        return new Outcome(false, count, render(examples), StepSupport.plural(count, "row") + " with " + what);
    }

    private Outcome unique(StepContext context, Check.Unique check, List<SchemaField> schema, Relation relation) {
        SqlDialect d = warehouse.dialect();
        if (check.columns().isEmpty()) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "unique needs at least one column");
        }
        List<String> cols = check.columns().stream().map(c -> d.quoteIdentifier(field(schema, c, null).name())).toList();
        String list = String.join(", ", cols);
        // rows with a NULL key are not duplicates of each other, as in a SQL UNIQUE constraint
        String notNull = cols.stream().map(c -> c + " IS NOT NULL").collect(Collectors.joining(" AND "));
        BoundSql groups = new BoundSql("SELECT " + list + ", count(*) AS _cvg_n FROM " + relation.sql().sql() + " AS _cvg_rows WHERE " + notNull
                + " GROUP BY " + list + " HAVING count(*) > 1", relation.sql().parameters());
        QueryResult total = warehouse.query(new BoundSql("SELECT count(*), coalesce(sum(_cvg_n), 0) FROM (" + groups.sql() + ") AS _cvg_dups",
                groups.parameters()), 1, context.cancellation());
        long duplicateKeys = ((Number) total.rows().get(0).get(0)).longValue();
        long rows = ((Number) total.rows().get(0).get(1)).longValue();
        if (duplicateKeys == 0) {
            return new Outcome(true, 0, List.of(), "no duplicate " + String.join(", ", check.columns()));
        }
        QueryResult examples = warehouse.query(groups, EXAMPLES, context.cancellation());
        return new Outcome(false, rows, render(examples), StepSupport.plural(rows, "row") + " share "
                + StepSupport.plural(duplicateKeys, "duplicate key") + " of " + String.join(", ", check.columns()));
    }

    private Outcome rowCount(StepContext context, Check.RowCount check, Relation relation) {
        // a sample would make the count meaningless, so this check reads the whole table or partition
        long n = warehouse.count(select("*", relation, null), context.cancellation());
        boolean ok = (check.min() == null || n >= check.min()) && (check.max() == null || n <= check.max());
        String expected = check.min() != null && check.max() != null ? "between " + check.min() + " and " + check.max()
                : check.min() != null ? "at least " + check.min() : check.max() != null ? "at most " + check.max() : "any number";
        return new Outcome(ok, 0, List.of(), StepSupport.plural(n, "row") + ", expected " + expected);
    }

    private Outcome freshness(StepContext context, Check.Freshness check, List<SchemaField> schema, Relation whole) {
        SchemaField f = field(schema, check.column(), null);
        String type = BigQueryTypes.normalize(f.type());
        if (!type.equals("DATE") && !type.equals("DATETIME") && !type.equals("TIMESTAMP")) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "freshness needs a DATE, DATETIME or TIMESTAMP column; "
                    + check.column() + " is " + f.type());
        }
        // freshness is about the newest data anywhere in the table, so no partition filter or sample
        Object newest = warehouse.query(BoundSql.of("SELECT max(" + warehouse.dialect().quoteIdentifier(f.name()) + ") FROM "
                + whole.sql().sql() + " AS _cvg_rows"), 1, context.cancellation()).scalar();
        Instant now = context.clock().instant();
        if (newest == null) {
            return new Outcome(false, 0, List.of(), "no value in " + check.column() + "; the table is empty");
        }
        Instant newestInstant;
        if (newest instanceof LocalDate) {
            // a date counts as fresh until its day is over
            newestInstant = ((LocalDate) newest).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        } else if (newest instanceof LocalDateTime) {
            newestInstant = ((LocalDateTime) newest).toInstant(ZoneOffset.UTC);
        } else if (newest instanceof Instant) {
            newestInstant = (Instant) newest;
        } else {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "unexpected value type " + newest.getClass().getSimpleName());
        }
        Duration age = Duration.between(newestInstant, now);
        boolean ok = age.compareTo(check.maxAge()) <= 0;
        return new Outcome(ok, 0, List.of(), "newest " + check.column() + " is " + newest + ", " + describe(age.isNegative() ? Duration.ZERO : age)
                + " old; max_age " + io.convergence.engine.model.Durations.format(check.maxAge()));
    }

    private static String describe(Duration age) {
        long minutes = age.toMinutes();
        if (minutes < 120) {
            return minutes + "m";
        }
        long hours = age.toHours();
        return hours < 48 ? hours + "h" : age.toDays() + "d";
    }

    /** {@code SELECT what FROM relation AS _cvg_rows [WHERE predicate]} with the relation's values first. */
    private static BoundSql select(String what, Relation relation, BoundSql predicate) {
        BoundSql.Builder b = BoundSql.builder().append("SELECT " + what + " FROM ").append(relation.sql()).append(" AS _cvg_rows");
        if (predicate != null) {
            b.append(" WHERE ").append(predicate);
        }
        return b.build();
    }

    /**
     * An expression check's predicate is user SQL spliced into a query, so it must stay a predicate: no
     * refs, tables, subqueries, parameters or statement separators.
     */
    static String safePredicate(String sql) {
        SqlTemplate template = SqlTemplate.parse(sql);
        if (!template.refs().isEmpty() || !template.rawTables().isEmpty() || !template.badTemplates().isEmpty()
                || !template.parameters().isEmpty() || template.statementCount() > 1) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID,
                    "an expression check must be a predicate over the table's columns, without refs, tables or parameters: " + sql);
        }
        for (SqlLexer.Token t : SqlLexer.tokenize(sql)) {
            if (t.isSymbol(";") || t.kind() == SqlLexer.Kind.TEMPLATE || t.kind() == SqlLexer.Kind.PARAM
                    || t.kind() == SqlLexer.Kind.WORD && FORBIDDEN_WORDS.contains(t.text().toUpperCase(Locale.ROOT))) {
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "an expression check must be a single predicate; '" + t.text()
                        + "' is not allowed in: " + sql);
            }
            if (t.kind() == SqlLexer.Kind.LINE_COMMENT || t.kind() == SqlLexer.Kind.HASH_COMMENT) {
                // a line comment would swallow the closing parenthesis the runner adds
                throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "an expression check cannot contain a line comment: " + sql);
            }
        }
        if (sql.isBlank()) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "an expression check needs a predicate");
        }
        return sql;
    }

    private static SchemaField field(List<SchemaField> schema, String column, QualityStep step) {
        return schema.stream().filter(f -> f.name().equalsIgnoreCase(column)).findFirst()
                .orElseThrow(() -> new ConvergenceException(ErrorCode.CONFIG_INVALID, "column '" + column + "' does not exist; columns are "
                        + schema.stream().map(SchemaField::name).collect(Collectors.joining(", "))
                        + (step == null ? "" : " (partition column of step " + step.id() + ")")));
    }

    /** A check value from YAML, typed like the column so the comparison happens in the column's type. */
    static ParameterValue typed(String text, SchemaField column) {
        String type = BigQueryTypes.normalize(column.type());
        try {
            switch (type) {
                case "INT64":
                    return new ParameterValue(ParameterType.INT64, Long.parseLong(text.trim()));
                case "FLOAT64":
                    return new ParameterValue(ParameterType.FLOAT64, Double.parseDouble(text.trim()));
                case "NUMERIC":
                case "BIGNUMERIC":
                    return new ParameterValue(ParameterType.FLOAT64, new BigDecimal(text.trim()));
                case "BOOL":
                    if (!text.trim().equalsIgnoreCase("true") && !text.trim().equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException("not true or false");
                    }
                    return new ParameterValue(ParameterType.BOOL, Boolean.parseBoolean(text.trim()));
                case "DATE":
                    return new ParameterValue(ParameterType.DATE, LocalDate.parse(text.trim()));
                case "DATETIME":
                case "TIMESTAMP":
                    return new ParameterValue(ParameterType.TIMESTAMP, instant(text.trim()));
                default:
                    return new ParameterValue(ParameterType.STRING, text);
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "'" + text + "' is not a valid " + type + " for column "
                    + column.name(), e);
        }
    }

    private static Instant instant(String text) {
        String t = text.replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
        }
    }

    private static List<String> render(QueryResult result) {
        List<String> out = new ArrayList<>();
        for (List<Object> row : result.rows()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String col = result.columns().get(i).name();
                if (col.startsWith("_cvg_")) {
                    col = "rows";
                }
                b.append(i == 0 ? "" : ", ").append(col).append('=').append(row.get(i) == null ? "NULL" : row.get(i));
            }
            out.add(b.length() > EXAMPLE_LENGTH ? b.substring(0, EXAMPLE_LENGTH - 3) + "..." : b.toString());
        }
        return out;
    }
}
