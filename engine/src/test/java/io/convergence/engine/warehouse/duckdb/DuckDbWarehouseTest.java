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
import java.util.List;
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
        List<Object> settings = warehouse.query(sql("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t,"
                + " current_setting('TimeZone') AS tz"), 1, noCancel).rows().get(0);
        // 512MB = 500,000 KiB, which DuckDB prints in MiB
        assertThat((String) settings.get(0)).startsWith("488.2");
        assertThat(settings.get(1)).isEqualTo(2L);
        assertThat(settings.get(2)).isEqualTo("UTC");
    }

    @Test
    void stagingTablesLeftByACrashAreDroppedAtOpen() {
        TableId orders = table("raw.orders");
        warehouse.createOrReplaceTable(orders, sql("SELECT 1 AS id"), noCancel);
        TableId leftover = warehouse.newStagingTable(orders);
        warehouse.createOrReplaceTable(leftover, sql("SELECT 1 AS id"), noCancel);
        warehouse.createOrReplaceTable(orders.sibling("cvg_stage_not_ours"), sql("SELECT 1 AS id"), noCancel);

        // a second warehouse on the same file in this JVM must not touch the first one's staging tables
        try (Warehouse second = openWarehouse(tempDir)) {
            assertThat(second.tableExists(leftover)).isTrue();
        }
        warehouse.close();
        warehouse = openWarehouse(tempDir);
        assertThat(warehouse.listTables("acme_raw")).containsExactly("cvg_stage_not_ours", "orders");
    }

    @Test
    void unsupportedTypeIsNamed() {
        assertThatThrownBy(() -> DuckDbTypes.scalar("RANGE")).isInstanceOfSatisfying(ConvergenceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_NOT_AVAILABLE));
    }
}
