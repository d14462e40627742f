package io.convergence.engine.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON of {@code convergence runs --format json} and {@code runs show --format json}. The
 * field names and shapes below are a public contract for scripts: fields are only ever added.
 * Every field is always present (null when unknown); times are ISO-8601 UTC strings such as
 * {@code 2024-03-01T12:00:00Z}; durations are {@code *_ms} integers; states are lower case
 * ({@code queued running succeeded failed cancelled interrupted skipped}).
 *
 * <pre>
 * runs:  { "runs": [RUN...], "next_cursor": string|null }    next_cursor continues the listing
 * RUN:   { "run_id", "tenant", "pipeline", "target", "state", "started_at", "finished_at",
 *          "duration_ms", "rows", "bytes", "error_code", "message", "pipeline_version",
 *          "parameters": {name: value}, "host", "user", "resumed_from", "last_event_at" }
 * show:  { "run": RUN, "planned_steps": [id...], "planned_partitions": [key...],
 *          "steps": [STEP...], "partitions": [STEP...], "checks": [CHECK...],
 *          "logs": [LOG...], "locks": [LOCK...] }
 * STEP:  { "step_id", "partition" (null for steps), "state", "attempt", "rows", "bytes",
 *          "started_at", "finished_at", "duration_ms", "error_code", "message" }
 * CHECK: { "at", "step_id", "partition", "name", "type", "severity", "passed",
 *          "failing_rows", "example_rows": [string...], "detail", "result" }
 *        severity is what a failure did ("WARN" also for an error check of a step with on_failure: warn);
 *        result is "pass", "warn" (failed, reported only) or "fail"; checks are in plan order (step,
 *        partition, name)
 * LOG:   { "at", "step_id", "partition", "level", "message" }
 * LOCK:  { "at", "change", "epoch", "detail" }
 * </pre>
 * {@code message} is the error for a failed run or step, and the reason for a skipped,
 * cancelled or interrupted one.
 */
public final class HistoryJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HistoryJson() {
    }

    /** A page of runs; {@code nextCursor} is the cursor of the next page, if there may be one. */
    public static String runs(List<RunSummary> runs, Optional<HistoryQuery.Cursor> nextCursor) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode array = root.putArray("runs");
        runs.forEach(run -> array.add(run(run)));
        root.put("next_cursor", nextCursor.map(HistoryQuery.Cursor::encode).orElse(null));
        return write(root);
    }

    /** A page of runs fetched with {@code query}: offers a next cursor when the page is full. */
    public static String runs(List<RunSummary> runs, HistoryQuery query) {
        Optional<HistoryQuery.Cursor> next = runs.size() == query.limit() && !runs.isEmpty()
                ? Optional.of(runs.get(runs.size() - 1).cursor())
                : Optional.empty();
        return runs(runs, next);
    }

    public static String show(RunDetail detail) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("run", run(detail.summary()));
        ArrayNode planned = root.putArray("planned_steps");
        detail.plannedSteps().forEach(planned::add);
        ArrayNode plannedPartitions = root.putArray("planned_partitions");
        detail.plannedPartitions().forEach(plannedPartitions::add);
        ArrayNode steps = root.putArray("steps");
        detail.steps().forEach(s -> steps.add(step(s)));
        ArrayNode partitions = root.putArray("partitions");
        detail.partitions().forEach(s -> partitions.add(step(s)));
        ArrayNode checks = root.putArray("checks");
        for (CheckRecord check : detail.checks()) {
            ObjectNode node = checks.addObject();
            node.put("at", time(check.at()));
            node.put("step_id", check.stepId());
            node.put("partition", check.partition().orElse(null));
            node.put("name", check.checkName());
            node.put("type", check.checkType().orElse(null));
            node.put("severity", check.severity().orElse(null));
            node.put("passed", check.passed());
            node.put("failing_rows", check.failingRows());
            ArrayNode examples = node.putArray("example_rows");
            check.exampleRows().forEach(examples::add);
            node.put("detail", check.detail().orElse(null));
            node.put("result", check.result());
        }
        ArrayNode logs = root.putArray("logs");
        for (LogRecord line : detail.logs()) {
            ObjectNode node = logs.addObject();
            node.put("at", time(line.at()));
            node.put("step_id", line.stepId().orElse(null));
            node.put("partition", line.partition().orElse(null));
            node.put("level", line.level());
            node.put("message", line.message());
        }
        ArrayNode locks = root.putArray("locks");
        for (LockRecord lock : detail.locks()) {
            ObjectNode node = locks.addObject();
            node.put("at", time(lock.at()));
            node.put("change", lock.change());
            node.put("epoch", lock.epoch());
            node.put("detail", lock.detail().orElse(null));
        }
        return write(root);
    }

    /**
     * {@code convergence runs compare --format json}: both runs' RUN objects, how many items differ, and every
     * compared item ({@code item}, {@code left}, {@code right}, {@code differs}) in the order shown.
     */
    public static String compare(RunDetail left, RunDetail right, RunComparison comparison) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("left", run(left.summary()));
        root.set("right", run(right.summary()));
        root.put("differences", comparison.differences());
        ArrayNode rows = root.putArray("items");
        for (RunComparison.Row row : comparison.rows()) {
            ObjectNode node = rows.addObject();
            node.put("item", row.item());
            node.put("left", row.left());
            node.put("right", row.right());
            node.put("differs", row.differs());
        }
        return write(root);
    }

    /** The RUN object. */
    public static ObjectNode run(RunSummary run) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("run_id", run.runId());
        node.put("tenant", run.tenant());
        node.put("pipeline", run.pipeline());
        node.put("target", run.target());
        node.put("state", run.state().name().toLowerCase(Locale.ROOT));
        node.put("started_at", time(run.startedAt()));
        node.put("finished_at", run.finishedAt().map(HistoryJson::time).orElse(null));
        node.put("duration_ms", run.duration().map(Duration::toMillis).orElse(null));
        node.put("rows", run.rows());
        node.put("bytes", run.bytes());
        node.put("error_code", run.errorCode().orElse(null));
        node.put("message", run.errorMessage().orElse(null));
        node.put("pipeline_version", run.pipelineVersion().orElse(null));
        ObjectNode parameters = node.putObject("parameters");
        new TreeMap<>(run.parameters()).forEach(parameters::put);
        node.put("host", run.host().orElse(null));
        node.put("user", run.user().orElse(null));
        node.put("resumed_from", run.resumedFrom().orElse(null));
        node.put("last_event_at", time(run.lastEventAt()));
        return node;
    }

    private static ObjectNode step(StepRecord step) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("step_id", step.stepId());
        node.put("partition", step.partition().orElse(null));
        node.put("state", step.state().name().toLowerCase(Locale.ROOT));
        node.put("attempt", step.attempt());
        node.put("rows", step.rows());
        node.put("bytes", step.bytes());
        node.put("started_at", step.startedAt().map(HistoryJson::time).orElse(null));
        node.put("finished_at", step.finishedAt().map(HistoryJson::time).orElse(null));
        node.put("duration_ms", step.duration().map(Duration::toMillis).orElse(null));
        node.put("error_code", step.errorCode().orElse(null));
        node.put("message", step.errorMessage().orElse(null));
        return node;
    }

    private static String time(Instant instant) {
        return instant.toString();
    }

    private static String write(ObjectNode root) {
        try {
            return MAPPER.writeValueAsString(root);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
