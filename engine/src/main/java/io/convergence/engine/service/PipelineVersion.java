package io.convergence.engine.service;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The version of a pipeline that ran: a content hash over pipeline.yml and every sql, schema and checks file
 * beside it (data files excluded), so history says exactly which definition produced a result, with or without git.
 */
public final class PipelineVersion {
    private static final List<String> DEFINITION_FOLDERS = List.of("sql", "schemas", "checks");

    private PipelineVersion() {
    }

    /** {@code sha256:} plus the first 12 hex digits over the definition files of the pipeline in {@code dir}. */
    public static String of(Path pipelineFile) {
        Path dir = pipelineFile.getParent();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, dir, pipelineFile);
            for (String folder : DEFINITION_FOLDERS) {
                Path sub = dir.resolve(folder);
                if (Files.isDirectory(sub)) {
                    try (Stream<Path> files = Files.walk(sub)) {
                        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                            update(digest, dir, f);
                        }
                    }
                }
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (IOException | UncheckedIOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read pipeline files in " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static void update(MessageDigest digest, Path base, Path file) throws IOException {
        digest.update(base.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(Files.readAllBytes(file));
        digest.update((byte) 0);
    }
}
