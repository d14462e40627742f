package io.convergence.designer.model;

import io.convergence.engine.model.Check;
import io.convergence.engine.model.CheckSeverity;
import io.convergence.engine.model.ChecksSpec;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.IngestStep;
import io.convergence.engine.model.OnFailure;
import io.convergence.engine.model.Pipeline;
import io.convergence.engine.model.QualityStep;
import io.convergence.engine.model.Sample;
import io.convergence.engine.model.Source;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.model.WriteMode;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** New steps from the palette: valid, unique ids ({@code transform_3}) and placeholder values that pass the schema. */
public final class StepFactory {
    public static final List<String> TYPES = List.of("ingest", "transform", "quality");

    private StepFactory() {
    }

    /** The first free {@code <base>_<n>} id. */
    public static String uniqueId(Pipeline pipeline, String base) {
        Set<String> taken = pipeline.steps().stream().map(Step::id).collect(Collectors.toSet());
        String stem = base.length() > 56 ? base.substring(0, 56) : base;
        for (int n = 1; ; n++) {
            String id = stem + "_" + n;
            if (!taken.contains(id)) {
                return id;
            }
        }
    }

    public static Step create(String type, String id) {
        return switch (type) {
            case "ingest" -> new IngestStep(id, null, List.of(), 0, null, new Source("data/" + id + ".csv", FileFormat.CSV, true, ",", 0),
                    "schemas/" + id + ".json", "raw." + id, WriteMode.APPEND, null);
            case "transform" -> new TransformStep(id, null, List.of(), 0, null, "sql/" + id + ".sql", "mart." + id, WriteMode.REPLACE,
                    null, List.of());
            case "quality" -> new QualityStep(id, null, List.of(), 0, null, "mart." + id,
                    new ChecksSpec.Inline(List.of(new Check.RowCount(null, CheckSeverity.ERROR, 1L, null))), Sample.FULL, OnFailure.FAIL);
            default -> throw new IllegalArgumentException("unknown step type " + type);
        };
    }

    /** A copy of {@code step} with another id (paste). */
    public static Step copyOf(Step step, String newId, List<String> dependsOn) {
        return step.withId(newId).withDependsOn(dependsOn);
    }

    /** The default SQL of a new transform step: selects from what it will depend on. */
    public static String starterSql(String id) {
        return "-- " + id + ": BigQuery Standard SQL; name tables as {{ ref('dataset.table') }}\nSELECT 1 AS id\n";
    }
}
