package io.convergence.app.ui;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the app remembers between sessions: window bounds, theme and recent workspaces, in a small JSON file
 * ({@code ~/.convergence/app.json}). A missing or unreadable file means defaults; saving never throws.
 */
public final class AppPreferences {
    private static final Logger LOG = LoggerFactory.getLogger(AppPreferences.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Recent workspaces kept. */
    public static final int MAX_RECENT = 8;

    /** Window position and size, and whether it was maximized. */
    public record WindowBounds(double x, double y, double width, double height, boolean maximized) {
    }

    /** The file's content. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Data(WindowBounds window, String theme, List<String> recentWorkspaces) {
        public Data {
            recentWorkspaces = recentWorkspaces == null ? List.of() : List.copyOf(recentWorkspaces);
        }
    }

    private final Path file;
    private WindowBounds window;
    private Theme theme = Theme.LIGHT;
    private final List<Path> recent = new ArrayList<>();

    private AppPreferences(Path file) {
        this.file = requireNonNull(file, "file is null");
    }

    /** The user's preferences file. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".convergence", "app.json");
    }

    /** Reads {@code file}; defaults when it does not exist or cannot be read. */
    public static AppPreferences load(Path file) {
        AppPreferences preferences = new AppPreferences(file);
        if (!Files.isRegularFile(file)) {
            return preferences;
        }
        try {
            Data data = JSON.readValue(file.toFile(), Data.class);
            preferences.window = data.window();
            preferences.theme = Theme.parse(data.theme()).orElse(Theme.LIGHT);
            data.recentWorkspaces().stream().map(Path::of).forEach(preferences.recent::add);
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable preferences {}: {}", file, e.getMessage());
        }
        return preferences;
    }

    /** Writes the file (atomically, through a temporary file beside it). */
    public void save() {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(temp.toFile(), new Data(window, theme.name().toLowerCase(java.util.Locale.ROOT),
                    recent.stream().map(Path::toString).toList()));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not save preferences to {}: {}", file, e.getMessage());
        }
    }

    public Optional<WindowBounds> window() {
        return Optional.ofNullable(window);
    }

    public void setWindow(WindowBounds bounds) {
        this.window = bounds;
    }

    public Theme theme() {
        return theme;
    }

    public void setTheme(Theme value) {
        this.theme = requireNonNull(value, "value is null");
    }

    /** Most recent first. */
    public List<Path> recentWorkspaces() {
        return List.copyOf(recent);
    }

    /** Moves {@code workspace} to the front of the recent list. */
    public void addRecent(Path workspace) {
        Path normalized = workspace.toAbsolutePath().normalize();
        recent.remove(normalized);
        recent.add(0, normalized);
        while (recent.size() > MAX_RECENT) {
            recent.remove(recent.size() - 1);
        }
    }
}
