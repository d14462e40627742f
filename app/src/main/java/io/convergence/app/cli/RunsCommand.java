package io.convergence.app.cli;

import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.history.HistoryStore;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.WorkspaceConfig;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.history.CheckRecord;
import io.convergence.engine.history.HistoryJson;
import io.convergence.engine.history.HistoryQuery;
import io.convergence.engine.history.LogRecord;
import io.convergence.engine.history.RunComparison;
import io.convergence.engine.history.RunDetail;
import io.convergence.engine.history.RunSummary;
import io.convergence.engine.history.StepRecord;
import io.convergence.engine.plan.UnitKey;
import io.convergence.engine.run.RunState;
import io.convergence.engine.service.WorkspaceState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convergence runs}: run history, newest first, filtered and paged. */
@Command(name = "runs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List runs, newest first.",
        subcommands = {RunsCommand.Show.class, RunsCommand.Compare.class})
final class RunsCommand extends BaseCommand {
    enum Format { TABLE, JSON }

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int NOTICES_SHOWN = 20;

    @Option(names = "--tenant", paramLabel = "T", description = "Only this tenant's runs.")
    String tenant;

    @Option(names = "--pipeline", paramLabel = "P", description = "Only this pipeline's runs.")
    String pipeline;

    @Option(names = "--status", paramLabel = "S", description = "Only runs in this state: ${COMPLETION-CANDIDATES}.")
    RunState status;

