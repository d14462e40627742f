package io.convergence.engine.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.exec.ParameterValue;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.PartitionGrain;
import io.convergence.engine.sql.SqlTemplate;
import io.convergence.engine.warehouse.duckdb.DuckDbDialect;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableNamesTest {
    private final TableNames names = new TableNames("acme", "{tenant}_{dataset}", DuckDbDialect.INSTANCE);

    @Test
    void mapsLogicalDatasetsByTheTenantsNaming() {
        assertThat(names.resolve("raw.orders")).isEqualTo(new TableId("acme_raw", "orders"));
        assertThat(names.quoted("mart.sales")).isEqualTo("\"acme_mart\".\"sales\"");
        assertThat(new TableNames("acme", "prod_{dataset}", DuckDbDialect.INSTANCE).resolve("raw.orders").dataset()).isEqualTo("prod_raw");
        assertThatThrownBy(() -> new TableNames("acme", "{tenant}_all", DuckDbDialect.INSTANCE))
                .isInstanceOfSatisfying(ConvergenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        assertThatThrownBy(() -> new TableNames("Acme!", "{tenant}_{dataset}", DuckDbDialect.INSTANCE)).isInstanceOf(ConvergenceException.class);
        assertThatThrownBy(() -> names.resolve("raw." + "x".repeat(129))).isInstanceOf(ConvergenceException.class);
    }

    @Test
    void renderedSqlBindsValuesInPlaceholderOrder() {
        SqlTemplate template = SqlTemplate.parse("SELECT * FROM {{ ref('raw.orders') }} WHERE d >= @start AND d < @end AND d <> @start");
        ParameterValue start = new ParameterValue(ParameterType.DATE, LocalDate.parse("2024-03-01"));
        ParameterValue end = new ParameterValue(ParameterType.DATE, LocalDate.parse("2024-03-02"));
        BoundSql bound = BoundSql.of(template.render(names::quoted, true), Map.of("start", start, "end", end));
        assertThat(bound.sql()).isEqualTo("SELECT * FROM \"acme_raw\".\"orders\" WHERE d >= ? AND d < ? AND d <> ?");
        assertThat(bound.parameters()).containsExactly(start, end, start);
        assertThat(bound.toString()).doesNotContain("2024").contains("3 bound parameters");
    }

    @Test
    void partitionBoundsFollowTheColumnType() {
        PartitionWindow day = new PartitionWindow("2024-03-01", PartitionGrain.DAY, LocalDateTime.parse("2024-03-01T00:00"),
                LocalDateTime.parse("2024-03-02T00:00"));
        assertThat(PartitionRange.of("d", "DATE", day).start()).isEqualTo(new ParameterValue(ParameterType.DATE, LocalDate.parse("2024-03-01")));
        assertThat(PartitionRange.of("t", "TIMESTAMP", day).end())
                .isEqualTo(new ParameterValue(ParameterType.TIMESTAMP, Instant.parse("2024-03-02T00:00:00Z")));
        PartitionWindow hour = new PartitionWindow("2024-03-01T10", PartitionGrain.HOUR, LocalDateTime.parse("2024-03-01T10:00"),
                LocalDateTime.parse("2024-03-01T11:00"));
        assertThatThrownBy(() -> PartitionRange.of("d", "DATE", hour)).isInstanceOf(ConvergenceException.class);
        assertThatThrownBy(() -> PartitionRange.of("s", "STRING", day)).hasMessageContaining("needs a DATE");
        assertThat(PartitionRange.windowBound(hour, true).type()).isEqualTo(ParameterType.TIMESTAMP);
        assertThat(PartitionRange.windowBound(day, false).value()).isEqualTo(LocalDate.parse("2024-03-02"));
        assertThat(List.of(BigQueryTypes.normalize("integer"), BigQueryTypes.normalize("RECORD"))).containsExactly("INT64", "STRUCT");
    }
}
