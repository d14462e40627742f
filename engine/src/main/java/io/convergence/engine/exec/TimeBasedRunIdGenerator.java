package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;

/**
 * Run ids {@code yyyyMMdd'T'HHmmss'Z'-xxxxxx}: the UTC second, then six Crockford base-32 letters.
 * The suffix starts random each second (so two processes do not collide) and counts up within a
 * second (so ids from one generator stay unique and sorted even at thousands of runs a second).
 * A clock that steps back does not make ids go back: the generator keeps its last second.
 */
public final class TimeBasedRunIdGenerator implements RunIdGenerator {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final int SUFFIX_CHARS = 6;
    private static final long SUFFIX_LIMIT = 1L << (5 * SUFFIX_CHARS);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final Random random;
    private long lastSecond = Long.MIN_VALUE;
    private long lastSuffix;

    public TimeBasedRunIdGenerator(Clock clock, Random random) {
        this.clock = requireNonNull(clock, "clock is null");
        this.random = requireNonNull(random, "random is null");
    }

    @Override
    public synchronized String next() {
        long second = clock.instant().getEpochSecond();
        if (second > lastSecond) {
            lastSecond = second;
            // start in the lower half so a busy second has room to count up
            lastSuffix = random.nextInt((int) (SUFFIX_LIMIT / 2));
        }
        else {
            lastSuffix++;
            if (lastSuffix >= SUFFIX_LIMIT) {
                lastSecond++;
                lastSuffix = random.nextInt((int) (SUFFIX_LIMIT / 2));
            }
        }
        char[] suffix = new char[SUFFIX_CHARS];
        long value = lastSuffix;
        for (int i = SUFFIX_CHARS - 1; i >= 0; i--) {
            suffix[i] = ALPHABET[(int) (value & 31)];
            value >>>= 5;
        }
        return SECOND.format(Instant.ofEpochSecond(lastSecond)) + "-" + new String(suffix);
    }
}
