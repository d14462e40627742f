package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import io.convergence.engine.lock.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Table expiration as BigQuery does it: past its expirationTime a table is gone for every API. */
class BigQueryTestServerExpirationTest {
    private static final Instant START = Instant.parse("2024-06-01T12:00:00Z");
    private final MutableClock clock = new MutableClock(START);
    private BigQueryTestServer server;
    private BigQuery bq;

    @BeforeEach
    void start() {
        server = BigQueryTestServer.start(BigQueryTestServer.Options.defaults().withClock(clock));
        bq = server.bigQuery("test-project");
        bq.create(DatasetInfo.of("exp"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<String> tables() {
        List<String> names = new ArrayList<>();
        bq.listTables("exp").iterateAll().forEach(t -> names.add(t.getTableId().getTable()));
        return names;
    }

    @Test
    void aTableCreatedThroughTheApiExpiresAtItsExpirationTime() throws InterruptedException {
        long expires = START.plus(Duration.ofHours(1)).toEpochMilli();
        bq.create(TableInfo.newBuilder(TableId.of("exp", "short"), StandardTableDefinition.of(Schema.of(Field.of("a", StandardSQLTypeName.INT64))))
                .setExpirationTime(expires).build());
        bq.create(TableInfo.of(TableId.of("exp", "forever"), StandardTableDefinition.of(Schema.of(Field.of("a", StandardSQLTypeName.INT64)))));
        bq.query(QueryJobConfiguration.of("INSERT INTO `test-project.exp.short` (a) VALUES (1)"));

        clock.advance(Duration.ofMinutes(59));
        assertThat(bq.getTable("exp", "short").getExpirationTime()).isEqualTo(expires);
        assertThat(tables()).containsExactly("forever", "short");

        clock.advance(Duration.ofMinutes(1));
        assertThat(bq.getTable("exp", "short")).isNull();
        assertThat(tables()).containsExactly("forever");
        assertThatThrownBy(() -> bq.query(QueryJobConfiguration.of("SELECT a FROM `test-project.exp.short`")))
                .isInstanceOfSatisfying(BigQueryException.class, e -> assertThat(e.getReason()).isEqualTo("notFound"));
        // the name is free again, without the old rows
        bq.create(TableInfo.of(TableId.of("exp", "short"), StandardTableDefinition.of(Schema.of(Field.of("a", StandardSQLTypeName.INT64)))));
        assertThat(bq.query(QueryJobConfiguration.of("SELECT COUNT(*) FROM `test-project.exp.short`")).getValues().iterator().next()
                .get(0).getLongValue()).isZero();
    }

    @Test
    void ddlExpirationTimestampOptionsSetTheExpirationTime() throws InterruptedException {
        bq.query(QueryJobConfiguration.of("CREATE TABLE `test-project.exp.literal` OPTIONS(expiration_timestamp = TIMESTAMP"
                + " '2024-06-01 14:00:00.000+00') AS SELECT 1 AS a"));
        bq.query(QueryJobConfiguration.of("CREATE TABLE `test-project.exp.relative` OPTIONS(expiration_timestamp ="
                + " TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 3 HOUR)) AS SELECT 1 AS a"));

        Table literal = bq.getTable("exp", "literal");
        assertThat(literal.getExpirationTime()).isEqualTo(Instant.parse("2024-06-01T14:00:00Z").toEpochMilli());
        assertThat(bq.getTable("exp", "relative").getExpirationTime()).isEqualTo(START.plus(Duration.ofHours(3)).toEpochMilli());

        clock.advance(Duration.ofHours(2));
        assertThat(tables()).containsExactly("relative");
        clock.advance(Duration.ofHours(1));
        assertThat(tables()).isEmpty();
        assertThat(bq.getTable("exp", "relative")).isNull();
    }
}
