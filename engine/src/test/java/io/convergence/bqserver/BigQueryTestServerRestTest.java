package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.paging.Page;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Clustering;
import com.google.cloud.bigquery.Dataset;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.InsertAllRequest;
import com.google.cloud.bigquery.InsertAllResponse;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.TableResult;
import com.google.cloud.bigquery.TimePartitioning;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Datasets, tables, tabledata and insertAll through the real google-cloud-bigquery client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BigQueryTestServerRestTest {
    private static final String PROJECT = "test-project";
    private BigQueryTestServer server;
    private BigQuery bq;

    @BeforeAll
    void start() {
        server = BigQueryTestServer.start(0, null);
        bq = server.bigQuery(PROJECT);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void datasetsAreCreatedListedAndDeletedWithTheirLocation() {
        Dataset created = bq.create(DatasetInfo.newBuilder("crud_eu").setLocation("EU").setDescription("d").build());
        assertThat(created.getLocation()).isEqualTo("EU");
        assertThat(bq.getDataset("crud_eu").getLocation()).isEqualTo("EU");
        assertThat(bq.getDataset("crud_eu").getDescription()).isEqualTo("d");
        List<String> ids = new ArrayList<>();
        bq.listDatasets().iterateAll().forEach(d -> ids.add(d.getDatasetId().getDataset()));
        assertThat(ids).contains("crud_eu").doesNotContain(Catalog.TEMP_DATASET, Catalog.META_SCHEMA, "main");
        assertThatThrownBy(() -> bq.create(DatasetInfo.of("crud_eu")))
                .isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getReason()).isEqualTo("duplicate");
                });
        assertThat(bq.delete("crud_eu")).isTrue();
        assertThat(bq.getDataset("crud_eu")).isNull();
        assertThat(bq.delete("crud_eu")).isFalse();
    }

    @Test
    void deletingANonEmptyDatasetNeedsDeleteContents() {
        bq.create(DatasetInfo.of("crud_full"));
        bq.create(TableInfo.of(TableId.of("crud_full", "t"), StandardTableDefinition.of(Schema.of(Field.of("a", StandardSQLTypeName.INT64)))));
        assertThatThrownBy(() -> bq.delete("crud_full"))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("resourceInUse"));
        assertThat(bq.delete("crud_full", BigQuery.DatasetDeleteOption.deleteContents())).isTrue();
    }

    @Test
    void tablesKeepSchemaPartitioningAndClustering() {
        bq.create(DatasetInfo.of("crud_tables"));
        Schema schema = Schema.of(
                Field.newBuilder("id", StandardSQLTypeName.INT64).setMode(Field.Mode.REQUIRED).setDescription("key").build(),
                Field.of("name", StandardSQLTypeName.STRING),
                Field.of("amount", StandardSQLTypeName.NUMERIC),
                Field.of("day", StandardSQLTypeName.DATE),
                Field.of("at", StandardSQLTypeName.TIMESTAMP),
                Field.newBuilder("tags", StandardSQLTypeName.STRING).setMode(Field.Mode.REPEATED).build(),
                Field.of("address", StandardSQLTypeName.STRUCT, Field.of("city", StandardSQLTypeName.STRING)));
        StandardTableDefinition definition = StandardTableDefinition.newBuilder()
                .setSchema(schema)
                .setTimePartitioning(TimePartitioning.newBuilder(TimePartitioning.Type.DAY).setField("day").build())
                .setClustering(Clustering.newBuilder().setFields(List.of("name")).build())
                .build();
        Table created = bq.create(TableInfo.newBuilder(TableId.of("crud_tables", "orders"), definition).setDescription("orders").build());
        assertThat(created.getTableId().getTable()).isEqualTo("orders");

        Table table = bq.getTable("crud_tables", "orders");
        StandardTableDefinition got = table.getDefinition();
        assertThat(got.getType()).isEqualTo(TableDefinition_TYPE_TABLE());
        assertThat(got.getSchema().getFields()).extracting(Field::getName)
                .containsExactly("id", "name", "amount", "day", "at", "tags", "address");
        assertThat(got.getSchema().getFields().get("id").getMode()).isEqualTo(Field.Mode.REQUIRED);
        assertThat(got.getSchema().getFields().get("id").getDescription()).isEqualTo("key");
        assertThat(got.getSchema().getFields().get("id").getType()).isEqualTo(LegacySQLTypeName.INTEGER);
        assertThat(got.getSchema().getFields().get("amount").getType()).isEqualTo(LegacySQLTypeName.NUMERIC);
        assertThat(got.getSchema().getFields().get("at").getType()).isEqualTo(LegacySQLTypeName.TIMESTAMP);
        assertThat(got.getSchema().getFields().get("tags").getMode()).isEqualTo(Field.Mode.REPEATED);
        assertThat(got.getSchema().getFields().get("address").getSubFields()).extracting(Field::getName).containsExactly("city");
        assertThat(got.getTimePartitioning().getField()).isEqualTo("day");
        assertThat(got.getTimePartitioning().getType()).isEqualTo(TimePartitioning.Type.DAY);
        assertThat(got.getClustering().getFields()).containsExactly("name");
        assertThat(got.getNumRows()).isZero();
        assertThat(table.getDescription()).isEqualTo("orders");

        List<String> names = new ArrayList<>();
        bq.listTables("crud_tables").iterateAll().forEach(t -> names.add(t.getTableId().getTable()));
        assertThat(names).containsExactly("orders");

        assertThatThrownBy(() -> bq.create(TableInfo.of(TableId.of("crud_tables", "orders"), definition)))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        Table patched = bq.update(table.toBuilder().setDescription("changed").build());
        assertThat(patched.getDescription()).isEqualTo("changed");
        assertThat(bq.delete(TableId.of("crud_tables", "orders"))).isTrue();
        assertThat(bq.getTable("crud_tables", "orders")).isNull();
        assertThat(bq.delete(TableId.of("crud_tables", "orders"))).isFalse();
    }

    private static com.google.cloud.bigquery.TableDefinition.Type TableDefinition_TYPE_TABLE() {
        return com.google.cloud.bigquery.TableDefinition.Type.TABLE;
    }

    @Test
    void missingDatasetIsNotFound() {
        assertThatThrownBy(() -> bq.create(TableInfo.of(TableId.of("nope", "t"),
                StandardTableDefinition.of(Schema.of(Field.of("a", StandardSQLTypeName.INT64))))))
                .isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getReason()).isEqualTo("notFound");
                    assertThat(e.getMessage()).contains("Not found: Dataset test-project:nope");
                });
    }

    @Test
    void insertAllRowsAreListedWithPaging() {
        bq.create(DatasetInfo.of("crud_data"));
        TableId id = TableId.of("crud_data", "events");
        bq.create(TableInfo.of(id, StandardTableDefinition.of(Schema.of(
                Field.newBuilder("n", StandardSQLTypeName.INT64).setMode(Field.Mode.REQUIRED).build(),
                Field.of("s", StandardSQLTypeName.STRING),
                Field.of("at", StandardSQLTypeName.TIMESTAMP),
                Field.newBuilder("tags", StandardSQLTypeName.STRING).setMode(Field.Mode.REPEATED).build()))));
        InsertAllRequest.Builder request = InsertAllRequest.newBuilder(id);
        for (int i = 0; i < 25; i++) {
            request.addRow("id-" + i, Map.of("n", i, "s", "row " + i, "at", "2024-01-0" + (1 + i % 9) + " 10:00:00 UTC", "tags", List.of("a", "b")));
        }
        InsertAllResponse response = bq.insertAll(request.build());
        assertThat(response.hasErrors()).isFalse();
        // the same insert ids again are deduplicated, like BigQuery's best-effort deduplication
        assertThat(bq.insertAll(request.build()).hasErrors()).isFalse();

        TableResult page = bq.listTableData(id, BigQuery.TableDataListOption.pageSize(10));
        assertThat(page.getTotalRows()).isEqualTo(25);
        List<FieldValueList> rows = new ArrayList<>();
        page.iterateAll().forEach(rows::add);
        assertThat(rows).hasSize(25);
        Schema schema = bq.getTable(id).getDefinition().getSchema();
        TableResult withSchema = bq.listTableData(id, schema);
        FieldValueList first = withSchema.getValues().iterator().next();
        assertThat(first.get("n").getLongValue()).isZero();
        assertThat(first.get("s").getStringValue()).isEqualTo("row 0");
        assertThat(first.get("at").getTimestampValue()).isEqualTo(1704103200_000_000L);
        assertThat(first.get("tags").getRepeatedValue()).extracting(v -> v.getStringValue()).containsExactly("a", "b");

        InsertAllResponse bad = bq.insertAll(InsertAllRequest.newBuilder(id)
                .addRow(Map.of("n", 100))
                .addRow(Map.of("s", "no n"))
                .addRow(Map.of("n", "not a number"))
                .build());
        assertThat(bad.getInsertErrors()).containsOnlyKeys(0L, 1L, 2L);
        assertThat(bad.getErrorsFor(1L).get(0).getReason()).isEqualTo("invalid");
        assertThat(bad.getErrorsFor(0L).get(0).getReason()).isEqualTo("stopped");
        assertThat(bq.getTable(id).getNumRows().longValue()).isEqualTo(25);
    }

    @Test
    void datasetListPages() {
        for (int i = 0; i < 3; i++) {
            bq.create(DatasetInfo.of("page_ds_" + i));
        }
        Page<Dataset> page = bq.listDatasets(BigQuery.DatasetListOption.pageSize(1));
        List<String> ids = new ArrayList<>();
        page.iterateAll().forEach(d -> ids.add(d.getDatasetId().getDataset()));
        assertThat(ids).contains("page_ds_0", "page_ds_1", "page_ds_2");
    }
}
