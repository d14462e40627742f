package io.convergence.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.lock.SqliteLockStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doctor against real files: a workspace on disk, a real SQLite state store and a real DuckDB file. */
class DoctorTest {
    private static final Instant NOW = Instant.parse("2024-06-10T12:00:00Z");

    @TempDir
    Path root;

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void workspace() throws IOException {
        Files.writeString(root.resolve("workspace.yml"), """
                default_target: local
                targets:
                  local: { type: duckdb, path: .convergence/warehouse.duckdb }
                  prod: { type: bigquery, project: my-project, credentials: none, endpoint: "http://127.0.0.1:1" }
                state: { path: .convergence/state.db }
                """);
    }

    private List<HealthCheck> check(Optional<String> target) {
        return new Doctor(WorkspaceLoader::load, UnaryOperator.identity(), clock).check(root, target);
    }

    private static HealthCheck byId(List<HealthCheck> checks, String id) {
        return checks.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void freshWorkspaceIsHealthy() {
        List<HealthCheck> checks = check(Optional.empty());
        assertThat(checks).extracting(HealthCheck::id)
                .containsExactly("java", "workspace", "state", "locks", "disk", "target.local");
        assertThat(checks).allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(HealthStatus.PASS));
        assertThat(byId(checks, "state").detail()).contains("does not exist yet");
        assertThat(byId(checks, "target.local").detail()).contains("answered 'select 1'");
        assertThat(Doctor.healthy(checks)).isTrue();
    }

    @Test
    void damagedStateStoreFailsWithAFix() throws IOException {
        Files.createDirectories(root.resolve(".convergence"));
        Files.writeString(root.resolve(".convergence/state.db"), "this is not a database, it is a text file of some length".repeat(40));
        List<HealthCheck> checks = check(Optional.empty());
        HealthCheck state = byId(checks, "state");
        assertThat(state.status()).isEqualTo(HealthStatus.FAIL);
        assertThat(state.fix()).hasValueSatisfying(fix -> assertThat(fix).contains("move it away"));
        assertThat(Doctor.healthy(checks)).isFalse();
    }

    @Test
    void intactStateStorePassesIntegrityCheckAndExpiredLocksFail() {
        Path file = root.resolve(".convergence/state.db");
        try (SqliteLockStore store = SqliteLockStore.open(file)) {
            store.tryAcquire(new LockKey("acme", "sales"), new LockHolder("h", "u", 42, "r-dead"), Duration.ofMinutes(2),
                    NOW.minus(Duration.ofHours(1)));
            store.tryAcquire(new LockKey("acme", "live"), new LockHolder("h", "u", 43, "r-live"), Duration.ofMinutes(2),
                    NOW.minusSeconds(10));
        }
        List<HealthCheck> checks = check(Optional.empty());
        assertThat(byId(checks, "state").status()).isEqualTo(HealthStatus.PASS);
        assertThat(byId(checks, "state").detail()).endsWith("integrity_check ok");
        HealthCheck locks = byId(checks, "locks");
        assertThat(locks.status()).isEqualTo(HealthStatus.FAIL);
        assertThat(locks.detail()).isEqualTo("1 expired: acme/sales (run r-dead, pid 42)");
        assertThat(locks.fix().orElseThrow()).contains("convergence locks");
    }

    @Test
    void anUnreachableBigQueryTargetFailsWithAFix() {
        List<HealthCheck> checks = check(Optional.of("prod"));
        HealthCheck target = byId(checks, "target.prod");
        assertThat(target.status()).isEqualTo(HealthStatus.FAIL);
        assertThat(target.detail()).contains("project my-project", "connectivity", "does not answer");
        assertThat(target.fix()).hasValueSatisfying(fix -> assertThat(fix).contains("endpoint"));
        // the metadata checks need a reachable API; the target check already says why there is none
        assertThat(checks).extracting(HealthCheck::id).doesNotContain("target.prod.lock_table_acme");
        assertThat(Doctor.healthy(checks)).isFalse();
    }

    @Test
    void unknownTargetFailsNamingTheKnownOnes() {
        HealthCheck target = byId(check(Optional.of("staging")), "target.staging");
        assertThat(target.status()).isEqualTo(HealthStatus.FAIL);
        assertThat(target.detail()).endsWith("it defines: local, prod");
    }

    @Test
    void brokenWorkspaceStopsAfterTheWorkspaceCheck() throws IOException {
        Files.writeString(root.resolve("workspace.yml"), "default_target: [oops\n");
        List<HealthCheck> checks = check(Optional.empty());
        assertThat(checks).extracting(HealthCheck::id).containsExactly("java", "workspace");
        assertThat(byId(checks, "workspace").status()).isEqualTo(HealthStatus.FAIL);
    }

    @Test
    void oldJavaFails() {
        Doctor doctor = new Doctor(WorkspaceLoader::load, UnaryOperator.identity(), clock, 11);
        HealthCheck java = doctor.java();
        assertThat(java.status()).isEqualTo(HealthStatus.FAIL);
        assertThat(java.detail()).isEqualTo("running on Java 11");
    }

    @Test
    void humanSizes() {
        assertThat(io.convergence.engine.model.DataSize.format(512)).isEqualTo("512 B");
        assertThat(io.convergence.engine.model.DataSize.format(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
    }
}
