package io.convergence.engine.steps;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.exec.StepRunner;
import io.convergence.engine.model.BadRows;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.TableRef;
import io.convergence.engine.model.WriteMode;
import io.convergence.engine.warehouse.CloudFileLoad;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.TableNames;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseCapability;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Loads files into a table with the schema enforced. Every record read ends up either in the target or
 * in the quarantine table with its file, line and reason: loaded + quarantined == read, checked on each
 * run. When more records are rejected than {@code bad_rows.max} allows, the rejected ones still go to
 * quarantine (to be looked at) and the target is left exactly as it was.
 */
public final class IngestRunner implements StepRunner {
    private static final int REASONS_IN_MESSAGE = 5;

    private final Warehouse warehouse;
    private final Function<StepContext, FenceCheck> fences;

    public IngestRunner(Warehouse warehouse, Function<StepContext, FenceCheck> fences) {
        this.warehouse = requireNonNull(warehouse, "warehouse is null");
        this.fences = requireNonNull(fences, "fences is null");
    }

    @Override
    public StepResult run(StepContext context) {
        IngestStep step = (IngestStep) context.step();
        TableNames names = warehouse.tableNames(context.tenant().config());
        TableRef targetRef = TableRef.parse(step.target());
        TableId target = names.resolve(targetRef);
        String quarantineRef = quarantineRef(step, targetRef);
        TableId quarantineTable = names.resolve(quarantineRef);
        long maxBad = step.badRows() == null ? 0 : step.badRows().max();

        String uri = step.source().uri();
        boolean cloud = uri.startsWith("gs://");
        if (cloud && !warehouse.supports(WarehouseCapability.CLOUD_STORAGE_FILES)) {
            throw new ConvergenceException(ErrorCode.FEATURE_NOT_AVAILABLE, "step " + step.id() + " reads " + uri
                    + "; gs:// sources need the bigquery target, " + warehouse.name() + " reads local files");
        }
        if (!cloud && !warehouse.supports(WarehouseCapability.LOCAL_FILES)) {
            throw warehouse.unsupported(WarehouseCapability.LOCAL_FILES);
        }
        if (step.write() == WriteMode.REPLACE_PARTITIONS) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "step " + step.id()
                    + ": an ingest step cannot use write: replace_partitions, it has no partition_by; use append or replace"
                    + " (or ingest into a staging table and replace partitions with a transform)");
        }
        List<Path> files = cloud ? List.of() : FileGlob.expand(context.pipeline().dir(), uri);
        if (!cloud && files.isEmpty()) {
            throw new ConvergenceException(ErrorCode.STEP_FAILED, "step " + step.id() + ": no file matches '" + uri
                    + "' (relative to " + context.pipeline().dir() + ")");
        }
        List<SchemaField> schema = SchemaFiles.read(StepSupport.resolve(context, step.schema()));

        warehouse.ensureDataset(target.dataset());
        warehouse.ensureDataset(quarantineTable.dataset());
        StepSupport.log(context, "INFO", "reading " + (cloud ? uri : StepSupport.plural(files.size(), "file")) + " ("
                + step.source().format().name().toLowerCase(java.util.Locale.ROOT) + ") into " + step.target());

        Quarantine quarantine = new Quarantine(quarantineTable, context.runId(), context.clock().instant());
        Publication publication = step.write() == WriteMode.REPLACE ? Publication.replace(target) : Publication.append(target);
        try (StagedLoad staged = cloud
                ? warehouse.stageCloudFiles(new CloudFileLoad(uri, step.source(), schema, target), context.cancellation())
                : warehouse.stageFiles(new FileLoad(files, step.source(), schema, target), publication, quarantine, context.cancellation())) {
            long read = staged.rowsRead();
            long rejected = staged.rowsRejected();
            if (rejected > maxBad) {
                List<StagedLoad.Rejection> first = staged.firstRejections(REASONS_IN_MESSAGE);
                long quarantined = staged.quarantineOnly(quarantine, context.cancellation());
                requireBalanced(step, read, read - rejected, quarantined, rejected, true);
                throw new ConvergenceException(ErrorCode.BAD_ROWS_EXCEEDED, step.id() + ": " + rejected + " of "
                        + StepSupport.plural(read, "row") + " failed the schema, more than bad_rows.max (" + maxBad + "); nothing was loaded into "
                        + step.target() + ". First problems: " + describe(first, context.pipeline().dir())
                        + ". All rejected rows are in " + quarantineRef + " (run_id " + context.runId() + ").");
            }
            List<StagedLoad.Rejection> first = rejected > 0 ? staged.firstRejections(REASONS_IN_MESSAGE) : List.of();
            StagedLoad.LoadOutcome outcome = staged.publish(quarantine, publication, fences.apply(context), context.cancellation());
            requireBalanced(step, read, outcome.loaded(), outcome.quarantined(), rejected, false);
            if (outcome.quarantined() > 0) {
                StepSupport.log(context, "WARN", StepSupport.plural(outcome.quarantined(), "row") + " failed the schema and went to "
                        + quarantineRef + " (within bad_rows.max " + maxBad + "); first: "
                        + describe(first, context.pipeline().dir()));
            }
            StepSupport.log(context, "INFO", "loaded " + StepSupport.plural(outcome.loaded(), "row") + " into " + step.target()
                    + " (" + step.write().name().toLowerCase(java.util.Locale.ROOT) + ")");
            Map<String, String> details = new LinkedHashMap<>();
            details.put("rows_read", Long.toString(read));
            details.put("rows_loaded", Long.toString(outcome.loaded()));
            details.put("rows_quarantined", Long.toString(outcome.quarantined()));
            details.put("target", target.toString());
            details.put("quarantine", quarantineTable.toString());
            details.put("files", cloud ? uri : Integer.toString(files.size()));
            return new StepResult(outcome.loaded(), FileGlob.totalBytes(files), details);
        }
    }

    /** Default quarantine: the target's dataset, table name plus {@code _rejected}. */
    static String quarantineRef(IngestStep step, TableRef target) {
        BadRows badRows = step.badRows();
        if (badRows != null && badRows.quarantine() != null && !badRows.quarantine().isBlank()) {
            return badRows.quarantine();
        }
        return target.dataset() + "." + target.table() + "_rejected";
    }

    /** The promise of ingest: no record is lost between the files and the two tables. */
    private static void requireBalanced(IngestStep step, long read, long loaded, long quarantined, long rejected, boolean refused) {
        if (loaded + quarantined != read || quarantined != rejected) {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, step.id() + ": row accounting does not add up: read " + read
                    + ", " + (refused ? "would load " : "loaded ") + loaded + ", quarantined " + quarantined + ", rejected " + rejected);
        }
    }

    private static String describe(List<StagedLoad.Rejection> rejections, Path baseDir) {
        return rejections.stream().map(r -> {
            String file = r.sourceFile();
            try {
                file = baseDir.toAbsolutePath().relativize(Path.of(r.sourceFile()).toAbsolutePath()).toString();
            } catch (IllegalArgumentException e) {
                // a different root: keep the full path
            }
            // objects read by the warehouse itself (gs://) have no line numbers
            // the message goes on after the list; a reason's own full stop (DuckDB ends some with one) would double it
            String reason = r.reason().endsWith(".") ? r.reason().substring(0, r.reason().length() - 1) : r.reason();
            return file + (r.lineNumber() > 0 ? ":" + r.lineNumber() : "") + " " + reason;
        }).collect(Collectors.joining("; "));
    }
}
