package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.DataSize;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a run would process on a target that can dry-run queries: bytes per step (summed over its partitions) and
 * an on-demand cost at {@link #USD_PER_TIB} per TiB. Steps that cannot be estimated say why.
 */
public record RunEstimate(String targetName, List<StepEstimate> steps) {
    /** BigQuery on-demand analysis price (US multi-region list price); reservations and other regions differ. */
    public static final double USD_PER_TIB = 6.25;
    private static final double TIB = 1024.0 * 1024 * 1024 * 1024;

    public RunEstimate {
        requireNonNull(targetName, "targetName is null");
        steps = List.copyOf(steps);
    }

    /** One step: bytes its queries would process over {@code partitions} partitions, or why there is no number. */
    public record StepEstimate(String stepId, String type, int partitions, Optional<Long> bytes, String note) {
        public StepEstimate {
            requireNonNull(stepId, "stepId is null");
            requireNonNull(type, "type is null");
            requireNonNull(bytes, "bytes is null");
            requireNonNull(note, "note is null");
        }
    }

    public long totalBytes() {
        return steps.stream().mapToLong(s -> s.bytes().orElse(0L)).sum();
    }

    public static double costUsd(long bytes) {
        return bytes / TIB * USD_PER_TIB;
    }

    /** A table for {@code run --dry-run}. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("estimate (BigQuery dry run on target ").append(targetName).append("; on-demand price $")
                .append(String.format(Locale.ROOT, "%.2f", USD_PER_TIB)).append(" per TiB processed, load jobs are free)\n");
        int width = Math.max(4, steps.stream().mapToInt(s -> s.stepId().length()).max().orElse(4));
        out.append(String.format(Locale.ROOT, "  %-" + width + "s  %-9s  %10s  %18s  %10s  %s%n", "step", "type", "partitions",
                "bytes", "cost", "note"));
        for (StepEstimate s : steps) {
            out.append(String.format(Locale.ROOT, "  %-" + width + "s  %-9s  %10s  %18s  %10s  %s%n", s.stepId(), s.type(),
                    s.partitions() == 0 ? "-" : Integer.toString(s.partitions()),
                    s.bytes().map(DataSize::format).orElse("-"),
                    s.bytes().map(b -> formatUsd(costUsd(b))).orElse("-"), s.note()).stripTrailing()).append('\n');
        }
        out.append(String.format(Locale.ROOT, "  %-" + width + "s  %-9s  %10s  %18s  %10s%n", "total", "", "",
                DataSize.format(totalBytes()), formatUsd(costUsd(totalBytes()))));
        return out.toString();
    }

    static String formatUsd(double usd) {
        return usd > 0 && usd < 0.0001 ? "<$0.0001" : String.format(Locale.ROOT, "$%.4f", usd);
    }
}
