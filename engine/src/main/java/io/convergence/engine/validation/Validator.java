package io.convergence.engine.validation;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.Check;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.sql.analysis.BigQueryAnalyzer;
import io.convergence.engine.sql.analysis.SqlColumn;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Semantic rules over bound models: ids, the DAG, tables read and written, SQL files, parameters,
 * partitioning, targets and settings. Every rule reports through {@link Problem}s located by a
 * {@link Locator}; nothing here throws for a user mistake. Structural rules (keys, types, patterns)
 * belong to the binder. This is the public face; the rules live in {@code PipelineRules} and
 * {@code SettingsRules}.
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
     * @param schemasByStep the BigQuery schema of each ingest step whose schema file parsed
     * @param unboundStepIds ids of steps written in the file that did not bind (they count as known for depends_on)
     * @param stepsIncomplete true when some step did not bind, so "no steps" and "nobody writes this table" are not reported
     */
    public record PipelineInput(Pipeline pipeline, Locator locator, String expectedId, String tenantId, String datasetNaming,
                                Set<String> otherTenantIds, Map<String, SqlFile> sqlByStep, Map<String, LocatedChecks> checksByStep,
                                Map<String, List<SchemaField>> schemasByStep, Set<String> unboundStepIds, boolean stepsIncomplete) {
        public PipelineInput {
            requireNonNull(pipeline, "pipeline is null");
            requireNonNull(locator, "locator is null");
            otherTenantIds = Set.copyOf(otherTenantIds);
            sqlByStep = Map.copyOf(sqlByStep);
            checksByStep = Map.copyOf(checksByStep);
            schemasByStep = Map.copyOf(schemasByStep);
            unboundStepIds = Set.copyOf(unboundStepIds);
        }

        /** Just the model, as the designer holds it before any file is read. */
        public static PipelineInput of(Pipeline pipeline, Locator locator) {
            return new PipelineInput(pipeline, locator, null, null, null, Set.of(), Map.of(), Map.of(), Map.of(), Set.of(), false);
        }
    }

    /** Rules of workspace.yml; {@code workspaceDir} resolves key file paths. */
    public static List<Problem> validateWorkspace(WorkspaceConfig config, Locator locator, Path workspaceDir) {
        return validateWorkspace(config, locator, workspaceDir, Set.of());
    }

    /**
     * Rules of workspace.yml. {@code unboundTargets} names targets written in the file that did not bind
     * (already reported), so default_target naming one of them is not reported again.
     */
    public static List<Problem> validateWorkspace(WorkspaceConfig config, Locator locator, Path workspaceDir, Set<String> unboundTargets) {
        return SettingsRules.workspace(config, locator, workspaceDir, unboundTargets);
    }

    /** Rules of tenant.yml; {@code folderName} is the tenant's folder, or null when unknown. */
    public static List<Problem> validateTenant(TenantConfig tenant, Locator locator, String folderName) {
        return SettingsRules.tenant(tenant, locator, folderName);
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

    /** Rules of one pipeline and the files it names, its SQL analyzed as BigQuery analyzes it. */
    public static List<Problem> validatePipeline(PipelineInput input) {
        return validatePipeline(input, BigQueryAnalyzer.shared());
    }

    /** Rules of one pipeline, its SQL analyzed by {@code analyzer} (one that is unavailable keeps the text-level checks). */
    public static List<Problem> validatePipeline(PipelineInput input, BigQueryAnalyzer analyzer) {
        return analyzePipeline(input, analyzer).problems();
    }

    /** Every problem of one pipeline, and the columns its steps write as far as the analysis knows them. */
    public static PipelineValidation analyzePipeline(PipelineInput input, BigQueryAnalyzer analyzer) {
        return new PipelineRules(input, requireNonNull(analyzer, "analyzer is null")).run();
    }

    /**
     * The outcome of validating one pipeline: its problems, and by step id the columns of the table each ingest and
     * transform step writes (from its schema file, or its analyzed query); a step whose columns are unknown is absent.
     */
    public record PipelineValidation(List<Problem> problems, Map<String, List<SqlColumn>> columns) {
        public PipelineValidation {
            problems = List.copyOf(problems);
            Map<String, List<SqlColumn>> copy = new java.util.LinkedHashMap<>();
            columns.forEach((step, list) -> copy.put(step, List.copyOf(list)));
            columns = java.util.Collections.unmodifiableMap(copy);
        }
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

    static Problem at(Locator locator, ProblemCode code, String pointer, String message, String hint) {
        return Problem.of(code, locator.locate(pointer), pointer, message, hint);
    }
}
