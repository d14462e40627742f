package io.convergence.engine.steps;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Expands a source URI (a file or glob such as {@code data/orders_*.csv}) relative to pipeline.yml. */
public final class FileGlob {
    private FileGlob() {
    }

    /**
     * The files' total size; a file gone since the glob ran counts nothing (the size only informs: a plan's
     * inputs, a step's statistics).
     */
    public static long totalBytes(List<Path> files) {
        long total = 0;
        for (Path f : files) {
            try {
                total += Files.size(f);
            } catch (IOException e) {
                // gone or unreadable: the step reading it says so
            }
        }
        return total;
    }

    /** Matching regular files in name order; empty when nothing matches. */
    public static List<Path> expand(Path baseDir, String uri) {
        String pattern = uri.replace('\\', '/');
        int firstGlob = indexOfGlob(pattern);
        if (firstGlob < 0) {
            Path file = baseDir.resolve(pattern).normalize();
            return Files.isRegularFile(file) ? List.of(file) : List.of();
        }
        int cut = pattern.lastIndexOf('/', firstGlob);
        Path root = baseDir.resolve(cut < 0 ? "." : pattern.substring(0, cut + 1)).normalize();
        String rest = cut < 0 ? pattern : pattern.substring(cut + 1);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        int depth = rest.contains("**") ? Integer.MAX_VALUE : rest.split("/").length;
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, depth)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(Path.of(root.relativize(p).toString().replace('\\', '/'))))
                    .sorted(Comparator.comparing(Path::toString))
                    .forEach(out::add);
        } catch (IOException | UncheckedIOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot list files for '" + uri + "' under " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static int indexOfGlob(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[{".indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
