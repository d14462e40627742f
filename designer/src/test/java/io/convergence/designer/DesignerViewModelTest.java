package io.convergence.designer;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.designer.DesignerViewModel.SaveOutcome;
import io.convergence.designer.task.CurrentThreadTaskExecutor;
import io.convergence.engine.graph.LayoutSidecar;
import io.convergence.engine.graph.Point;
import io.convergence.engine.model.Step;
import io.convergence.engine.model.TransformStep;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.ProblemCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The designer's view model without FX: files, validation, save and reload. */
class DesignerViewModelTest {
    @TempDir
    Path temp;
    Path file;
    DesignerViewModel model;
    String original;

    @BeforeEach
    void open() throws IOException {
        Path workspace = DemoWorkspace.copyTo(temp.resolve("ws"));
        file = DemoWorkspace.jaffle(workspace);
        original = Files.readString(file);
        model = DesignerViewModel.forFile(file, new CurrentThreadTaskExecutor());
        model.open();
    }

    @Test
    void opensValidLaidOutAndClean() {
        assertThat(model.pipeline().steps()).hasSize(10);
        assertThat(model.state().positions()).hasSize(10);
        assertThat(model.problems()).noneMatch(Problem::isError);
        assertThat(model.commands().dirtyProperty().get()).isFalse();
        assertThat(model.validationsProperty().get()).isPositive();
    }

    @Test
    void saveKeepsCommentsAndChangesOnlyTheEditedLines() throws IOException {
        String id = model.addStep("transform", new Point(900, 40));
        assertThat(model.connect("orders", id)).isTrue();
        assertThat(model.save(false)).isEqualTo(SaveOutcome.SAVED);
        String saved = Files.readString(file);
        assertThat(saved).startsWith(original.stripTrailing())
                .endsWith("  - id: transform_1\n    type: transform\n    depends_on: [orders]\n    sql: sql/transform_1.sql\n"
                        + "    target: mart.transform_1\n");
        assertThat(Files.readString(file.resolveSibling("sql/transform_1.sql"))).contains("SELECT 1");
        assertThat(LayoutSidecar.read(file)).containsKeys("transform_1", "orders").containsEntry("transform_1", new Point(900, 40));
        assertThat(model.commands().dirtyProperty().get()).isFalse();

        DesignerViewModel reopened = DesignerViewModel.forFile(file, new CurrentThreadTaskExecutor());
        reopened.open();
        assertThat(reopened.pipeline()).isEqualTo(model.pipeline());
        assertThat(reopened.state().positions()).isEqualTo(model.state().positions());
    }

    @Test
    void aRenameKeepsTheStepsTextOnSave() throws IOException {
        Step step = model.pipeline().step("stg_orders").orElseThrow();
        assertThat(model.editStep("stg_orders", step.withId("staged_orders"))).isTrue();
        assertThat(model.save(true)).isEqualTo(SaveOutcome.SAVED);
        assertThat(Files.readString(file)).isEqualTo(original.replace("id: stg_orders", "id: staged_orders")
                .replace("[stg_orders, stg_payments]", "[staged_orders, stg_payments]")
                .replace("[stg_customers, stg_orders, stg_payments]", "[stg_customers, staged_orders, stg_payments]"));
    }

    @Test
    void savingWithErrorsNeedsConfirmation() throws IOException {
        TransformStep orders = (TransformStep) model.pipeline().step("orders").orElseThrow();
        model.editStep("orders", new TransformStep("orders", orders.description(), orders.dependsOn(), 0, null, "sql/missing.sql",
                orders.target(), orders.write(), null, orders.clusterBy()));
        assertThat(model.problems()).anyMatch(p -> p.code() == ProblemCode.FILE_NOT_FOUND);
        assertThat(model.problemTargetsProperty().get().counts("orders").errors()).isPositive();
        assertThat(model.save(false)).isEqualTo(SaveOutcome.NEEDS_CONFIRMATION);
        assertThat(Files.readString(file)).isEqualTo(original);
        assertThat(model.save(true)).isEqualTo(SaveOutcome.SAVED);
        assertThat(Files.readString(file)).contains("sql: sql/missing.sql");
    }

    @Test
    void unsavedSqlIsValidatedFromTheBuffer() {
        TransformStep orders = (TransformStep) model.pipeline().step("orders").orElseThrow();
        model.setSql(orders.sql(), "SELECT * FROM orders_table");
        assertThat(model.problems()).anyMatch(p -> p.code() == ProblemCode.RAW_TABLE_REFERENCE);
        model.undo();
        assertThat(model.problems()).noneMatch(p -> p.code() == ProblemCode.RAW_TABLE_REFERENCE);
    }

