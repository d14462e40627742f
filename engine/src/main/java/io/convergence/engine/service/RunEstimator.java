package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.plan.PlanUnit;
import io.convergence.engine.warehouse.PartitionRange;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.TableNames;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseCapability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Dry-runs every transform query of a prepared run (once per partition) on a warehouse that supports
 * {@link WarehouseCapability#DRY_RUN}. A query that reads a table the run itself creates cannot be estimated
 * before that table exists; it is reported as such, not guessed.
 */
public final class RunEstimator {
    private final Warehouse warehouse;
    private final Optional<Long> maximumBytesBilled;

    public RunEstimator(Warehouse warehouse) {
        this(warehouse, Optional.empty());
    }

    /** With the target's per-job cap, steps with a query over it are flagged: that job would be refused. */
    public RunEstimator(Warehouse warehouse, Optional<Long> maximumBytesBilled) {
        this.warehouse = requireNonNull(warehouse, "warehouse is null");
        this.maximumBytesBilled = requireNonNull(maximumBytesBilled, "maximumBytesBilled is null");
    }

    public RunEstimate estimate(PreparedRun prepared) {
        if (!warehouse.supports(WarehouseCapability.DRY_RUN)) {
            throw warehouse.unsupported(WarehouseCapability.DRY_RUN);
        }
        TableNames names = warehouse.tableNames(prepared.tenant().config());
        Set<TableId> created = new HashSet<>();
        List<RunEstimate.StepEstimate> out = new ArrayList<>();
        for (Step step : prepared.plan().steps()) {
            List<PlanUnit> units = prepared.plan().unitsOf(step.id()).stream().filter(u -> !u.resumed()).toList();
            int partitions = (int) units.stream().filter(u -> u.partition().isPresent()).count();
            if (units.isEmpty()) {
                out.add(new RunEstimate.StepEstimate(step.id(), step.typeName(), 0, Optional.of(0L), "already done (resumed run)"));
                continue;
            }
            if (step instanceof TransformStep) {
                TransformStep t = (TransformStep) step;
                out.add(transform(prepared, t, units, partitions, names, created));
                created.add(names.resolve(t.target()));
            } else if (step instanceof IngestStep) {
                IngestStep i = (IngestStep) step;
                out.add(ingest(prepared, i, partitions));
                created.add(names.resolve(i.target()));
            } else if (step instanceof QualityStep) {
                out.add(new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.empty(),
                        "checks are small queries on " + ((QualityStep) step).table() + "; not estimated"));
            } else {
                out.add(new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.empty(), "not estimated"));
            }
        }
        return new RunEstimate(prepared.targetName(), out);
    }

    private RunEstimate.StepEstimate transform(PreparedRun prepared, TransformStep step, List<PlanUnit> units, int partitions,
                                               TableNames names, Set<TableId> created) {
        Path sqlFile = prepared.pipeline().dir().resolve(step.sql()).normalize();
        String sql;
        try {
            sql = Files.readString(sqlFile);
        } catch (IOException e) {
            return new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.empty(), "cannot read " + sqlFile);
        }
        long bytes = 0;
        long largest = 0;
        for (PlanUnit unit : units) {
            Map<String, ParameterValue> parameters = new HashMap<>(prepared.parameters());
            if (unit.partition().isPresent()) {
                PartitionWindow window = unit.partition().get();
                parameters.put("partition_start", PartitionRange.windowBound(window, true));
                parameters.put("partition_end", PartitionRange.windowBound(window, false));
            }
            try {
                long one = warehouse.dryRun(warehouse.compile(sql, names, parameters)).bytesProcessed();
                bytes += one;
                largest = Math.max(largest, one);
            } catch (ConvergenceException e) {
                String reads = readsCreatedTable(sql, names, created);
                String note = reads != null ? "reads " + reads + ", which this run creates first; estimate after a first run"
                        : "dry run failed: " + e.getMessage();
                if (e.code() == ErrorCode.RUN_CANCELLED) {
                    throw e;
                }
                return new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.empty(), note);
            }
        }
        String note = "writes " + step.target() + " (" + step.write().name().toLowerCase(Locale.ROOT) + ")";
        if (maximumBytesBilled.isPresent() && largest > maximumBytesBilled.get()) {
            note = "OVER maximum_bytes_billed " + DataSize.format(maximumBytesBilled.get()) + ": the job would be refused; " + note;
        }
        return new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.of(bytes), note);
    }

    /** The first ref of {@code sql} to a table that does not exist yet and an earlier step of this run creates. */
    private String readsCreatedTable(String sql, TableNames names, Set<TableId> created) {
        for (io.convergence.engine.sql.SqlTemplate.Ref ref : io.convergence.engine.sql.SqlTemplate.parse(sql).refs()) {
            try {
                TableId table = names.resolve(ref.target());
                if (created.contains(table) && !warehouse.tableExists(table)) {
                    return ref.target();
                }
            } catch (ConvergenceException e) {
                // an invalid ref: the validator reports it
            }
        }
        return null;
    }

    /**
     * An ingest is not free analysis: after the upload (local files) or the load job (gs://, free), a query job moves
     * the staged rows into the target, and that job is billed and capped like any other. Its bytes are the staged
     * rows' size, known only once staged; for local files their size on disk is the estimate (typed columns are of
     * the same order), and a cap below it is flagged as for a transform.
     */
    private RunEstimate.StepEstimate ingest(PreparedRun prepared, IngestStep step, int partitions) {
        String uri = step.source().uri();
        if (uri.startsWith("gs://")) {
            return new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.empty(), "load job of " + uri
                    + " (not billed), then a query job converts the loaded rows (billed by their size); not estimated");
        }
        long size = 0;
        List<Path> files;
        try {
            files = io.convergence.engine.steps.FileGlob.expand(prepared.pipeline().dir(), uri);
            for (Path f : files) {
                size += Files.size(f);
            }
        } catch (IOException | RuntimeException e) {
            return new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.empty(), "cannot read " + uri);
        }
        String note = "about the size of " + files.size() + " local file" + (files.size() == 1 ? "" : "s")
                + ": the staged rows are inserted by a query job";
        if (maximumBytesBilled.isPresent() && size > maximumBytesBilled.get()) {
            note = "OVER maximum_bytes_billed " + DataSize.format(maximumBytesBilled.get()) + ": the job would be refused; " + note;
        }
        return new RunEstimate.StepEstimate(step.id(), step.typeName(), partitions, Optional.of(size), note);
    }
}
