package io.convergence.engine.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvBlankLinesTest {
    @TempDir
    Path dir;

    @Test
    void blankRecordsAreNumberedLikeDuckDbNumbersLines() throws IOException {
        // line 1 header, 3 blank, a quoted newline keeps record 4 on one number, 6 blank after \r\n endings
        Path file = write("plain.csv", "a,b\n1,2\n\n\"x\ny\",3\n4,5\r\n\r\n6,7\n   \n\n");
        assertThat(CsvBlankLines.find(file, 2)).containsExactly(3L, 6L, 9L);
        assertThat(CsvBlankLines.find(file, 4)).containsExactly(6L, 9L);
    }

    @Test
    void wordsWithoutBreaksAreSkippedWithoutLosingState() throws IOException {
        // records longer than a word on both sides of blank lines, and a quote spanning several words
        String record = "0123456789abcdefghijklmnop,\"quoted, long enough\nto span words\",xyz";
        Path file = write("wide.csv", "header_is_long_too_long_too_long\n" + record + "\n\n" + record + "\r\n\n" + record);
        assertThat(CsvBlankLines.find(file, 2)).containsExactly(3L, 5L);
    }

    @Property(tries = 500)
    void wordScanAgreesWithAByteAtATimeScanPlainOrCompressed(@ForAll("csvText") String text) throws IOException {
        // jqwik properties get no @TempDir
        Path tmp = Files.createTempDirectory("cvg-blank");
        Path plain = tmp.resolve("p.csv");
        Path gz = tmp.resolve("p.csv.gz");
        try {
            Files.writeString(plain, text, StandardCharsets.UTF_8);
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            List<Long> words = CsvBlankLines.find(plain, 1);
            assertThat(words).isEqualTo(byteScan(text.getBytes(StandardCharsets.UTF_8)));
            assertThat(CsvBlankLines.find(gz, 1)).isEqualTo(words);
            // small buffers put word and read boundaries everywhere
            assertThat(CsvBlankLines.find(plain, 1, Long.MAX_VALUE, 8)).isEqualTo(words);
            assertThat(CsvBlankLines.find(plain, 1, Long.MAX_VALUE, 13)).isEqualTo(words);
            assertThat(words).isSorted().doesNotHaveDuplicates();
        } finally {
            Files.deleteIfExists(plain);
            Files.deleteIfExists(gz);
            Files.deleteIfExists(tmp);
        }
    }

    @Property(tries = 300)
    void aScanStoppedAfterARowHasFoundEveryBlankBeforeIt(@ForAll("csvText") String text, @ForAll @net.jqwik.api.constraints.IntRange(min = 0,
            max = 200) int row) throws IOException {
        Path tmp = Files.createTempDirectory("cvg-blank");
        Path plain = tmp.resolve("p.csv");
        try {
            Files.writeString(plain, text, StandardCharsets.UTF_8);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            List<Long> all = byteScan(bytes);
            List<Long> rows = dataRowLines(bytes);
            net.jqwik.api.Assume.that(!rows.isEmpty());
            int last = row % rows.size();
            long rowLine = rows.get(last);
            // tiny buffers, so the scan checks whether it may stop every few bytes
            List<Long> found = CsvBlankLines.find(plain, 1, 1 + last + 1, 8);
            assertThat(found).isEqualTo(all.subList(0, found.size()));
            assertThat(found).containsAll(all.stream().filter(l -> l < rowLine).toList());
        } finally {
            Files.deleteIfExists(plain);
            Files.deleteIfExists(tmp);
        }
    }

    @Property(tries = 500)
    void aFileWithABlankRecordIsNeverPassedOverByTheQuickCheck(@ForAll("csvText") String text) throws IOException {
        Path tmp = Files.createTempDirectory("cvg-blank");
        Path plain = tmp.resolve("p.csv");
        try {
            Files.writeString(plain, text, StandardCharsets.UTF_8);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            boolean blank = !byteScan(bytes).isEmpty();
            // slices of 1 to 16 bytes and odd buffers put every pair across a slice or read boundary somewhere
            for (long slice : new long[] {1, 3, 8, 16, 1 << 20}) {
                for (int buffer : new int[] {1, 5, 8, 13, 1 << 10}) {
                    boolean may = CsvBlankLines.mayHaveBlankRecords(plain, slice, buffer);
                    if (blank) {
                        assertThat(may).as("slice %s, buffer %s", slice, buffer).isTrue();
                    }
                    assertThat(may).as("slice %s, buffer %s", slice, buffer).isEqualTo(hasBreakPair(bytes));
                }
            }
        } finally {
            Files.deleteIfExists(plain);
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void theQuickCheckPassesOverFilesWithoutBlankRecordsOnly() throws IOException {
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("lf.csv", "a,b\n1,2\n3,4\n"))).isFalse();
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("crlf.csv", "a,b\r\n1,2\r\n3,4\r\n"))).isFalse();
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("empty.csv", ""))).isFalse();
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("blank.csv", "a,b\n1,2\n\n3,4\n"))).isTrue();
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("blank-crlf.csv", "a,b\r\n\r\n3,4\r\n"))).isTrue();
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("first.csv", "\n1,2\n"))).isTrue();
        assertThat(CsvBlankLines.mayHaveBlankRecords(write("cr.csv", "1,2\r\r3,4"))).isTrue();
        // a quoted pair is not a blank record, but the check does not track quotes: the record scan decides
        Path quoted = write("quoted.csv", "a,b\n\"x\n\ny\",2\n");
        assertThat(CsvBlankLines.mayHaveBlankRecords(quoted)).isTrue();
        assertThat(CsvBlankLines.find(quoted, 2)).isEmpty();
    }

    /** The quick check's definition: the text starts with a line break, or one follows a '\n', or a '\r' follows a '\r'. */
    private static boolean hasBreakPair(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            boolean isBreak = bytes[i] == '\n' || bytes[i] == '\r';
            int before = i == 0 ? '\n' : bytes[i - 1];
            if (isBreak && (before == '\n' || before == '\r' && bytes[i] == '\r')) {
                return true;
            }
        }
        return false;
    }

    /** Lines of the records that are not blank (the rows a reader returns), the last one even without a line break. */
    private static List<Long> dataRowLines(byte[] bytes) {
        return records(bytes).stream().filter(r -> !r.blank()).map(Record::line).toList();
    }

    /** The definition, a byte at a time: a record is blank when no byte but its line break is in it. */
    private static List<Long> byteScan(byte[] bytes) {
        return records(bytes).stream().filter(Record::blank).map(Record::line).toList();
    }

    private record Record(long line, boolean blank) {
    }

    /** Every record, numbered as DuckDB numbers them; a last record without a line break counts when not empty. */
    private static List<Record> records(byte[] bytes) {
        List<Record> records = new java.util.ArrayList<>();
        long line = 1;
        boolean quoted = false;
        boolean empty = true;
        int previous = -1;
        for (byte b : bytes) {
            if (b == '"') {
                quoted = !quoted;
                empty = false;
            } else if ((b == '\n' || b == '\r') && !quoted) {
                if (!(b == '\n' && previous == '\r')) {
                    records.add(new Record(line, empty));
                    line++;
                    empty = true;
                }
            } else {
                empty = false;
            }
            previous = b;
        }
        if (!empty) {
            records.add(new Record(line, false));
        }
        return records;
    }

    @Provide
    Arbitrary<String> csvText() {
        return Arbitraries.strings().withChars('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '\u000b').ofMaxLength(300);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
