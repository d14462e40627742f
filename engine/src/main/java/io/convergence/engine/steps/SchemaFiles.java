package io.convergence.engine.steps;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.validation.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The schema file of an ingest step, read at run time by the same parser the validator uses
 * ({@link io.convergence.engine.config.SchemaFiles}), so a file that validates is a file that runs.
 */
public final class SchemaFiles {
    private SchemaFiles() {
    }

    public static List<SchemaField> read(Path file) {
        io.convergence.engine.config.SchemaFiles.Parsed parsed = io.convergence.engine.config.SchemaFiles.read(file);
        if (parsed.hasErrors() || parsed.fields().isEmpty()) {
            String reasons = parsed.problems().stream().filter(Problem::isError).limit(3)
                    .map(p -> p.location().display(null) + " " + p.code().id() + " " + p.message())
                    .collect(Collectors.joining("; "));
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "schema file " + file + " is not usable: "
                    + (reasons.isEmpty() ? "it declares no fields" : reasons));
        }
        return parsed.fields();
    }
}
