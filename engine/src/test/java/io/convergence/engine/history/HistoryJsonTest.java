package io.convergence.engine.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HistoryJsonTest {

    @Test
    void runListingHasStableFieldNames() {
        RunSummary run = new RunSummary("20240301T120000Z-ab12cd", "acme", "daily_sales", "local", RunState.FAILED,
                Instant.parse("2024-03-01T12:00:00Z"), Optional.of(Instant.parse("2024-03-01T12:00:03Z")), Optional.of(Duration.ofSeconds(3)),
                7, 70, Optional.of("CVG-2004"), Optional.of("bad sql"), Optional.of("v1"), Map.of("run_date", "2024-03-01"),
                Optional.of("ws1"), Optional.of("ana"), Optional.empty(), Instant.parse("2024-03-01T12:00:03Z"));
        HistoryQuery query = HistoryQuery.all().withLimit(1);

        assertThat(HistoryJson.runs(List.of(run), query)).isEqualTo("""
                {
                  "runs" : [ {
                    "run_id" : "20240301T120000Z-ab12cd",
                    "tenant" : "acme",
                    "pipeline" : "daily_sales",
                    "target" : "local",
                    "state" : "failed",
                    "started_at" : "2024-03-01T12:00:00Z",
                    "finished_at" : "2024-03-01T12:00:03Z",
                    "duration_ms" : 3000,
                    "rows" : 7,
                    "bytes" : 70,
                    "error_code" : "CVG-2004",
                    "message" : "bad sql",
                    "pipeline_version" : "v1",
                    "parameters" : {
                      "run_date" : "2024-03-01"
                    },
                    "host" : "ws1",
                    "user" : "ana",
                    "resumed_from" : null,
                    "last_event_at" : "2024-03-01T12:00:03Z"
                  } ],
                  "next_cursor" : "1709294400000:20240301T120000Z-ab12cd"
                }""");
        assertThat(HistoryQuery.Cursor.decode("1709294400000:20240301T120000Z-ab12cd")).isEqualTo(run.cursor());
    }

    @Test
    void lastPageHasNoCursor() {
        assertThat(HistoryJson.runs(List.of(), HistoryQuery.all())).isEqualTo("""
                {
                  "runs" : [ ],
                  "next_cursor" : null
                }""");
    }
}
