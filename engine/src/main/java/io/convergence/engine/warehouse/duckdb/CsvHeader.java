package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Opens CSV files as DuckDB reads them and reads their header record: the names, unquoted, in file order. */
final class CsvHeader {
    private CsvHeader() {
    }

    /** The header after {@code skipLines} lines, or null when the file ends first. */
    static List<String> read(Path file, int skipLines, String delimiter) {
        try (InputStream in = open(file);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (int i = 0; i < skipLines; i++) {
                if (reader.readLine() == null) {
                    return null;
                }
            }
            String line = reader.readLine();
            if (line == null) {
                return null;
            }
            return split(line.startsWith("\uFEFF") ? line.substring(1) : line, delimiter);
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's bytes, decompressed when its name ends in .gz (as DuckDB reads it). */
    static InputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** Splits one record on {@code delimiter}, honouring double quotes ("" inside quotes is one quote). */
    static List<String> split(String line, String delimiter) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (line.startsWith(delimiter, i)) {
                fields.add(field.toString());
                field.setLength(0);
                i += delimiter.length() - 1;
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
