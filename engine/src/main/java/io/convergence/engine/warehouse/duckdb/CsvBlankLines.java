package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Finds the blank records of a CSV file, numbered the way DuckDB numbers lines in its reject tables
 * (one number per record: header and skipped lines count, a quoted newline does not start a new one).
 * DuckDB skips blank records without a trace, so line numbers of rows rejected after parsing must step
 * over them. A byte scan, no row is materialized; it runs only for files that had rejected rows.
 */
final class CsvBlankLines {
    private CsvBlankLines() {
    }

    /** Line numbers of blank records at or after {@code firstDataLine}, ascending. */
    static List<Long> find(Path file, long firstDataLine) {
        List<Long> blanks = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            byte[] buffer = new byte[1 << 20];
            long line = 1;
            boolean inQuotes = false;
            boolean empty = true;
            int previous = -1;
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    int c = buffer[i];
                    if (c == '"') {
                        inQuotes = !inQuotes;
                        empty = false;
                    } else if ((c == '\n' || c == '\r') && !inQuotes) {
                        if (!(c == '\n' && previous == '\r')) { // \r\n ends one line
                            if (empty && line >= firstDataLine) {
                                blanks.add(line);
                            }
                            line++;
                            empty = true;
                        }
                    } else {
                        empty = false;
                    }
                    previous = c;
                }
            }
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return blanks;
    }
}
