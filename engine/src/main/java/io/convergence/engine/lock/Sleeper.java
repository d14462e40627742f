package io.convergence.engine.lock;

import java.time.Duration;

/** Waits between lock acquisition attempts; tests pass one that advances a fake clock instead. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = duration -> Thread.sleep(Math.max(0, duration.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
