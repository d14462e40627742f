package io.convergence.engine.history;

import io.convergence.engine.run.RunState;
import java.nio.file.Path;
import java.time.Instant;

/** Writes runs into a history file from a separate JVM, for the multi-process test. Args: file prefix count. */
public final class HistoryWriterMain {
    private HistoryWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        try (SqliteHistoryStore store = SqliteHistoryStore.open(file)) {
            HistoryRecorder recorder = new HistoryRecorder(store, 64, 8, java.time.Duration.ofMillis(20));
            for (int i = 0; i < count; i++) {
                HistoryEvents.finishedRun(prefix + i, "other", "p", Instant.parse("2024-03-01T00:00:00Z").plusSeconds(i), RunState.SUCCEEDED)
                        .forEach(recorder::onEvent);
                if (i == 0) {
                    recorder.flush();
                    System.out.println("writing");
                    System.out.flush();
                }
            }
            recorder.close();
            if (recorder.lostEvents() > 0) {
                System.exit(3);
            }
        }
    }
}