    @Option(names = "--since", paramLabel = "TIME", description = "Only runs started at or after this ISO instant (2024-03-01T00:00:00Z).")
    Instant since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Most runs shown. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--after", paramLabel = "CURSOR", description = "Continue a listing after this cursor (next_cursor of --format json).")
    String after;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "Output format. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--target", paramLabel = "T", description = "List this target's history: a BigQuery target's is shared by every"
            + " workstation (the run_events table in each tenant's metadata dataset). Default: this workstation's history.")
    String target;

    @Override
    public Integer call() {
        if (limit < 1 || limit > HistoryQuery.MAX_LIMIT) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "--limit must be between 1 and " + HistoryQuery.MAX_LIMIT);
        }
        HistoryQuery query = HistoryQuery.all().withLimit(limit);
        if (tenant != null) {
            query = query.withTenant(tenant);
        }
        if (pipeline != null) {
            query = query.withPipeline(pipeline);
        }
        if (status != null) {
            query = query.withStates(Set.of(status));
        }
        if (since != null) {
            query = query.withSince(since);
        }
        if (after != null) {
            query = query.withAfter(decode(after));
        }
        LoadedWorkspace workspace = loadWorkspace(requireWorkspace());
        try (WorkspaceState state = openState(workspace)) {
            List<RunSummary> runs = historyOf(state, workspace, effectiveConfig(workspace), target).runs(query);
            if (format == Format.JSON) {
                out().println(HistoryJson.runs(runs, query));
            } else {
                printTable(out(), runs);
            }
        }
        return ExitCodes.OK;
    }

    private static HistoryQuery.Cursor decode(String text) {
        try {
            return HistoryQuery.Cursor.decode(text);
        } catch (RuntimeException e) {
            throw new ConvergenceException(ErrorCode.PARAMETER_INVALID, "'" + text + "' is not a cursor printed by runs --format json");
        }
    }

    static void printTable(PrintWriter out, List<RunSummary> runs) {
        if (runs.isEmpty()) {
            out.println("no runs");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RUN", "TENANT/PIPELINE", "TARGET", "STATE", "STARTED (UTC)", "DURATION", "ROWS", "ERROR"});
        for (RunSummary r : runs) {
            rows.add(new String[] {r.runId(), r.tenant() + "/" + r.pipeline(), r.target(), r.state().name(),
                    TIME.format(r.startedAt()), r.duration().map(RunsCommand::duration).orElse("-"),
                    Long.toString(r.rows()), r.errorMessage().map(m -> abbreviate(m, 60)).orElse("")});
        }
        Table.print(out, rows);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
    }

    static String abbreviate(String text, int max) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 3) + "...";
    }

    /** {@code convergence runs show RUN_ID}: one run with its steps, partitions and checks. */
    /** The history of {@code target}, or this workstation's when no target is named. */
    static HistoryStore historyOf(WorkspaceState state, LoadedWorkspace workspace, WorkspaceConfig config, String target) {
        if (target == null) {
            return state.history();
        }
        Target t = config.targets().get(target);
        if (t == null) {
            throw new ConvergenceException(ErrorCode.TARGET_NOT_FOUND, "no target '" + target + "'; workspace.yml defines: "
                    + String.join(", ", new java.util.TreeSet<>(config.targets().keySet())));
        }
        return state.historyFor(target, t, workspace.tenants().stream().map(LoadedTenant::config).toList());
    }

    /** {@code --target} of the commands that read runs: this workstation's history, or a BigQuery target's shared one. */
    static final class HistoryTarget {
        @Option(names = "--target", paramLabel = "T", description = "Read runs from this target's history (a BigQuery target's"
                + " shared history). Default: this workstation's history.")
        String target;

        /** The runs named, read from the history this option chooses in {@code command}'s workspace. */
        List<RunDetail> runs(BaseCommand command, String... runIds) {
            LoadedWorkspace workspace = command.loadWorkspace(command.requireWorkspace());
            try (WorkspaceState state = command.openState(workspace)) {
                WorkspaceConfig config = command.effectiveConfig(workspace);
                List<RunDetail> runs = new ArrayList<>();
                for (String runId : runIds) {
                    runs.add(findRun(state, workspace, config, target, runId));
                }
                return runs;
            }
        }
    }

    /** The run {@code runId} of {@code target}'s history (this workstation's when null), or RUN_NOT_FOUND. */
    static RunDetail findRun(WorkspaceState state, LoadedWorkspace workspace, WorkspaceConfig config, String target, String runId) {
        return historyOf(state, workspace, config, target).run(runId).orElseThrow(() -> new ConvergenceException(ErrorCode.RUN_NOT_FOUND,
                target == null ? "no run '" + runId + "' in history; list runs with 'convergence runs'"
                        : "no run '" + runId + "' in the history of target " + target + "; list runs with 'convergence runs --target "
                        + target + "'"));
    }

    @Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = {"Compare two runs: state, rows, bytes, version, parameters, and every step and partition.",
                    "Shows what differs (durations when more than 20% and 100 ms apart); --all shows every item."})
    static final class Compare extends BaseCommand {
        enum Format { TABLE, JSON }

        @Parameters(index = "0", paramLabel = "RUN_A", description = "The first run's id (left column).")
        String left;

        @Parameters(index = "1", paramLabel = "RUN_B", description = "The second run's id (right column).")
        String right;

        @Option(names = "--all", description = "Show every compared item, not only those that differ.")
        boolean all;

        @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
                description = "Output format (json lists every item with a 'differs' flag). Default: ${DEFAULT-VALUE}.")
        Format format;

        @Mixin
        HistoryTarget history;

        @Override
        public Integer call() {
            List<RunDetail> runs = history.runs(this, left, right);
            RunDetail a = runs.get(0);
            RunDetail b = runs.get(1);
            RunComparison comparison = RunComparison.of(a, b, RunsCommand::duration);
            if (format == Format.JSON) {
                out().println(HistoryJson.compare(a, b, comparison));
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ITEM", a.summary().runId(), b.summary().runId()});
            for (RunComparison.Row row : comparison.rows()) {
                if (all || row.differs()) {
                    rows.add(new String[] {(row.differs() ? "* " : "  ") + row.item(), row.left(), row.right()});
                }
            }
            Table.print(out(), rows);
            out().println(comparison.differences() == 0 ? "no differences in " + comparison.rows().size() + " items"
                    : comparison.differences() + " of " + comparison.rows().size() + " items differ"
                    + (all ? " (marked *)" : "; --all shows every item"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Show one run: steps, partitions, checks and timing.")
    static final class Show extends BaseCommand {
        enum Format { TEXT, JSON }

        @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run's id.")
        String runId;

        @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format. Default: ${DEFAULT-VALUE}.")
        Format format;

        @Mixin
        HistoryTarget history;

        @Override
        public Integer call() {
            RunDetail detail = history.runs(this, runId).get(0);
            if (format == Format.JSON) {
                out().println(HistoryJson.show(detail));
            } else {
                print(out(), detail);
            }
            return ExitCodes.OK;
        }

        static void print(PrintWriter out, RunDetail d) {
            RunSummary r = d.summary();
            out.println("run       " + r.runId());
            out.println("pipeline  " + r.tenant() + "/" + r.pipeline() + r.pipelineVersion().map(v -> " (" + v + ")").orElse(""));
            out.println("target    " + r.target());
            out.println("state     " + r.state() + r.errorCode().map(c -> " " + c).orElse(""));
            // continuation lines (a SQL error's excerpt of the file) stay under the message
            r.errorMessage().ifPresent(m -> out.println("message   " + m.replace("\n", "\n          ")));
            out.println("started   " + TIME.format(r.startedAt()) + " UTC" + r.host().map(h -> " on " + h).orElse("")
                    + r.user().map(u -> " by " + u).orElse(""));
            r.duration().ifPresent(x -> out.println("duration  " + duration(x)));
            if (!r.parameters().isEmpty()) {
                out.println("params    " + r.parameters());
            }
            r.resumedFrom().ifPresent(x -> out.println("resumes   " + x));
            if (d.steps().isEmpty() && d.partitions().isEmpty()) {
                // failed before its first step (the warehouse or the lock store could not be reached): nothing ran
                return;
            }
            out.println();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"STEP", "PARTITION", "STATE", "ATTEMPT", "ROWS", "DURATION", "MESSAGE"});
            for (StepRecord s : d.steps()) {
                rows.add(stepRow(s));
            }
            for (StepRecord s : d.partitions()) {
                rows.add(stepRow(s));
            }
            Table.print(out, rows);
            if (!d.checks().isEmpty()) {
                out.println();
                List<String[]> checks = new ArrayList<>();
                checks.add(new String[] {"CHECK", "STEP", "PARTITION", "SEVERITY", "RESULT", "FAILING ROWS"});
                for (CheckRecord c : d.checks()) {
                    checks.add(new String[] {c.checkName(), c.stepId(), c.partition().orElse("-"), c.severity().orElse("-"),
                            c.passed() ? "pass" : c.result().toUpperCase(java.util.Locale.ROOT), Long.toString(c.failingRows())});
                }
                Table.print(out, checks);
            }
            printNotices(out, d.logs());
        }

        /** The run's warnings and errors (quarantined rows, retries, failures): why a state is what it is. */
        private static void printNotices(PrintWriter out, List<LogRecord> logs) {
            List<LogRecord> notices = logs.stream().filter(l -> l.level().equals("WARN") || l.level().equals("ERROR")).toList();
            if (notices.isEmpty()) {
                return;
            }
            out.println();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TIME (UTC)", "STEP", "LEVEL", "MESSAGE"});
            for (LogRecord l : notices.subList(0, Math.min(notices.size(), NOTICES_SHOWN))) {
                rows.add(new String[] {CLOCK_TIME.format(l.at()), l.stepId().map(id -> new UnitKey(id, l.partition()).toString())
                        .orElse("-"), l.level(), abbreviate(l.message(), 160)});
            }
            Table.print(out, rows);
            if (notices.size() > NOTICES_SHOWN) {
                out.println("... " + (notices.size() - NOTICES_SHOWN) + " more warnings and errors; --format json lists them all");
            }
        }

        private static String[] stepRow(StepRecord s) {
            return new String[] {s.stepId(), s.partition().orElse("-"), s.state().name(), Integer.toString(s.attempt()),
                    Long.toString(s.rows()), s.duration().map(RunsCommand::duration).orElse("-"),
                    s.errorMessage().map(m -> abbreviate(m, 70)).orElse("")};
        }
    }
}
