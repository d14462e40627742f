package io.convergence.app.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.app.fx.AppFixtureFiles;
import io.convergence.app.ui.CurrentThreadTaskExecutor;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.service.RunService;
import io.convergence.engine.service.StandardBackends;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The locks screen's logic without JavaFX, on a real state store. */
class LocksViewModelTest {
    @TempDir
    Path temp;

    @Test
    void leasesOverHalfAreFlaggedAndReleaseNeedsAReason() {
        Path root = temp.resolve("ws");
        AppFixtureFiles.copyDemo(root);
        LoadedWorkspace workspace = WorkspaceLoader.load(root).workspace().orElseThrow();
        try (RunService service = new RunService(workspace, workspace.config(), Clock.systemUTC(), StandardBackends.factory())) {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            service.locks().store().tryAcquire(new LockKey("acme", "web_events"), new LockHolder("desk", "ana", 4242, "r-old"),
                    Duration.ofMinutes(2), now.minusSeconds(80));
            service.locks().store().tryAcquire(new LockKey("acme", "daily_sales"), new LockHolder("desk", "ana", 4243, "r-new"),
                    Duration.ofMinutes(2), now.minusSeconds(5));
            LocksViewModel model = new LocksViewModel(new CurrentThreadTaskExecutor(), () -> Optional.of(service),
                    Clock.fixed(now, ZoneOffset.UTC), "admin@desk");

            model.refresh();

            assertThat(model.locks()).extracting(LocksViewModel.LockRow::key).containsExactly("acme/daily_sales", "acme/web_events");
            assertThat(model.locks()).extracting(LocksViewModel.LockRow::overHalfLease).containsExactly(false, true);
            assertThat(model.locks().get(1).age()).isEqualTo(Duration.ofSeconds(80));
            assertThat(model.canReleaseProperty().get()).isFalse();
            model.selectedProperty().set(model.locks().get(1));
            assertThat(model.canReleaseProperty().get()).as("no reason yet").isFalse();
            model.reasonProperty().set("   ");
            assertThat(model.canReleaseProperty().get()).isFalse();
            model.reasonProperty().set("holder crashed");
            assertThat(model.canReleaseProperty().get()).isTrue();
            assertThat(model.confirmationText()).contains("acme/web_events", "r-old", "pid 4242", "Reason: holder crashed");

            model.forceRelease();

            assertThat(model.locks()).extracting(LocksViewModel.LockRow::key).containsExactly("acme/daily_sales");
            assertThat(model.messageProperty().get()).startsWith("Released acme/web_events");
            assertThat(model.reasonProperty().get()).isEmpty();
            assertThat(service.locks().forceReleaseHistory(Optional.empty(), 5)).singleElement()
                    .satisfies(r -> assertThat(r.by()).isEqualTo("admin@desk"));
        }
    }
}