    @Test
    void unsavedSqlIsAnalyzedAsBigQueryWouldAndEachStepKnowsItsColumns() {
        assertThat(model.columnsProperty().get().get("load_orders")).extracting(c -> c.name() + " " + c.type())
                .containsExactly("id INT64", "user_id INT64", "order_date DATE", "status STRING");
        assertThat(model.columnsProperty().get().get("stg_orders")).extracting(c -> c.name() + " " + c.type())
                .containsExactly("order_id INT64", "customer_id INT64", "order_date DATE", "status STRING");

        TransformStep staging = (TransformStep) model.pipeline().step("stg_orders").orElseThrow();
        model.setSql(staging.sql(), "SELECT id AS order_id, user_id AS customer_id, order_date, status, status = 1 AS odd\n"
                + "FROM {{ ref('raw.orders') }}\n");
        assertThat(model.problems()).filteredOn(p -> p.code() == ProblemCode.SQL_TYPE).singleElement().satisfies(p -> {
            assertThat(p.location().file().getFileName().toString()).isEqualTo("stg_orders.sql");
            assertThat(p.location().line()).isEqualTo(1);
            assertThat(p.location().column()).isEqualTo(68);
            assertThat(p.pointer()).isEqualTo("/steps/4/sql");
        });
        assertThat(model.problemTargetsProperty().get().counts("stg_orders").errors()).isPositive();
        // a step whose query does not analyze has no known columns, and what reads it is not analyzed either
        assertThat(model.columnsProperty().get()).doesNotContainKeys("stg_orders", "orders").containsKey("stg_payments");

        model.undo();
        assertThat(model.problems()).noneMatch(Problem::isError);
        assertThat(model.columnsProperty().get()).containsKeys("stg_orders", "orders", "customers");
    }

    @Test
    void anExternalChangeReloadsAsOneUndoableStep() throws IOException {
        Files.writeString(file, original.replace("description: One row per order with the amount paid per payment method.",
                "description: Orders, changed in another editor."));
        model.checkForExternalChange();
        assertThat(model.pipeline().step("orders").orElseThrow().description()).isEqualTo("Orders, changed in another editor.");
        assertThat(model.commands().dirtyProperty().get()).isFalse();
        assertThat(model.commands().undoDescriptionProperty().get()).isEqualTo("Reload pipeline.yml from disk");
        assertThat(model.state().positions()).hasSize(10);
    }

    @Test
    void anInvalidFileOnDiskNeverReplacesTheModel() throws IOException {
        List<Step> before = model.pipeline().steps();
        Files.writeString(file, original.replace("depends_on: [customers]", "depends_on: [no_such_step]"));
        model.checkForExternalChange();
        assertThat(model.pipeline().steps()).isEqualTo(before);
        assertThat(model.bannerProperty().get()).contains("keeping the last good model");
        assertThat(model.problems()).anyMatch(p -> p.code() == ProblemCode.UNKNOWN_DEPENDENCY);
        Files.writeString(file, "id: [broken");
        model.checkForExternalChange();
        assertThat(model.pipeline().steps()).isEqualTo(before);
    }

    @Test
    void unsavedEditsAreNotOverwrittenByAChangeOnDisk() throws IOException {
        model.addStep("ingest", new Point(0, 500));
        Files.writeString(file, original.replace("max_parallel: 4", "max_parallel: 2"));
        model.checkForExternalChange();
        assertThat(model.pipeline().maxParallel()).isEqualTo(4);
        assertThat(model.reloadOfferedProperty().get()).isTrue();
        model.reloadFromDisk();
        assertThat(model.pipeline().maxParallel()).isEqualTo(2);
        assertThat(model.pipeline().step("ingest_1")).isEmpty();
    }

    @Test
    void aFileThatDoesNotLoadOpensReadOnly() throws IOException {
        Files.writeString(file, "id: jaffle_shop\nsteps: [");
        DesignerViewModel broken = DesignerViewModel.forFile(file, new CurrentThreadTaskExecutor());
        broken.open();
        assertThat(broken.editableProperty().get()).isFalse();
        assertThat(broken.problems()).isNotEmpty();
        assertThat(broken.save(true)).isEqualTo(SaveOutcome.NOT_EDITABLE);
        assertThat(Files.readString(file)).isEqualTo("id: jaffle_shop\nsteps: [");
    }
}
