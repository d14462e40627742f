package io.convergence.engine.warehouse.duckdb;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Finds the blank records of a CSV file, numbered the way DuckDB numbers lines in its reject tables
 * (one number per record: header and skipped lines count, a quoted newline does not start a new one).
 * DuckDB skips blank records without a trace, so line numbers of rows rejected after parsing must step
 * over them. A byte scan, no row is materialized; it runs only for files that had rejected rows.
 *
 * <p>The file (decompressed when it ends in .gz) is read eight bytes at a time: a word without a line
 * break or a quote (most of them, in records of any useful width) is skipped with three bit tests instead
 * of eight byte comparisons, and a word whose only special bytes are '\n' (the end of a typical record)
 * visits just those bytes.
 *
 * <p>Most files have no blank record at all, and that much is answered faster: a blank record starts
 * where a line break follows the start of the file or another line break (other than the '\n' of a
 * "\r\n"), quoted or not, so a file with no such pair of bytes has none. {@link #mayHaveBlankRecords}
 * looks for such a pair in slices of the file on all cores, without tracking quotes or lines; only a
 * file where it finds one is scanned record by record.
 */
final class CsvBlankLines {
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = ONES * '\n';
    private static final long RETURNS = ONES * '\r';
    private static final long QUOTES = ONES * '"';
    private static final long LOWS = ~HIGHS;
    private static final int BUFFER = 1 << 20;
    /** Bytes one task of {@link #mayHaveBlankRecords} checks (it reads them {@link #BUFFER} at a time). */
    private static final long SLICE = 32L << 20;
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long firstDataLine;
    private final long stopAfter;
    private final List<Long> blanks = new ArrayList<>();
    private long line = 1;
    private boolean inQuotes;
    private boolean empty = true;
    private int previous = -1;

    private CsvBlankLines(long firstDataLine, long stopAfter) {
        this.firstDataLine = firstDataLine;
        this.stopAfter = stopAfter;
    }

    /** Line numbers of blank records at or after {@code firstDataLine}, ascending. */
    static List<Long> find(Path file, long firstDataLine) {
        return find(file, firstDataLine, Long.MAX_VALUE, BUFFER);
    }

    /**
     * The blank records that come before data row {@code lastRow} (0-based, counting the rows the reader
     * returned), given that the reader skipped {@code unparsed} records: the scan stops once more than
     * {@code lastRow} rows certainly lie behind it, so a file whose last rejected row is early is not read
     * to its end. May return later blanks too; their lines are beyond that row's.
     */
    static List<Long> findBefore(Path file, long firstDataLine, long lastRow, long unparsed) {
        if (!mayHaveBlankRecords(file)) {
            return List.of();
        }
        return find(file, firstDataLine, firstDataLine + lastRow + unparsed + 1, BUFFER);
    }

    /**
     * False when the file certainly has no blank record: it does not start with a line break, and no line
     * break follows another one except as the '\n' of "\r\n". True otherwise, and for a compressed file
     * (which cannot be read in slices; the record scan decides). A blank record needs such a pair, since
     * only a line break outside quotes leaves a record empty; a pair inside quotes merely makes the answer
     * true in vain.
     */
    static boolean mayHaveBlankRecords(Path file) {
        return mayHaveBlankRecords(file, SLICE, BUFFER);
    }

    /** As {@link #mayHaveBlankRecords(Path)}, with tasks of {@code slice} bytes read {@code bufferSize} at a time (tests use small ones). */
    static boolean mayHaveBlankRecords(Path file, long slice, int bufferSize) {
        if (file.toString().endsWith(".gz")) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            // each slice reads one byte past its end, so that a pair across two slices is seen by the first
            return LongStream.range(0, (size + slice - 1) / slice).parallel()
                    .anyMatch(k -> breakPair(channel, k * slice, Math.min(size, (k + 1) * slice + 1), k == 0, bufferSize));
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getCause().getMessage(), e);
        }
    }

    /** Whether bytes {@code [from, to)} hold a pair of line breaks that may start a blank record. */
    private static boolean breakPair(FileChannel channel, long from, long to, boolean startOfFile, int bufferSize) {
        byte[] bytes = new byte[bufferSize];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        boolean newline = startOfFile; // the byte before is a '\n' (the start of the file acts as one)
        boolean ret = false; // the byte before is a '\r'
        long position = from;
        try {
            while (position < to) {
                buffer.clear().limit((int) Math.min(bufferSize, to - position));
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    return false; // the file shrank under us; the record scan will see what is there
                }
                int i = 0;
                for (; i + 8 <= n; i += 8) {
                    long word = (long) WORDS.get(bytes, i);
                    if ((anyZeroByte(word ^ NEWLINES) | anyZeroByte(word ^ RETURNS)) == 0) {
                        newline = false;
                        ret = false;
                        continue;
                    }
                    long newlines = zeroBytes(word ^ NEWLINES);
                    long returns = zeroBytes(word ^ RETURNS);
                    long breaks = newlines | returns;
                    // bit 7 of byte k marks it; shifted by 8, byte k+1's mark lands on byte k's
                    if (((newlines & (breaks >>> 8)) | (returns & (returns >>> 8))) != 0
                            || newline && (breaks & 0x80L) != 0 || ret && (returns & 0x80L) != 0) {
                        return true;
                    }
                    newline = newlines < 0;
                    ret = returns < 0;
                }
                for (; i < n; i++) {
                    byte b = bytes[i];
                    if (newline && (b == '\n' || b == '\r') || ret && b == '\r') {
                        return true;
                    }
                    newline = b == '\n';
                    ret = b == '\r';
                }
                position += n;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As {@link #find(Path, long)}, stopping at the first read after {@code line > stopAfter + blanks found}
     * (then more than {@code stopAfter - firstDataLine - skipped} data rows lie behind the scan), with a read
     * buffer of {@code bufferSize} bytes (at least 8; tests use small ones).
     */
    static List<Long> find(Path file, long firstDataLine, long stopAfter, int bufferSize) {
        CsvBlankLines scan = new CsvBlankLines(firstDataLine, stopAfter);
        try (InputStream in = CsvHeader.open(file)) {
            scan.words(in, Math.max(8, bufferSize));
        } catch (IOException e) {
            throw new ConvergenceException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return scan.blanks;
    }

    private void words(InputStream in, int bufferSize) throws IOException {
        byte[] buffer = new byte[bufferSize];
        int kept = 0;
        while (true) {
            int n = in.read(buffer, kept, buffer.length - kept);
            int limit = kept + Math.max(n, 0);
            int i = 0;
            for (; i + 8 <= limit; i += 8) {
                long word = (long) WORDS.get(buffer, i);
                boolean special = (anyZeroByte(word ^ RETURNS) | anyZeroByte(word ^ QUOTES)) != 0;
                if (!special && (inQuotes || anyZeroByte(word ^ NEWLINES) == 0)) {
                    // eight ordinary bytes (or bytes inside quotes): the record is not blank, and the last byte is not a '\r'
                    empty = false;
                    previous = 0;
                } else if (!special) {
                    newlines(zeroBytes(word ^ NEWLINES));
                } else {
                    for (int j = i; j < i + 8; j++) {
                        accept(buffer[j]);
                    }
                }
            }
            if (n < 0) {
                for (; i < limit; i++) {
                    accept(buffer[i]);
                }
                return;
            }
            if (line - blanks.size() > stopAfter) {
                return;
            }
            // fewer than eight bytes left: keep them for the next read
            kept = limit - i;
            System.arraycopy(buffer, i, buffer, 0, kept);
        }
    }

    /**
     * Non-zero when some byte of {@code x} is zero (may flag a byte above a zero one; callers then look closer). One
     * operation cheaper than {@link #zeroBytes}, which the scan measurably feels on every word.
     */
    private static long anyZeroByte(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    /** Exactly the high bit of every zero byte of {@code x} (no carries cross bytes). */
    private static long zeroBytes(long x) {
        return ~(((x & LOWS) + LOWS) | x | LOWS);
    }

    /**
     * A word outside quotes whose special bytes are all '\n', given as the high bits of those bytes: the
     * bytes between them are ordinary, so {@link #accept} runs only for the line breaks.
     */
    private void newlines(long mask) {
        int next = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            int at = Long.numberOfTrailingZeros(m) >>> 3;
            if (at > next) {
                empty = false;
                previous = 0;
            }
            accept('\n');
            next = at + 1;
        }
        if (next < 8) {
            empty = false;
            previous = 0;
        }
    }

    private void accept(int c) {
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
