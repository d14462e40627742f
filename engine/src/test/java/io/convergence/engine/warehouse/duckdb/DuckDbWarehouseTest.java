package io.convergence.engine.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.FileFormat;
import io.convergence.engine.model.SchemaField;
import io.convergence.engine.model.Source;
import io.convergence.engine.warehouse.FenceCheck;
import io.convergence.engine.warehouse.FileLoad;
import io.convergence.engine.warehouse.Publication;
import io.convergence.engine.warehouse.Quarantine;
import io.convergence.engine.warehouse.StagedLoad;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.Warehouse;
import io.convergence.engine.warehouse.WarehouseContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Arrays;
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

    // ---- appends that go straight to the target (DuckDbDirectAppend) ----

    @Test
    void anAppendWhoseRowsAllPassGoesStraightToTheTargetInvisibleUntilPublished() throws IOException {
        TableId target = existingOrders();
        Path csv = csv("id,amount\n2,20\n3,30\n");
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged).isInstanceOf(DuckDbDirectAppend.class);
            assertThat(staged.rowsRead()).isEqualTo(2);
            assertThat(staged.rowsRejected()).isZero();
            // appended but not committed: every other session still sees the table as it was
            assertThat(rows("SELECT count(*) FROM {{ ref('raw.orders') }}")).containsExactly(List.of(1L));
            assertThat(publishAppend(staged, target, FenceCheck.NONE))
                    .isEqualTo(new StagedLoad.LoadOutcome(2, 0));
        }
        assertThat(rows("SELECT id, amount FROM {{ ref('raw.orders') }} ORDER BY id"))
                .containsExactly(List.of(1L, 10L), List.of(2L, 20L), List.of(3L, 30L));
        assertThat(warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }

    @Test
    void aDirectAppendThatIsNotPublishedLeavesTheTargetAsItWas() throws IOException {
        TableId target = existingOrders();
        Path csv = csv("id,amount\n2,20\n3,30\n");
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged).isInstanceOf(DuckDbDirectAppend.class);
            FenceCheck lost = () -> {
                throw new ConvergenceException(ErrorCode.FENCING_REJECTED, "lease lost");
            };
            assertThatThrownBy(() -> publishAppend(staged, target, lost))
                    .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FENCING_REJECTED));
        }
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged.rowsRead()).isEqualTo(2);
            // closed without publishing
        }
        assertThat(rows("SELECT id, amount FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L, 10L));
        assertThat(warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }

    @Test
    void aRowThatFailsTheSchemaSendsTheAppendThroughStagingWithItsLine() throws IOException {
        TableId target = existingOrders();
        // line 3 is blank, line 4 fails the schema after parsing
        Path csv = csv("id,amount\n2,20\n\n3,thirty\n4,40\n");
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged).isInstanceOf(DuckDbStagedLoad.class);
            assertThat(staged.rowsRead()).isEqualTo(3);
            assertThat(staged.firstRejections(5)).singleElement().satisfies(r -> {
                assertThat(r.lineNumber()).isEqualTo(4);
                assertThat(r.reason()).contains("'thirty' is not a valid INT64");
            });
            assertThat(publishAppend(staged, target, FenceCheck.NONE))
                    .isEqualTo(new StagedLoad.LoadOutcome(2, 1));
        }
        assertThat(rows("SELECT id FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L), List.of(2L), List.of(4L));
        assertThat(rows("SELECT line_number FROM {{ ref('raw.orders_rejected') }}")).containsExactly(List.of(4L));
    }

    @Test
    void aBadRowInALaterFileRollsBackWhatEarlierFilesAppended() throws IOException {
        TableId target = existingOrders();
        Path first = Files.writeString(tempDir.resolve("a.csv"), "id,amount\n2,20\n");
        Path second = Files.writeString(tempDir.resolve("b.csv"), "id,amount\n3,x\n4,40\n");
        FileLoad two = new FileLoad(List.of(first, second), load(first, FileFormat.CSV, target).source(), load(first, FileFormat.CSV, target).schema(),
                target);
        try (StagedLoad staged = warehouse.stageFiles(two, Publication.append(target), quarantine(), noCancel)) {
            assertThat(staged).isInstanceOf(DuckDbStagedLoad.class);
            // nothing of a.csv stayed in the target from the abandoned direct append
            assertThat(rows("SELECT count(*) FROM {{ ref('raw.orders') }}")).containsExactly(List.of(1L));
            assertThat(staged.firstRejections(5)).singleElement().satisfies(r -> {
                assertThat(r.sourceFile()).isEqualTo(second.toString());
                assertThat(r.lineNumber()).isEqualTo(2);
            });
            assertThat(publishAppend(staged, target, FenceCheck.NONE)).isEqualTo(new StagedLoad.LoadOutcome(2, 1));
        }
        assertThat(rows("SELECT id FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L), List.of(2L), List.of(4L));
    }

    @Test
    void recordsTheReaderCannotParseKeepTheAppendDirectAndTheirLines() throws IOException {
        TableId target = existingOrders();
        Path csv = csv("id,amount\n2,20\n\n3,30,extra\n4,40\n");
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged).isInstanceOf(DuckDbDirectAppend.class);
            assertThat(staged.rowsRead()).isEqualTo(3);
            assertThat(staged.rowsRejected()).isEqualTo(1);
            assertThat(staged.firstRejections(5)).singleElement().satisfies(r -> assertThat(r.lineNumber()).isEqualTo(4));
            assertThat(publishAppend(staged, target, FenceCheck.NONE))
                    .isEqualTo(new StagedLoad.LoadOutcome(2, 1));
        }
        assertThat(rows("SELECT id FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L), List.of(2L), List.of(4L));
        assertThat(rows("SELECT run_id, line_number, raw_record FROM {{ ref('raw.orders_rejected') }}"))
                .containsExactly(List.of("run-2", 4L, "3,30,extra"));
    }

    @Test
    void aRefusedDirectAppendLoadsNothingAndQuarantinesItsRecords() throws IOException {
        TableId target = existingOrders();
        Path csv = csv("id,amount\n2,20\n3,30,extra\n4,40\n");
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged).isInstanceOf(DuckDbDirectAppend.class);
            assertThat(staged.quarantineOnly(quarantine(), noCancel)).isEqualTo(1);
        }
        assertThat(rows("SELECT id FROM {{ ref('raw.orders') }}")).containsExactly(List.of(1L));
        assertThat(rows("SELECT line_number FROM {{ ref('raw.orders_rejected') }}")).containsExactly(List.of(3L));
        assertThat(warehouse.listTables("acme_raw")).containsExactly("orders", "orders_rejected");
    }

    @Test
    void aTargetThatDoesNotMatchTheSchemaIsStagedAndRefusedAsBefore() throws IOException {
        TableId target = table("raw.orders");
        warehouse.createOrReplaceTable(target, sql("SELECT 1 AS id, 'x' AS label"), noCancel);
        Path csv = csv("id,amount\n2,20\n");
        try (StagedLoad staged = stageAppend(csv, target)) {
            assertThat(staged).isInstanceOf(DuckDbStagedLoad.class);
            assertThatThrownBy(() -> publishAppend(staged, target, FenceCheck.NONE))
                    .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_MISMATCH));
        }
        assertThat(rows("SELECT id FROM {{ ref('raw.orders') }}")).containsExactly(List.of(1L));
    }

    @Test
    void ndjsonAndParquetAppendsGoStraightInWhenEveryRowPasses() throws IOException {
        TableId target = existingOrders();
        // a blank NDJSON line is no record, so it does not send the append through staging
        Path ndjson = Files.writeString(tempDir.resolve("orders.ndjson"), "{\"id\": 2, \"amount\": 20}\n\n{\"id\": 3}\n");
        try (StagedLoad staged = stageAppend(ndjson, FileFormat.NDJSON, target)) {
            assertThat(staged).isInstanceOf(DuckDbDirectAppend.class);
            assertThat(staged.rowsRead()).isEqualTo(2);
            assertThat(publishAppend(staged, target, FenceCheck.NONE)).isEqualTo(new StagedLoad.LoadOutcome(2, 0));
        }
        Path parquet = tempDir.resolve("orders.parquet");
        warehouse.execute(io.convergence.engine.warehouse.BoundSql.of("COPY (SELECT * FROM (VALUES (40, 4), (50, 5)) AS t(amount, id)) TO '"
                + parquet + "' (FORMAT parquet)"), noCancel);
        try (StagedLoad staged = stageAppend(parquet, FileFormat.PARQUET, target)) {
            assertThat(staged).isInstanceOf(DuckDbDirectAppend.class);
            assertThat(publishAppend(staged, target, FenceCheck.NONE)).isEqualTo(new StagedLoad.LoadOutcome(2, 0));
        }
        assertThat(rows("SELECT id, amount FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L, 10L),
                List.of(2L, 20L), Arrays.asList(3L, null), List.of(4L, 40L), List.of(5L, 50L));
    }

    @Test
    void anNdjsonLineThatIsNotAnObjectSendsTheAppendThroughStagingWithItsLine() throws IOException {
        TableId target = existingOrders();
        Path ndjson = Files.writeString(tempDir.resolve("orders.ndjson"), "{\"id\": 2, \"amount\": 20}\n\n[1, 2]\n{\"id\": 4}\n");
        try (StagedLoad staged = stageAppend(ndjson, FileFormat.NDJSON, target)) {
            assertThat(staged).isInstanceOf(DuckDbStagedLoad.class);
            assertThat(staged.firstRejections(5)).singleElement().satisfies(r -> {
                assertThat(r.lineNumber()).isEqualTo(3);
                assertThat(r.reason()).isEqualTo("not a JSON object");
            });
            assertThat(publishAppend(staged, target, FenceCheck.NONE)).isEqualTo(new StagedLoad.LoadOutcome(2, 1));
        }
        assertThat(rows("SELECT id FROM {{ ref('raw.orders') }} ORDER BY id")).containsExactly(List.of(1L), List.of(2L), List.of(4L));
    }

    private StagedLoad stageAppend(Path csv, TableId target) {
        return stageAppend(csv, FileFormat.CSV, target);
    }

    private StagedLoad stageAppend(Path file, FileFormat format, TableId target) {
        return warehouse.stageFiles(load(file, format, target), Publication.append(target), quarantine(), noCancel);
    }

    private StagedLoad.LoadOutcome publishAppend(StagedLoad staged, TableId target, FenceCheck fence) {
        return staged.publish(quarantine(), Publication.append(target), fence, noCancel);
    }

    private TableId existingOrders() {
        TableId target = table("raw.orders");
        warehouse.createOrReplaceTable(target, sql("SELECT CAST(1 AS INT64) AS id, CAST(10 AS INT64) AS amount"), noCancel);
        return target;
    }

    private Path csv(String text) throws IOException {
        return Files.writeString(tempDir.resolve("orders.csv"), text);
    }

    private static FileLoad load(Path file, FileFormat format, TableId target) {
        return new FileLoad(List.of(file), new Source(file.toString(), format, format == FileFormat.CSV, ",", 0),
                List.of(new SchemaField("id", "INT64", "REQUIRED", null, null), new SchemaField("amount", "INT64", "NULLABLE", null, null)),
                target);
    }

    private Quarantine quarantine() {
        return new Quarantine(table("raw.orders_rejected"), "run-2", Instant.parse("2024-03-02T00:00:00Z"));
    }
}
