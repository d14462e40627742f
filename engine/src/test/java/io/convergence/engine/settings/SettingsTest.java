package io.convergence.engine.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.StateSettings;
import io.convergence.engine.model.WorkspaceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static final WorkspaceConfig BASE = new WorkspaceConfig("local",
            Map.of("local", new DuckDbTarget(".convergence/warehouse.duckdb", 0, null),
                    "prod", new BigQueryTarget("my-project", "adc", "US", null, null)),
            new StateSettings(".convergence/state.db"),
            new LockSettings(Duration.ofMinutes(2), Duration.ofSeconds(20), 3, Duration.ofSeconds(5), Duration.ofSeconds(30)));

    @Test
    void noOverridesKeepsTheWorkspace() {
        assertThat(Settings.resolve(Map.of(), Map.of()).applyTo(BASE)).isEqualTo(BASE);
    }

    @Test
    void environmentOverridesWorkspaceAndFlagsOverrideEnvironment() {
        Settings s = Settings.resolve(
                Map.of("CONVERGENCE_TARGET", "prod", "CONVERGENCE_LOCK_LEASE", "5m", "CONVERGENCE_DUCKDB_THREADS", "2",
                        "CONVERGENCE_BIGQUERY_ENDPOINT", "http://127.0.0.1:9050"),
                Map.of(Setting.TARGET, "local"));
        WorkspaceConfig effective = s.applyTo(BASE);
        assertThat(effective.defaultTarget()).isEqualTo("local");
        assertThat(effective.locks().lease()).isEqualTo(Duration.ofMinutes(5));
        assertThat(effective.locks().heartbeat()).isEqualTo(Duration.ofSeconds(20));
        assertThat(((DuckDbTarget) effective.targets().get("local")).threads()).isEqualTo(2);
        assertThat(((BigQueryTarget) effective.targets().get("prod")).endpoint()).isEqualTo("http://127.0.0.1:9050");
    }

    @Test
    void everySettingIsMappedOrReadDirectly() {
        for (Setting s : Setting.values()) {
            assertThat(s.envName()).startsWith("CONVERGENCE_");
            assertThat(s.description()).isNotBlank();
        }
        assertThat(Setting.STATE_PATH.overridesWorkspace()).isTrue();
        assertThat(Setting.WORKSPACE.overridesWorkspace()).isFalse();
    }

    @Test
    void malformedValueNamesTheVariable() {
        Settings s = Settings.resolve(Map.of("CONVERGENCE_LOCK_HEARTBEAT", "soon"), Map.of());
        assertThatThrownBy(() -> s.applyTo(BASE))
                .isInstanceOf(ConvergenceException.class)
                .hasMessageContaining("CONVERGENCE_LOCK_HEARTBEAT")
                .satisfies(e -> assertThat(((ConvergenceException) e).code()).isEqualTo(ErrorCode.SETTING_INVALID));
    }

    @Test
    void envExampleIsGeneratedAndCommitted() throws Exception {
        Path committed = Path.of("..", ".env.example");
        String expected = Settings.envExample();
        if (Boolean.getBoolean("convergence.regenerate")) {
            Files.writeString(committed, expected);
        }
        assertThat(Files.readString(committed))
                .as(".env.example is stale: run mvn -pl engine test -Dtest=SettingsTest -Dconvergence.regenerate=true")
                .isEqualTo(expected);
        for (Setting s : Setting.values()) {
            assertThat(expected).contains(s.envName());
        }
    }
}
