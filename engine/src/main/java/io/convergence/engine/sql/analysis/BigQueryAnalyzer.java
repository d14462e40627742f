package io.convergence.engine.sql.analysis;

import static java.util.Objects.requireNonNull;

import com.google.zetasql.Analyzer;
import com.google.zetasql.AnalyzerOptions;
import com.google.zetasql.LanguageOptions;
import com.google.zetasql.SimpleCatalog;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.SqlException;
import com.google.zetasql.Type;
import com.google.zetasql.ZetaSQLBuiltinFunctionOptions;
import com.google.zetasql.ZetaSQLOptions.ProductMode;
import com.google.zetasql.resolvedast.ResolvedNodes;
import com.google.zetasql.resolvedast.ResolvedNonScalarFunctionCallBaseEnums;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.settings.Setting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BigQuery's own SQL front end (ZetaSQL, in BigQuery's external product mode) behind a small, safe API: it
 * analyzes a query or a predicate against tables and parameters Convergence knows, and says what BigQuery
 * would say. It never throws for the SQL it is given: a statement BigQuery refuses is a {@link SqlAnalysis.Refused},
 * an analyzer failure a {@link SqlAnalysis.Failed}. Where the native analyzer cannot start (an OS or CPU it
 * does not ship for, or {@code CONVERGENCE_SQL_ANALYSIS=off}), {@link #unavailableReason()} says why and
 * callers keep their text-level checks.
 */
public final class BigQueryAnalyzer {
    private static final Logger LOG = LoggerFactory.getLogger(BigQueryAnalyzer.class);
    private static final Pattern AT = Pattern.compile("\\s*\\[at (\\d+):(\\d+)]\\s*$");
    private static final int TAB_STOP = 8;
    /** BigQuery refuses unnamed and duplicate columns in the statement that writes a query's result, not in the query. */
    private static final String CTAS_PREFIX = "CREATE TABLE _cvg_output AS\n";
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("com.google.zetasql.io.grpc");
    private static volatile BigQueryAnalyzer shared;

    /** The analyzer's options and builtin functions, made once when the native service is up. */
    private record Engine(LanguageOptions language, ZetaSQLBuiltinFunctionOptions builtins) {
    }

    private final Supplier<Engine> starter;
    private final Object lock = new Object();
    private Engine engine;
    private String unavailable;
    private volatile boolean started;

    private BigQueryAnalyzer(Supplier<Engine> starter) {
        this.starter = requireNonNull(starter, "starter is null");
    }

    /** The process-wide analyzer; the native service starts on first use (about half a second). */
    public static BigQueryAnalyzer shared() {
        BigQueryAnalyzer result = shared;
        if (result == null) {
            synchronized (BigQueryAnalyzer.class) {
                result = shared;
                if (result == null) {
                    String setting = System.getenv(Setting.SQL_ANALYSIS.envName());
                    result = "off".equalsIgnoreCase(setting == null ? "" : setting.trim())
                            ? unavailable(Setting.SQL_ANALYSIS.envName() + " is off")
                            : new BigQueryAnalyzer(BigQueryAnalyzer::startNative);
                    shared = result;
                }
            }
        }
        return result;
    }

    /** An analyzer that never starts, for {@code reason}; what callers see on a platform without the native library. */
    public static BigQueryAnalyzer unavailable(String reason) {
        requireNonNull(reason, "reason is null");
        return new BigQueryAnalyzer(() -> {
            throw new TurnedOff(reason);
        });
    }

    private static Engine startNative() {
        // gRPC inside the client warns at start that it has no DNS resolver; it talks to an in-process peer only
        GRPC_LOG.setLevel(Level.SEVERE);
        LanguageOptions language = new LanguageOptions();
        language.enableMaximumLanguageFeatures();
        language.setSupportsAllStatementKinds();
        language.setProductMode(ProductMode.PRODUCT_EXTERNAL);
        ZetaSQLBuiltinFunctionOptions builtins = new ZetaSQLBuiltinFunctionOptions(language);
        Engine engine = new Engine(language, builtins);
        // The first analysis starts the native service; a library that does not load fails here, not mid-validation.
        SimpleCatalog catalog = new SimpleCatalog("probe");
        catalog.addZetaSQLFunctionsAndTypes(builtins);
        SqlAnalysis probe = analyze(engine, "SELECT 1", catalog, Map.of());
        if (!(probe instanceof SqlAnalysis.Resolved)) {
            throw new IllegalStateException("the analyzer does not answer: " + probe);
        }
        return engine;
    }

    /** Empty when the analyzer runs; otherwise why SQL is not analyzed. Starts the analyzer when needed. */
    public Optional<String> unavailableReason() {
        return engine().isPresent() ? Optional.empty() : Optional.of(unavailable);
    }

    private Optional<Engine> engine() {
        synchronized (lock) {
            if (!started) {
                started = true;
                try {
                    long start = System.nanoTime();
                    engine = starter.get();
                    LOG.debug("SQL analyzer started in {} ms", (System.nanoTime() - start) / 1_000_000);
                } catch (Throwable e) { // NOPMD: a missing or broken native library surfaces as any Error
                    unavailable = describe(e);
                    if (deliberate(e)) {
                        LOG.info("BigQuery SQL analysis is off: {}", unavailable);
                    } else {
                        LOG.warn("BigQuery SQL analysis is off: {}", unavailable);
                    }
                    LOG.debug("the analyzer did not start", e);
                }
            }
            return Optional.ofNullable(engine);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return deliberate(e) ? message : "the native SQL analyzer did not load on " + os + " (" + message + ")";
    }

    /** Turned off on purpose (the setting, a test), not a library that failed to load. */
    private static boolean deliberate(Throwable e) {
        return e instanceof TurnedOff;
    }

    /** Why an analyzer made unavailable on purpose does not start. */
    private static final class TurnedOff extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TurnedOff(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * A catalog to analyze one pipeline's SQL against: tables are defined as the steps producing them are analyzed,
     * in DAG order. Creating it costs tens of milliseconds (BigQuery's function list), so a validation uses one
     * session for all the SQL of a pipeline. Not thread safe; empty when the analyzer does not run.
     */
    public Optional<Session> session() {
        return engine().map(Session::new);
    }

    /** Starts the native analyzer on a background thread, so a validation about to come finds it running. */
    public void warmUp() {
        if (started) {
            return;
        }
        Thread thread = new Thread(this::engine, "sql-analyzer-start");
        thread.setDaemon(true);
        thread.start();
    }

    /** One pipeline's tables and the analyses against them. */
    public static final class Session {
        private final Engine engine;
        private final SimpleCatalog catalog = new SimpleCatalog("convergence");
        private final Map<String, SqlSchema> tables = new HashMap<>();
        private final String failure;

        private Session(Engine engine) {
            this.engine = engine;
            String failed = null;
            try {
                catalog.addZetaSQLFunctionsAndTypes(engine.builtins());
            } catch (RuntimeException e) {
                LOG.debug("the analyzer's function list did not load", e);
                failed = "BigQuery's function list did not load: " + e.getMessage();
            }
            this.failure = failed;
        }

        /** Defines (or redefines) the logical table {@code dataset.table}. */
        public void define(String logical, SqlSchema schema) {
            requireNonNull(schema, "schema is null");
            int dot = logical.indexOf('.');
            if (dot <= 0 || dot == logical.length() - 1) {
                throw new IllegalArgumentException("not a dataset.table name: " + logical);
            }
            String datasetName = logical.substring(0, dot);
            String tableName = logical.substring(dot + 1);
            SimpleCatalog dataset = catalog.getCatalogList().stream().filter(c -> c.getFullName().equals(datasetName)).findFirst()
                    .orElseGet(() -> catalog.addNewSimpleCatalog(datasetName));
            if (tables.containsKey(logical)) {
                dataset.removeSimpleTable(tableName);
            }
            SimpleTable table = new SimpleTable(tableName);
            for (int i = 0; i < schema.names().size(); i++) {
                table.addSimpleColumn(schema.names().get(i), schema.types().get(i));
            }
            dataset.addSimpleTable(table);
            tables.put(logical, schema);
        }

        /** The columns of a defined table. */
        public Optional<SqlSchema> table(String logical) {
            return Optional.ofNullable(tables.get(logical));
        }

        /**
         * Analyzes one query as BigQuery analyzes the {@code CREATE TABLE ... AS} statement that writes its result,
         * so unnamed and duplicate output columns are refused as BigQuery refuses them. Defined tables are named in
         * {@code sql} as {@code `dataset`.`table`}; parameters are {@code @name}, typed here, and a parameter not
         * listed is accepted with whatever type its use implies (another rule reports it as undeclared). Positions
         * in a refusal are positions in {@code sql}.
         */
        public SqlAnalysis analyzeQuery(String sql, Map<String, ParameterType> parameters) {
            requireNonNull(sql, "sql is null");
            return wrapped(CTAS_PREFIX, sql, "", parameters);
        }

        /**
         * Analyzes a boolean predicate over the rows of the defined table {@code logical} (an expression check), as
         * the WHERE clause Convergence runs it in. Positions in a refusal are positions in {@code predicate}.
         */
        public SqlAnalysis analyzePredicate(String predicate, String logical) {
            requireNonNull(predicate, "predicate is null");
            if (!tables.containsKey(logical)) {
                throw new IllegalArgumentException("table " + logical + " is not defined");
            }
            int dot = logical.indexOf('.');
            String prefix = "SELECT 1 FROM `" + logical.substring(0, dot) + "`.`" + logical.substring(dot + 1) + "` WHERE (\n";
            return wrapped(prefix, predicate, "\n)", Map.of());
        }

        private SqlAnalysis wrapped(String prefix, String sql, String suffix, Map<String, ParameterType> parameters) {
            if (failure != null) {
                return new SqlAnalysis.Failed(failure);
            }
            SqlAnalysis analysis = analyze(engine, prefix + sql + suffix, catalog, parameters);
            if (analysis instanceof SqlAnalysis.Refused refused) {
                // every prefix ends its own line, so the user's lines are the analyzed ones less one
                int lines = Math.max((int) sql.lines().count(), 1);
                int line = refused.line() - 1;
                int column = refused.column();
                if (line < 1 || line > lines) {
                    line = line < 1 ? 1 : lines;
                    column = 1;
                }
                return new SqlAnalysis.Refused(refused.kind(), refused.message(), refused.details(), line, column);
            }
            return analysis;
        }
    }

    private static SqlAnalysis analyze(Engine engine, String sql, SimpleCatalog catalog, Map<String, ParameterType> parameters) {
        try {
            AnalyzerOptions options = new AnalyzerOptions();
            options.setLanguageOptions(engine.language());
            options.setAllowUndeclaredParameters(true);
            options.setDefaultTimezone("UTC");
            // the statement as written: no rewrite inlines a function (ARRAY_SLICE, PIVOT...) into other constructs
            options.setEnabledRewrites(java.util.EnumSet.noneOf(com.google.zetasql.ZetaSQLOptions.ResolvedASTRewrite.class));
            for (Map.Entry<String, ParameterType> parameter : parameters.entrySet()) {
                options.addQueryParameter(parameter.getKey(), SqlSchema.parameterType(parameter.getValue()));
            }
            ResolvedNodes.ResolvedStatement statement = Analyzer.analyzeStatement(sql, options, catalog);
            List<ResolvedNodes.ResolvedOutputColumn> output;
            if (statement instanceof ResolvedNodes.ResolvedQueryStmt query) {
                output = query.getOutputColumnList();
            } else if (statement instanceof ResolvedNodes.ResolvedCreateTableAsSelectStmt create) {
                output = create.getOutputColumnList();
            } else {
                return new SqlAnalysis.Refused(SqlAnalysis.Kind.OTHER, "the statement is not a query", List.of(), 1, 1);
            }
            List<String> names = new ArrayList<>();
            List<Type> types = new ArrayList<>();
            for (ResolvedNodes.ResolvedOutputColumn column : output) {
                names.add(column.getName());
                types.add(column.getColumn().getType());
            }
            return new SqlAnalysis.Resolved(SqlSchema.of(names, types), constructs(statement));
        } catch (SqlException e) {
            return refused(e.getMessage() == null ? "" : e.getMessage(), sql);
        } catch (RuntimeException e) {
            LOG.debug("the analyzer failed", e);
            return new SqlAnalysis.Failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Node kinds every statement has that say nothing about what it computes. */
    private static final java.util.Set<String> WRAPPERS = java.util.Set.of("QueryStmt", "CreateTableAsSelectStmt", "OutputColumn",
            "ColumnDefinition", "ColumnAnnotations");

    /** Every function, cast and node kind the statement uses, each once, in a stable order. */
    private static List<SqlConstruct> constructs(ResolvedNodes.ResolvedStatement statement) {
        java.util.SortedSet<SqlConstruct> found = new java.util.TreeSet<>();
        statement.accept(new ResolvedNodes.Visitor() {
            @Override
            protected void defaultVisit(com.google.zetasql.resolvedast.ResolvedNode node) {
                String kind = node.nodeKindString();
                if (!WRAPPERS.contains(kind) && !kind.equals("FunctionCall") && !kind.equals("AggregateFunctionCall")
                        && !kind.equals("AnalyticFunctionCall") && !kind.equals("Cast")) {
                    found.add(new SqlConstruct(SqlConstruct.Kind.NODE, kind, ""));
                }
                super.defaultVisit(node);
            }

            @Override
            public void visit(ResolvedNodes.ResolvedFunctionCall node) {
                found.add(function(SqlConstruct.Kind.FUNCTION, node));
                super.visit(node);
            }

            @Override
            public void visit(ResolvedNodes.ResolvedAggregateFunctionCall node) {
                found.add(function(SqlConstruct.Kind.AGGREGATE, node));
                modifiers("Aggregate", node);
                if (!node.getOrderByItemList().isEmpty()) {
                    found.add(new SqlConstruct(SqlConstruct.Kind.NODE, "AggregateOrderBy", ""));
                }
                if (node.getLimit() != null) {
                    found.add(new SqlConstruct(SqlConstruct.Kind.NODE, "AggregateLimit", ""));
                }
                super.visit(node);
            }

            @Override
            public void visit(ResolvedNodes.ResolvedAnalyticFunctionCall node) {
                found.add(function(SqlConstruct.Kind.ANALYTIC, node));
                modifiers("Analytic", node);
                super.visit(node);
            }

            /** DISTINCT and IGNORE/RESPECT NULLS, which aggregate and analytic calls share. */
            private void modifiers(String prefix, ResolvedNodes.ResolvedNonScalarFunctionCallBase node) {
                if (node.getDistinct()) {
                    found.add(new SqlConstruct(SqlConstruct.Kind.NODE, prefix + "Distinct", ""));
                }
                if (node.getNullHandlingModifier() != ResolvedNonScalarFunctionCallBaseEnums.NullHandlingModifier.DEFAULT_NULL_HANDLING) {
                    found.add(new SqlConstruct(SqlConstruct.Kind.NODE, prefix + node.getNullHandlingModifier(), ""));
                }
            }

            @Override
            public void visit(ResolvedNodes.ResolvedCast node) {
                String types = typeName(node.getExpr().getType()) + " AS " + typeName(node.getType())
                        + (node.getFormat() != null ? " FORMAT" : "") + (node.getTimeZone() != null ? " AT TIME ZONE" : "");
                found.add(new SqlConstruct(SqlConstruct.Kind.CAST, node.getReturnNullOnError() ? "SAFE_CAST" : "CAST", types));
                super.visit(node);
            }
        });
        return List.copyOf(found);
    }

    private static SqlConstruct function(SqlConstruct.Kind kind, ResolvedNodes.ResolvedFunctionCallBase call) {
        boolean safe = call.getErrorMode() == com.google.zetasql.resolvedast.ResolvedFunctionCallBaseEnums.ErrorMode.SAFE_ERROR_MODE;
        return new SqlConstruct(kind, (safe ? "SAFE." : "") + call.getFunction().getName(), call.getSignature().toString());
    }

    private static String typeName(Type type) {
        return SqlSchema.typeName(type);
    }

    /** Splits the analyzer's message into BigQuery's first line, the further lines and the position. */
    static SqlAnalysis.Refused refused(String raw, String sql) {
        String text = raw;
        int line = 0;
        int column = 0;
        Matcher at = AT.matcher(text);
        if (at.find()) {
            line = Integer.parseInt(at.group(1));
            column = charColumn(sql, line, Integer.parseInt(at.group(2)));
            text = text.substring(0, at.start());
        }
        List<String> lines = new ArrayList<>(text.lines().map(String::stripTrailing).filter(l -> !l.isBlank()).toList());
        String message = lines.isEmpty() ? "BigQuery would refuse this SQL" : lines.remove(0);
        return new SqlAnalysis.Refused(kind(message), message, lines, line, column);
    }

    private static SqlAnalysis.Kind kind(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.startsWith("syntax error")) {
            return SqlAnalysis.Kind.SYNTAX;
        }
        if (m.startsWith("unrecognized name") || m.contains(" not found") || m.startsWith("function not found")) {
            return SqlAnalysis.Kind.UNKNOWN_NAME;
        }
        if (m.startsWith("no matching signature") || m.contains("incompatible types") || m.contains("could not cast")
                || m.contains("cannot be coerced") || m.contains("should return type") || m.contains("argument type")
                || m.contains("cannot be used with") || m.contains("expected type") || m.startsWith("expected ")) {
            return SqlAnalysis.Kind.TYPE;
        }
        return SqlAnalysis.Kind.OTHER;
    }

    /**
     * The 1-based character column of the analyzer's column on {@code line}: the analyzer counts a tab as a jump to
     * the next multiple of eight, and every other character as one.
     */
    static int charColumn(String sql, int line, int analyzerColumn) {
        String[] lines = sql.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return analyzerColumn;
        }
        String text = lines[line - 1];
        int visual = 1;
        for (int i = 0; i < text.length(); i++) {
            if (visual >= analyzerColumn) {
                return i + 1;
            }
            visual = text.charAt(i) == '\t' ? ((visual - 1) / TAB_STOP + 1) * TAB_STOP + 1 : visual + 1;
        }
        return text.length() + 1;
    }
}
