package io.convergence.designer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** A copy of the demo workspace (configs/) in a temp folder: real files, real comments. */
final class DemoWorkspace {
    static final Path SOURCE = Path.of("..", "configs").toAbsolutePath().normalize();

    private DemoWorkspace() {
    }

    static Path copyTo(Path target) {
        try (Stream<Path> paths = Files.walk(SOURCE)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path to = target.resolve(SOURCE.relativize(path).toString());
                if (path.toString().contains(".convergence")) {
                    continue;
                }
                if (Files.isDirectory(path)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(path, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static Path jaffle(Path workspace) {
        return workspace.resolve("tenants/jaffle/pipelines/jaffle_shop/pipeline.yml");
    }

    static Path dailySales(Path workspace) {
        return workspace.resolve("tenants/acme/pipelines/daily_sales/pipeline.yml");
    }
}
