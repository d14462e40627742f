package io.convergence.engine.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Feasibility probe for ingest at DuckDB's own speed, not a test and not used by the engine: how long
 * DuckDB takes to store IngestBench's rows when Java hands them over already typed (an Arrow stream,
 * one producer, values computed from the row number), and how long one Java thread takes to split and
 * type IngestBench's CSV (no quotes handled, no Arrow). Arguments: {@code rows [csv]}. Run with
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Arrow's memory needs it).
 */
public final class ArrowLoadProbe {
    private static final String[] STATUS = {"new", "paid", "shipped", "returned"};
    private static final int BATCH = 122_880;

    private ArrowLoadProbe() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[0].replace("_", ""));
        Path db = Files.createTempFile("cvg-arrow-probe", ".duckdb");
        Files.delete(db);
        try (BufferAllocator allocator = new RootAllocator();
             Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
             Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            try (Rows g = new Rows(allocator, rows)) {
                while (g.loadNextBatch()) {
                    // only the producer's own cost
                }
            }
            print("filling Arrow batches alone: %.2f s", secs(t0));
            for (int rep = 0; rep < 2; rep++) {
                long t = System.nanoTime();
                try (Rows g = new Rows(allocator, rows); ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
                    Data.exportArrayStream(allocator, g, stream);
                    ((org.duckdb.DuckDBConnection) c).registerArrowStream("src", stream);
                    s.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM src");
                }
                print("CREATE TABLE AS SELECT from the Arrow stream: %.2f s", secs(t));
            }
        } finally {
            Files.deleteIfExists(db);
            Files.deleteIfExists(Path.of(db + ".wal"));
        }
        if (args.length > 1) {
            for (int rep = 0; rep < 3; rep++) {
                long t = System.nanoTime();
                long[] counts = splitAndType(Path.of(args[1]));
                print("one Java thread splitting and typing %s: %,d rows, %,d bad, %.2f s", args[1], counts[0], counts[1], secs(t));
            }
        }
    }

    /** IngestBench's columns with the schema's types, values derived from the row number. */
    private static final class Rows extends ArrowReader {
        private final long rows;
        private long next;

        Rows(BufferAllocator allocator, long rows) {
            super(allocator);
            this.rows = rows;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (next >= rows) {
                return false;
            }
            VectorSchemaRoot root = getVectorSchemaRoot();
            int n = (int) Math.min(BATCH, rows - next);
            root.allocateNew();
            BigIntVector orderId = (BigIntVector) root.getVector(0);
            BigIntVector customerId = (BigIntVector) root.getVector(1);
            VarCharVector status = (VarCharVector) root.getVector(2);
            DecimalVector amount = (DecimalVector) root.getVector(3);
            DateDayVector orderDate = (DateDayVector) root.getVector(4);
            TimeStampMicroTZVector updatedAt = (TimeStampMicroTZVector) root.getVector(5);
            VarCharVector note = (VarCharVector) root.getVector(6);
            for (int k = 0; k < n; k++) {
                long i = next + k + 1;
                int day = (int) (i % 28) + 1;
                orderId.setSafe(k, i);
                customerId.setSafe(k, i % 99_991);
                status.setSafe(k, STATUS[(int) (i % STATUS.length)].getBytes(StandardCharsets.US_ASCII));
                amount.setSafe(k, (i % 1_000_000) * 10_000_000L);
                orderDate.setSafe(k, 19_783 + day);
                updatedAt.setSafe(k, (1_709_251_200L + day * 86_400L + 36_000 + (i % 50) * 60) * 1_000_000L);
                note.setSafe(k, ("note " + Long.toHexString(i * 2654435761L & 0xffffff)).getBytes(StandardCharsets.US_ASCII));
            }
            root.setRowCount(n);
            next += n;
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return new Schema(List.of(
                    Field.notNullable("order_id", new ArrowType.Int(64, true)),
                    Field.notNullable("customer_id", new ArrowType.Int(64, true)),
                    Field.nullable("status", ArrowType.Utf8.INSTANCE),
                    Field.nullable("amount", new ArrowType.Decimal(38, 9, 128)),
                    Field.nullable("order_date", new ArrowType.Date(DateUnit.DAY)),
                    Field.nullable("updated_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                    Field.nullable("note", ArrowType.Utf8.INSTANCE)));
        }
    }

    /**
     * Splits IngestBench's CSV on commas and line breaks and types its INT64, NUMERIC, DATE and TIMESTAMP
     * columns digit by digit (fixed layouts; no quotes, zones or errors beyond a non-digit), keeping
     * nothing: the lower bound of a Java reader. Returns {rows, bad rows}.
     */
    private static long[] splitAndType(Path csv) throws IOException {
        long rows = 0;
        long bad = 0;
        long checksum = 0;
        byte[] buf = new byte[1 << 23];
        int keep = 0;
        boolean header = true;
        try (InputStream in = Files.newInputStream(csv)) {
            while (true) {
                int n = in.read(buf, keep, buf.length - keep);
                int limit = keep + Math.max(0, n);
                int start = 0;
                while (true) {
                    int end = -1;
                    for (int j = start; j < limit; j++) {
                        if (buf[j] == '\n') {
                            end = j;
                            break;
                        }
                    }
                    if (end < 0) {
                        break;
                    }
                    if (header) {
                        header = false;
                    } else {
                        long value = typeRecord(buf, start, end);
                        if (value == Long.MIN_VALUE) {
                            bad++;
                        } else {
                            checksum += value;
                            rows++;
                        }
                    }
                    start = end + 1;
                }
                if (n < 0) {
                    break;
                }
                keep = limit - start;
                System.arraycopy(buf, start, buf, 0, keep);
            }
        }
        if (checksum == 42) {
            print("(checksum)");
        }
        return new long[] {rows, bad};
    }

    /** Types one record's fields; returns a checksum of its values, or Long.MIN_VALUE when a number is not one. */
    private static long typeRecord(byte[] buf, int start, int end) {
        long sum = 0;
        int p = start;
        for (int field = 0; field < 7; field++) {
            int q = p;
            while (q < end && buf[q] != ',') {
                q++;
            }
            if (field == 0 || field == 1 || field == 3) {
                long v = 0;
                int scale = -1;
                if (q == p) {
                    return Long.MIN_VALUE;
                }
                for (int k = p; k < q; k++) {
                    byte ch = buf[k];
                    if (field == 3 && ch == '.' && scale < 0) {
                        scale = 0;
                        continue;
                    }
                    int d = ch - '0';
                    if (d < 0 || d > 9) {
                        return Long.MIN_VALUE;
                    }
                    v = v * 10 + d;
                    if (scale >= 0) {
                        scale++;
                    }
                }
                for (int s = Math.max(scale, 0); field == 3 && s < 9; s++) {
                    v *= 10;
                }
                sum += v;
            } else if (field == 4 || field == 5) {
                // YYYY-MM-DD[ HH:MM:SS]
                sum += (buf[p] - '0') * 1000 + (buf[p + 1] - '0') * 100 + (buf[p + 2] - '0') * 10 + (buf[p + 3] - '0')
                        + (buf[p + 5] - '0') * 10 + (buf[p + 6] - '0') + (buf[p + 8] - '0') * 10 + (buf[p + 9] - '0');
                if (field == 5) {
                    sum += (buf[p + 11] - '0') * 10 + (buf[p + 12] - '0') + (buf[p + 14] - '0') * 10 + (buf[p + 15] - '0')
                            + (buf[p + 17] - '0') * 10 + (buf[p + 18] - '0');
                }
            }
            p = q + 1;
        }
        return sum;
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
