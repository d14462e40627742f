package io.convergence.engine.steps;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.StepContext;
import io.convergence.engine.run.RunEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Small helpers the runners share: files relative to pipeline.yml and log events. */
final class StepSupport {
    private StepSupport() {
    }

    static Path resolve(StepContext context, String relative) {
        return context.pipeline().dir().resolve(relative).normalize();
    }

    static String readText(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConvergenceException(ErrorCode.CONFIG_INVALID, what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    static String partitionKey(StepContext context) {
        return context.partition().map(p -> p.key()).orElse(null);
    }

    static void log(StepContext context, String level, String message) {
        context.events().onEvent(new RunEvent.LogLine(context.runId(), context.clock().instant(), context.step().id(),
                partitionKey(context), level, message));
    }

    static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
