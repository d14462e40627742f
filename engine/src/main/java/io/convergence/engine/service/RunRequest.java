package io.convergence.engine.service;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/** What a user asks to run: the CLI's {@code run} arguments and the app's launcher form. */
public record RunRequest(
        String pipeline,
        Optional<String> target,
        Map<String, String> parameters,
        Optional<String> from,
        Optional<String> to,
        Optional<String> resume) {
    public RunRequest {
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(target, "target is null");
        parameters = Map.copyOf(parameters);
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(resume, "resume is null");
    }

    public static RunRequest of(String pipeline) {
        return new RunRequest(pipeline, Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
