package io.convergence.engine.warehouse.duckdb;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Times the two blank-record questions on one file, alternately in one JVM: the parallel check for a pair
 * of line breaks ({@link CsvBlankLines#mayHaveBlankRecords}) and the record-by-record scan
 * ({@link CsvBlankLines#find}), which the check spares when it answers no. Not a test; run it on a file
 * {@code IngestBench N --workspace=DIR} writes: {@code java -cp $CP
 * io.convergence.engine.warehouse.duckdb.CsvBlankLinesBench FILE [rounds]}.
 */
public final class CsvBlankLinesBench {
    private CsvBlankLinesBench() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            boolean may = CsvBlankLines.mayHaveBlankRecords(file);
            long t1 = System.nanoTime();
            int blanks = CsvBlankLines.find(file, 2).size();
            long t2 = System.nanoTime();
            System.out.println(String.format(Locale.ROOT, "pair check %.3f s (%s), record scan %.3f s (%d blank records)",
                    (t1 - t0) / 1e9, may ? "may have blanks" : "none", (t2 - t1) / 1e9, blanks));
        }
    }
}
