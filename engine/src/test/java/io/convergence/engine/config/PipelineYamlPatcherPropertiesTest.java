package io.convergence.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.config.PipelineYamlPatcher.Result;
import io.convergence.engine.config.PipelineYamlPatcher.Strategy;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** load(patch(text, model)) == model for random designer edits, and the comments of untouched parts survive. */
class PipelineYamlPatcherPropertiesTest {
    private static final List<String> FILES = List.of("daily_sales.yml", "jaffle_shop.yml", "web_events.yml");
    private static final List<String> DESCRIPTIONS = List.of("plain", "with: colon", "# not a comment", "two\nlines", "'quoted'", "",
            "caf\u00e9 \u2713");

    /** One designer edit: kind, two picks and a text, interpreted against the current model. */
    record Op(int kind, int a, int b, String text) {
    }

    @Provide
    Arbitrary<List<Op>> edits() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 50), Arbitraries.of(DESCRIPTIONS)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 150)
    void patchedTextReadsBackAsTheModelAndKeepsComments(@ForAll("edits") List<Op> ops, @ForAll("files") String file) {
        String text = PipelineYamlPatcherTest.resource(file);
        Pipeline model = PipelineYamlPatcherTest.load(text);
        Map<String, String> renames = new HashMap<>();   // original id -> current id
        Set<String> deleted = new HashSet<>();           // original ids
        int counter = 0;
        for (Op op : ops) {
            List<Step> steps = new ArrayList<>(model.steps());
            if (steps.isEmpty()) {
                break;
            }
            int i = op.a() % steps.size();
            int j = op.b() % steps.size();
            Step step = steps.get(i);
            switch (op.kind()) {
                case 0 -> steps.set(i, describe(step, op.text().isEmpty() ? null : op.text()));
                case 1 -> {
                    if (i != j && !steps.get(j).dependsOn().contains(step.id())) {
                        List<String> deps = new ArrayList<>(steps.get(j).dependsOn());
                        deps.add(step.id());
                        steps.set(j, steps.get(j).withDependsOn(deps));
                    }
                }
                case 2 -> steps.set(i, step.withDependsOn(List.of()));
                case 3 -> steps.add(new TransformStep("added_" + counter++, op.text().isEmpty() ? null : op.text(), List.of(step.id()),
                        op.b() % 3, null, "sql/x.sql", "mart.added", WriteMode.REPLACE, null, List.of("a", "b")));
                case 4 -> {
                    if (steps.size() > 1) {
                        steps.remove(i);
                        String original = originalId(renames, step.id());
                        if (original != null) {
                            deleted.add(original);
                            renames.remove(original);
                        }
                        steps.replaceAll(s -> s.dependsOn().contains(step.id())
                                ? s.withDependsOn(s.dependsOn().stream().filter(d -> !d.equals(step.id())).toList()) : s);
                    }
                }
                case 5 -> {
                    String newId = "renamed_" + counter++;
                    String original = originalId(renames, step.id());
                    if (original != null) {
                        renames.put(original, newId);
                    }
                    steps.set(i, step.withId(newId));
                    steps.replaceAll(s -> s.dependsOn().contains(step.id())
                            ? s.withDependsOn(s.dependsOn().stream().map(d -> d.equals(step.id()) ? newId : d).toList()) : s);
                }
                default -> steps.set(i, retries(step, op.b() % 4));
            }
            model = model.withSteps(steps);
        }
        Map<String, String> effective = new HashMap<>();
        renames.forEach((original, current) -> {
            if (!original.equals(current)) {
                effective.put(original, current);
            }
        });
        Result result = PipelineYamlPatcher.patch(text, model, effective);
        assertThat(result.strategy()).as(result.reason()).isIn(Strategy.PATCHED, Strategy.UNCHANGED);
        assertThat(PipelineYamlPatcherTest.load(result.text())).isEqualTo(model);

        String header = text.substring(0, text.indexOf("\nsteps:") + "\nsteps:".length());
        assertThat(result.text()).startsWith(header);
        List<String> kept = commentsOutside(text, deleted);
        List<String> out = List.of(result.text().split("\n", -1));
        int at = 0;
        for (String comment : kept) {
            int found = out.subList(at, out.size()).indexOf(comment);
            assertThat(found).as("comment kept in order: %s", comment).isGreaterThanOrEqualTo(0);
            at += found + 1;
        }
    }

    @Provide
    Arbitrary<String> files() {
        return Arbitraries.of(FILES);
    }

    private static String originalId(Map<String, String> renames, String currentId) {
        for (Map.Entry<String, String> entry : renames.entrySet()) {
            if (entry.getValue().equals(currentId)) {
                return entry.getKey();
            }
        }
        return currentId.startsWith("added_") ? null : currentId;
    }

    /** Whole-line comments of the original, leaving out those inside the blocks of deleted steps. */
    private static List<String> commentsOutside(String text, Set<String> deleted) {
        List<String> out = new ArrayList<>();
        boolean inDeleted = false;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("- id: ")) {
                inDeleted = deleted.contains(trimmed.substring(6).split("\\s")[0]);
            }
            if (trimmed.startsWith("#") && !inDeleted) {
                out.add(line);
            }
        }
        return out;
    }

    private static Step describe(Step step, String description) {
        if (step instanceof IngestStep s) {
            return new IngestStep(s.id(), description, s.dependsOn(), s.retries(), s.timeout(), s.source(), s.schema(), s.target(), s.write(),
                    s.badRows());
        }
        if (step instanceof TransformStep s) {
            return new TransformStep(s.id(), description, s.dependsOn(), s.retries(), s.timeout(), s.sql(), s.target(), s.write(),
                    s.partitionBy(), s.clusterBy());
        }
        QualityStep s = (QualityStep) step;
        return new QualityStep(s.id(), description, s.dependsOn(), s.retries(), s.timeout(), s.table(), s.checks(), s.sample(), s.onFailure());
    }

    private static Step retries(Step step, int retries) {
        if (step instanceof IngestStep s) {
            return new IngestStep(s.id(), s.description(), s.dependsOn(), retries, s.timeout(), s.source(), s.schema(), s.target(), s.write(),
                    s.badRows());
        }
        if (step instanceof TransformStep s) {
            return new TransformStep(s.id(), s.description(), s.dependsOn(), retries, s.timeout(), s.sql(), s.target(), s.write(),
                    s.partitionBy(), s.clusterBy());
        }
        QualityStep s = (QualityStep) step;
        return new QualityStep(s.id(), s.description(), s.dependsOn(), retries, s.timeout(), s.table(), s.checks(), s.sample(), s.onFailure());
    }
}
