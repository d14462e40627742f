package io.convergence.engine.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Builds test workspaces: the valid base from test resources, optionally with an overlay of changed files. */
final class TestWorkspaces {
    static final String PIPELINE = "tenants/acme/pipelines/sales/pipeline.yml";
    /** Files of a case folder that describe the case instead of being part of the workspace. */
    static final List<String> CASE_FILES = List.of("expected.txt", "DELETE");

    private TestWorkspaces() {
    }

    static Path resource(String name) {
        URL url = TestWorkspaces.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the valid base workspace in {@code target}. */
    static Path base(Path target) {
        copyTree(resource("workspaces/base"), target);
        return target;
    }

    /** The base with the case's files laid over it and the paths listed in its DELETE file removed. */
    static Path withCase(Path caseDir, Path target) {
        base(target);
        try (Stream<Path> files = Files.walk(caseDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = caseDir.relativize(file);
                if (CASE_FILES.contains(relative.toString())) {
                    continue;
                }
                Path destination = target.resolve(relative.toString());
                Files.createDirectories(destination.getParent());
                Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
            }
            Path delete = caseDir.resolve("DELETE");
            if (Files.exists(delete)) {
                for (String line : Files.readAllLines(delete)) {
                    if (!line.isBlank()) {
                        deleteTree(target.resolve(line.trim()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path destination = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
