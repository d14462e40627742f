package io.convergence.engine.exec;

import java.security.SecureRandom;
import java.time.Clock;

/** Makes run ids: unique, and sorting as text in start order. */
@FunctionalInterface
public interface RunIdGenerator {
    String next();

    /** Ids such as {@code 20240301T120000Z-ab12cd}: UTC second of the clock, then a random, monotonic suffix. */
    static RunIdGenerator timeBased(Clock clock) {
        return new TimeBasedRunIdGenerator(clock, new SecureRandom());
    }
}
