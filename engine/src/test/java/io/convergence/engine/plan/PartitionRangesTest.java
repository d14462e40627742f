package io.convergence.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.exec.PartitionWindow;
import io.convergence.engine.model.PartitionGrain;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionRangesTest {

    @Test
    void dayRangeIsInclusive() {
        List<PartitionWindow> days = PartitionRanges.between(PartitionGrain.DAY, "2024-02-28", "2024-03-01");
        assertThat(days).extracting(PartitionWindow::key).containsExactly("2024-02-28", "2024-02-29", "2024-03-01");
        assertThat(days.get(1).start()).isEqualTo(LocalDateTime.of(2024, 2, 29, 0, 0));
        assertThat(days.get(1).end()).isEqualTo(LocalDateTime.of(2024, 3, 1, 0, 0));
    }

    @Test
    void boundsAreTruncatedToTheGrain() {
        assertThat(PartitionRanges.between(PartitionGrain.MONTH, "2023-11-15", "2024-01"))
                .extracting(PartitionWindow::key).containsExactly("2023-11", "2023-12", "2024-01");
        assertThat(PartitionRanges.between(PartitionGrain.YEAR, "2022", "2023-06-01"))
                .extracting(PartitionWindow::key).containsExactly("2022", "2023");
        assertThat(PartitionRanges.between(PartitionGrain.HOUR, "2024-03-01T22", "2024-03-02"))
                .extracting(PartitionWindow::key).containsExactly("2024-03-01T22", "2024-03-01T23", "2024-03-02T00");
        assertThat(PartitionRanges.between(PartitionGrain.DAY, "2024-03", "2024-03-02")).hasSize(2);
    }

    @Test
    void lookbackEndsAtTheRunDate() {
        assertThat(PartitionRanges.lookback(PartitionGrain.DAY, LocalDate.of(2024, 3, 1), 2))
                .extracting(PartitionWindow::key).containsExactly("2024-02-28", "2024-02-29", "2024-03-01");
        assertThat(PartitionRanges.lookback(PartitionGrain.MONTH, LocalDate.of(2024, 3, 15), 1))
                .extracting(PartitionWindow::key).containsExactly("2024-02", "2024-03");
        assertThat(PartitionRanges.defaultRange(new io.convergence.engine.model.Partitioning(PartitionGrain.DAY, 1), LocalDate.of(2024, 3, 1)))
                .extracting(PartitionWindow::key).containsExactly("2024-02-29", "2024-03-01");
        List<PartitionWindow> hours = PartitionRanges.lookback(PartitionGrain.HOUR, LocalDate.of(2024, 3, 1), 2);
        assertThat(hours).hasSize(26);
        assertThat(hours.get(0).key()).isEqualTo("2024-02-29T22");
        assertThat(hours.get(25).key()).isEqualTo("2024-03-01T23");
    }

    @Test
    void keysSortAsTime() {
        List<String> keys = PartitionRanges.between(PartitionGrain.HOUR, "2024-03-01T08", "2024-03-01T11").stream()
                .map(PartitionWindow::key).toList();
        assertThat(keys).isSorted();
    }

    @Test
    void parsesKeysOfExactlyTheGrain() {
        assertThat(PartitionRanges.parseKey(PartitionGrain.MONTH, "2024-03").end()).isEqualTo(LocalDateTime.of(2024, 4, 1, 0, 0));
        assertThat(PartitionRanges.parseKey(PartitionGrain.HOUR, "2024-03-01T05").start()).isEqualTo(LocalDateTime.of(2024, 3, 1, 5, 0));
        assertThatThrownBy(() -> PartitionRanges.parseKey(PartitionGrain.DAY, "2024-03"))
                .isInstanceOf(ConvergenceException.class).hasMessageContaining("such as 2024-03-01");
    }

    @Test
    void rejectsBadRanges() {
        assertThatThrownBy(() -> PartitionRanges.between(PartitionGrain.DAY, "2024-03-02", "2024-03-01"))
                .hasMessageContaining("starts (2024-03-02) after it ends (2024-03-01)");
        assertThatThrownBy(() -> PartitionRanges.between(PartitionGrain.DAY, "2024-02-30", "2024-03-01"))
                .hasMessageContaining("not a valid date");
        assertThatThrownBy(() -> PartitionRanges.between(PartitionGrain.DAY, "yesterday", "2024-03-01"))
                .hasMessageContaining("--from 'yesterday' is not a date");
        assertThatThrownBy(() -> PartitionRanges.between(PartitionGrain.HOUR, "1990", "2024"))
                .hasMessageContaining("at most 100000");
    }
}
