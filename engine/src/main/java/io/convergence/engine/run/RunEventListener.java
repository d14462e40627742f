package io.convergence.engine.run;

/** Receives run events in publication order. Implementations must be fast and must not throw. */
@FunctionalInterface
public interface RunEventListener {
    void onEvent(RunEvent event);
}
