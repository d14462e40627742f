package io.convergence.app.run;

import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The inbox between the engine and the UI: engine threads append events (cheap, never blocking on the FX
 * thread), and the UI drains them in one batch per frame tick. This is what keeps the FX thread's work per
 * second bounded by the tick rate instead of the event rate.
 */
public final class EventBuffer implements RunEventListener {
    private final Object lock = new Object();
    private final AtomicLong received = new AtomicLong();
    private List<RunEvent> pending = new ArrayList<>();

    @Override
    public void onEvent(RunEvent event) {
        synchronized (lock) {
            pending.add(event);
        }
        received.incrementAndGet();
    }

    /** Everything received since the last drain, in arrival order; empty when nothing arrived. */
    public List<RunEvent> drain() {
        synchronized (lock) {
            if (pending.isEmpty()) {
                return List.of();
            }
            List<RunEvent> batch = pending;
            pending = new ArrayList<>(Math.max(16, batch.size()));
            return batch;
        }
    }

    /** Events received so far (drained or not). */
    public long received() {
        return received.get();
    }
}
