package io.convergence.engine.steps;

import io.convergence.engine.config.ModelBinder;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.Check;
import io.convergence.engine.model.ChecksFile;
import io.convergence.engine.validation.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a checks file at run time with the validator's own loader ({@link ModelBinder}), so what validates is
 * exactly what runs.
 */
public final class YamlChecksReader implements ChecksReader {
    @Override
    public List<Check> read(Path checksFile) {
        ModelBinder.Bound<ChecksFile> bound = ModelBinder.read(checksFile, ChecksFile.class);
        if (bound.hasErrors() || bound.value().isEmpty()) {
            String reasons = bound.problems().stream().filter(Problem::isError).limit(3)
                    .map(p -> p.location().display(null) + " " + p.code().id() + " " + p.message())
                    .collect(Collectors.joining("; "));
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, "checks file " + checksFile + " is not usable: " + reasons);
        }
        return bound.value().get().checks();
    }
}
