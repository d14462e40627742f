package io.convergence.app.cli;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import io.convergence.engine.run.RunState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Shows a run on the terminal: a live block of progress bars (one per step, counting its partitions) when the
 * output is a terminal, plain timestamped lines otherwise (logs, CI). Events arrive on one thread, in order.
 */
final class RunProgress implements RunEventListener {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 20;

    private final PrintWriter out;
    private final boolean bars;
    private final Map<String, StepLine> steps = new LinkedHashMap<>();
    private int drawnLines;
    private long lastDraw;

    private static final class StepLine {
        RunState state = RunState.QUEUED;
        int partitions;
        int partitionsDone;
        long rows;
        Duration duration;
        String message = "";
    }

    RunProgress(PrintWriter out, boolean bars) {
        this.out = out;
        this.bars = bars;
    }

    @Override
    public void onEvent(RunEvent event) {
        if (event instanceof RunEvent.RunStarted e) {
            e.steps().forEach(s -> steps.put(s, new StepLine()));
            line("run " + e.runId() + " of " + e.tenant() + "/" + e.pipeline() + " on " + e.target()
                    + (e.partitions().isEmpty() ? "" : ", " + e.partitions().size() + " partitions")
                    + (e.resumedFrom() == null ? "" : ", resuming " + e.resumedFrom()));
        } else if (event instanceof RunEvent.StepStateChanged e) {
            StepLine s = steps.computeIfAbsent(e.stepId(), k -> new StepLine());
            s.state = e.state();
            s.rows = e.rows();
            s.duration = e.duration();
            s.message = e.errorMessage() == null ? "" : ConvergenceException.headline(e.errorMessage());
            if (!bars && e.state() != RunState.QUEUED) {
                line(e.stepId() + " " + e.state() + details(e.rows(), e.duration(), e.errorMessage()));
            }
        } else if (event instanceof RunEvent.PartitionStateChanged e) {
            StepLine s = steps.computeIfAbsent(e.stepId(), k -> new StepLine());
            if (e.state() == RunState.QUEUED) {
                s.partitions++;
            } else if (e.state().isTerminal()) {
                s.partitionsDone++;
                s.rows += e.rows();
            }
            if (!bars && e.state() != RunState.QUEUED && e.state() != RunState.RUNNING) {
                line(UnitKey.of(e.stepId(), e.partition()) + " " + e.state() + details(e.rows(), e.duration(), e.errorMessage()));
            }
        } else if (event instanceof RunEvent.CheckEvaluated e) {
            if (!e.passed()) {
                line("check " + e.checkName() + (e.partition() == null ? "" : "[" + e.partition() + "]") + " failed: "
                        + e.failingRows() + " rows (" + String.valueOf(e.severity()).toLowerCase(Locale.ROOT) + ")"
                        + (e.detail() == null || e.detail().isEmpty() ? "" : " - " + e.detail()));
            }
        } else if (event instanceof RunEvent.LogLine e) {
            if ("WARN".equals(e.level()) || "ERROR".equals(e.level())) {
                line(e.level().toLowerCase(Locale.ROOT) + (e.stepId() == null ? "" : " " + e.stepId()) + ": " + e.message());
            }
        } else if (event instanceof RunEvent.LockChanged e) {
            if (!"ACQUIRED".equals(e.change()) && !"RELEASED".equals(e.change())) {
                line("lock " + e.change().toLowerCase(Locale.ROOT) + ": " + e.detail());
            }
        } else if (event instanceof RunEvent.RunFinished e) {
            redraw(true);
            out.println("run " + e.runId() + " " + e.state() + (e.duration() == null ? "" : " in " + RunsCommand.duration(e.duration()))
                    + (e.errorCode() == null ? "" : " (" + e.errorCode() + ")")
                    + (e.errorMessage() == null ? "" : ": " + ConvergenceException.headline(e.errorMessage())));
            out.flush();
            drawnLines = 0;
            return;
        }
        redraw(false);
    }

    private static String details(long rows, Duration duration, String error) {
        StringBuilder b = new StringBuilder();
        if (rows > 0) {
            b.append(' ').append(rows).append(" rows");
        }
        if (duration != null) {
            b.append(' ').append(RunsCommand.duration(duration));
        }
        if (error != null && !error.isEmpty()) {
            b.append(" - ").append(ConvergenceException.headline(error));
        }
        return b.toString();
    }

    /** A line that scrolls above the live block. */
    private void line(String text) {
        if (bars) {
            clearBlock();
        }
        out.println(bars ? text : CLOCK.format(java.time.Instant.now()) + " " + text);
        out.flush();
    }

    private void clearBlock() {
        if (drawnLines > 0) {
            out.print("\033[" + drawnLines + "A\033[J");
            drawnLines = 0;
        }
    }

    private void redraw(boolean force) {
        if (!bars) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        clearBlock();
        int width = steps.keySet().stream().mapToInt(String::length).max().orElse(4);
        for (Map.Entry<String, StepLine> e : steps.entrySet()) {
            StepLine s = e.getValue();
            int total = Math.max(1, s.partitions);
            int done = s.partitions == 0 ? (s.state.isTerminal() ? 1 : 0) : s.partitionsDone;
            int filled = (int) Math.round(BAR * (double) done / total);
            out.printf(Locale.ROOT, "%-" + width + "s [%s%s] %3d/%-3d %-11s %8d rows %s%n", e.getKey(), "#".repeat(filled),
                    "-".repeat(BAR - filled), done, total, s.state, s.rows, RunsCommand.abbreviate(s.message, 50));
            drawnLines++;
        }
        out.flush();
    }
}
