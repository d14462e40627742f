package io.convergence.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Window bounds, theme and recent workspaces survive a restart; a damaged file means defaults. */
class AppPreferencesTest {
    @TempDir
    Path temp;

    @Test
    void roundTripsAndKeepsEightRecentWorkspacesNewestFirst() {
        Path file = temp.resolve("nested/app.json");
        AppPreferences preferences = AppPreferences.load(file);
        assertThat(preferences.window()).isEmpty();
        assertThat(preferences.theme()).isEqualTo(Theme.LIGHT);
        preferences.setWindow(new AppPreferences.WindowBounds(10, 20, 1200, 780, false));
        preferences.setTheme(Theme.DARK);
        for (int i = 0; i < 10; i++) {
            preferences.addRecent(temp.resolve("ws" + i));
        }
        preferences.addRecent(temp.resolve("ws5"));
        preferences.save();

        AppPreferences again = AppPreferences.load(file);
        assertThat(again.window()).contains(new AppPreferences.WindowBounds(10, 20, 1200, 780, false));
        assertThat(again.theme()).isEqualTo(Theme.DARK);
        assertThat(again.recentWorkspaces()).hasSize(AppPreferences.MAX_RECENT)
                .startsWith(temp.resolve("ws5"), temp.resolve("ws9"), temp.resolve("ws8"));
    }

    @Test
    void damagedFileMeansDefaults() throws IOException {
        Path file = temp.resolve("app.json");
        Files.writeString(file, "{ not json");
        AppPreferences preferences = AppPreferences.load(file);
        assertThat(preferences.theme()).isEqualTo(Theme.LIGHT);
        assertThat(preferences.recentWorkspaces()).isEmpty();
    }
}
