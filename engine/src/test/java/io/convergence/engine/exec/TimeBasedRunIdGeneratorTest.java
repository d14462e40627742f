package io.convergence.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeBasedRunIdGeneratorTest {

    @Test
    void idsCarryTheUtcSecondAndSortInCreationOrder() {
        Clock clock = Clock.fixed(Instant.parse("2024-03-01T12:00:00Z"), ZoneOffset.UTC);
        RunIdGenerator ids = new TimeBasedRunIdGenerator(clock, new Random(1));
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            made.add(ids.next());
        }
        assertThat(made.get(0)).matches("20240301T120000Z-[0-9a-z]{6}");
        assertThat(made).isSorted();
        assertThat(new HashSet<>(made)).hasSize(made.size());
    }

    @Test
    void clockGoingBackDoesNotMakeIdsGoBack() {
        MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:05Z"));
        RunIdGenerator ids = new TimeBasedRunIdGenerator(clock, new Random(2));
        String first = ids.next();
        clock.now = Instant.parse("2024-03-01T12:00:01Z");
        String second = ids.next();
        clock.now = Instant.parse("2024-03-01T12:00:09Z");
        String third = ids.next();
        assertThat(List.of(first, second, third)).isSorted().doesNotHaveDuplicates();
        assertThat(third).startsWith("20240301T120009Z-");
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
