package io.convergence.engine.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseContractTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class DuckDbWarehouseTest extends WarehouseContractTest {
    @Override
    protected Warehouse openWarehouse(Path dir) {
        return DuckDbWarehouse.open(dir, new DuckDbTarget(".convergence/warehouse.duckdb", 2, "512MB"));
    }

    @Test
    void aDatasetIsASchemaThatAnyDuckDbClientReads() throws Exception {
        TableId t = table("mart.orders");
        warehouse.createOrReplaceTable(t, sql("SELECT 7 AS id"), noCancel);
        Path file = ((DuckDbWarehouse) warehouse).file();
        assertThat(file).isEqualTo(tempDir.resolve(".convergence/warehouse.duckdb").toAbsolutePath().normalize());
        warehouse.close();
        warehouse = null;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
             ResultSet rs = c.createStatement().executeQuery("SELECT id, safe_divide(id, 0) FROM acme_mart.orders")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(7);
            assertThat(rs.getObject(2)).isNull();
        }
    }

    @Test
    void secondWriterProcessIsToldTheFileIsBusy() {
        // within one JVM DuckDB shares the instance; the lock error is what another process sees
        assertThat(DuckDbErrors.translate(new java.sql.SQLException("IO Error: Could not set lock on file \"x\": Conflicting lock is held"),
                "opening", null).code()).isEqualTo(ErrorCode.WAREHOUSE_UNAVAILABLE);
    }

    @Test
    void settingsApply() {
        Object limit = warehouse.query(sql("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t,"
                + " current_setting('TimeZone') AS tz"), 1, noCancel).rows().get(0);
        assertThat(limit.toString()).contains("2").contains("UTC");
    }

    @Test
    void unsupportedTypeIsNamed() {
        assertThatThrownBy(() -> DuckDbTypes.scalar("RANGE")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_NOT_AVAILABLE));
    }
}
