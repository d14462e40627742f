package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers run events to listeners on one dispatcher thread, in the order they were published.
 * Publishing only enqueues, so the executor can publish while holding a run's lock, and a
 * listener may call back into the executor (cancel a run) without deadlock or re-entrant delivery.
 * A listener that throws is logged (once at WARN, then at DEBUG) and skipped for that event.
 */
final class EventBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    private static final Object STOP = new Object();
    private static final int BATCH = 1024;

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final List<RunEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<RunEventListener> failedListeners = ConcurrentHashMap.newKeySet();
    private final Thread dispatcher;

    /** An event with the listeners of its own run. */
    private record Envelope(RunEvent event, List<RunEventListener> runListeners) {
    }

    EventBus() {
        dispatcher = new Thread(this::dispatch, "convergence-events");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    void addListener(RunEventListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    void removeListener(RunEventListener listener) {
        listeners.remove(listener);
    }

    void publish(RunEvent event, List<RunEventListener> runListeners) {
        queue.add(runListeners.isEmpty() ? event : new Envelope(event, runListeners));
    }

    /** Runs {@code action} on the dispatcher once every event published before it has been delivered. */
    void afterDelivery(Runnable action) {
        queue.add(action);
    }

    /**
     * Delivers what was published so far, then stops the dispatcher. Called from a listener or a post-delivery
     * action (on the dispatcher itself), it only asks the dispatcher to stop once the queue is drained: joining
     * its own thread would block for the whole join timeout.
     */
    @Override
    public void close() {
        queue.add(STOP);
        if (Thread.currentThread() == dispatcher) {
            // closed from a listener or a completion callback: the dispatcher stops after this event; joining
            // itself would only wait out the timeout (RunService closes its executor in the run's completion)
            return;
        }
        try {
            dispatcher.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch() {
        List<Object> batch = new ArrayList<>(BATCH);
        boolean stopping = false;
        try {
            while (!stopping || !queue.isEmpty()) {
                batch.add(queue.take());
                queue.drainTo(batch, BATCH - 1);
                for (Object item : batch) {
                    if (item == STOP) {
                        stopping = true;
                    }
                    else if (item instanceof RunEvent event) {
                        deliver(event, List.of());
                    }
                    else if (item instanceof Envelope envelope) {
                        deliver(envelope.event(), envelope.runListeners());
                    }
                    else {
                        runAction((Runnable) item);
                    }
                }
                batch.clear();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(RunEvent event, List<RunEventListener> runListeners) {
        for (RunEventListener listener : listeners) {
            deliverTo(listener, event);
        }
        for (RunEventListener listener : runListeners) {
            deliverTo(listener, event);
        }
    }

    private void deliverTo(RunEventListener listener, RunEvent event) {
        try {
            listener.onEvent(event);
        }
        catch (RuntimeException e) {
            if (failedListeners.add(listener)) {
                log.warn("Run event listener {} failed on {}; ignoring it for this event (further failures are logged at DEBUG)",
                        listener, event.getClass().getSimpleName(), e);
            }
            else {
                log.debug("Run event listener {} failed on {}", listener, event, e);
            }
        }
    }

    private static void runAction(Runnable action) {
        try {
            action.run();
        }
        catch (RuntimeException e) {
            log.error("Post-delivery action failed", e);
        }
    }
}
