package io.convergence.app.ui;

import io.convergence.engine.config.WorkspaceLoader;
import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/** Asks the user for a workspace folder; tests pass one that answers without a native dialog. */
@FunctionalInterface
public interface WorkspaceChooser {
    Optional<Path> choose(Window owner, Optional<Path> current);

    /** The native folder dialog; a folder inside a workspace opens that workspace. */
    static WorkspaceChooser directoryChooser() {
        return (owner, current) -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Open workspace (the folder with workspace.yml)");
            current.map(Path::toFile).filter(File::isDirectory).ifPresent(chooser::setInitialDirectory);
            File chosen = chooser.showDialog(owner);
            if (chosen == null) {
                return Optional.empty();
            }
            Path folder = chosen.toPath();
            return Optional.of(WorkspaceLoader.findWorkspace(folder).orElse(folder));
        };
    }
}
