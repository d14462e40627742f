package io.convergence.engine.history;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records run events into a {@link HistoryStore}. {@link #onEvent} only enqueues (blocking when
 * the bounded queue is full, which slows the event dispatcher rather than losing history); one
 * writer thread stores batches, each as one transaction. A batch is written when it holds a
 * {@code RunFinished}, when {@link #flush()} or {@link #close()} asks, when it is full, or at the
 * latest {@code linger} after its first event: a short wait that turns a trickle of events into
 * few transactions. {@link #close()} stores everything accepted before it, then stops.
 */
public final class HistoryRecorder implements RunEventListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);
    private static final Object STOP = new Object();
    private static final int WRITE_ATTEMPTS = 3;

    private final HistoryStore store;
    private final BlockingQueue<Object> queue;
    private final int maxBatch;
    private final long lingerNanos;
    private final Thread writer;
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private boolean closed;

    /** Waits for the writer to reach it. */
    private record Flush(CompletableFuture<Void> done) {
    }

    /** A queue of 65,536 events, batches of up to 4,096 events, lingering at most 20 ms. */
    public HistoryRecorder(HistoryStore store) {
        this(store, 65_536, 4_096, Duration.ofMillis(20));
    }

    public HistoryRecorder(HistoryStore store, int capacity, int maxBatch, Duration linger) {
        this.store = requireNonNull(store, "store is null");
        if (capacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("capacity and maxBatch must be positive");
        }
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative");
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.writer = new Thread(this::drain, "convergence-history");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void onEvent(RunEvent event) {
        requireNonNull(event, "event is null");
        closing.readLock().lock();
        try {
            if (closed) {
                lost.incrementAndGet();
                log.warn("History recorder is closed; dropping {} of run {}", event.getClass().getSimpleName(), event.runId());
                return;
            }
            queue.put(event);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost.incrementAndGet();
            log.warn("Interrupted while recording {} of run {}; it is not in history", event.getClass().getSimpleName(), event.runId());
        }
        finally {
            closing.readLock().unlock();
        }
    }

    /** Blocks until every event accepted before this call is stored (or given up after retries). */
    public void flush() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        closing.readLock().lock();
        try {
            if (closed) {
                return;
            }
            queue.put(new Flush(done));
        }
        finally {
            closing.readLock().unlock();
        }
        try {
            done.get();
        }
        catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Events stored so far. */
    public long writtenEvents() {
        return written.get();
    }

    /** Events that could not be stored (store failing after retries, or recorder closed). */
    public long lostEvents() {
        return lost.get();
    }

    /** Stores every accepted event, then stops the writer thread. Does not close the store. */
    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // cannot block for long: the writer keeps draining while we wait for room
            queue.put(STOP);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finally {
            closing.writeLock().unlock();
        }
        try {
            writer.join();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        List<Object> batch = new ArrayList<>(maxBatch);
        List<RunEvent> events = new ArrayList<>(maxBatch);
        List<Flush> flushes = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
                long deadline = System.nanoTime() + lingerNanos;
                boolean writeNow = false;
                int seen = 0;
                while (true) {
                    queue.drainTo(batch, maxBatch - batch.size());
                    for (; seen < batch.size(); seen++) {
                        Object item = batch.get(seen);
                        writeNow |= !(item instanceof RunEvent) || item instanceof RunEvent.RunFinished;
                    }
                    long left = deadline - System.nanoTime();
                    if (writeNow || batch.size() >= maxBatch || left <= 0) {
                        break;
                    }
                    Object next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next != null) {
                        batch.add(next);
                    }
                }
            }
            catch (InterruptedException e) {
                // only close() ends the writer; an interrupt must not lose queued history, so write what we have
            }
            for (Object item : batch) {
                if (item instanceof RunEvent event) {
                    events.add(event);
                }
                else if (item instanceof Flush flush) {
                    flushes.add(flush);
                }
                else if (item == STOP) {
                    stopping = true;
                }
            }
            store(events);
            flushes.forEach(f -> f.done().complete(null));
            batch.clear();
            events.clear();
            flushes.clear();
        }
    }

    private void store(List<RunEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            try {
                store.append(events);
                written.addAndGet(events.size());
                return;
            }
            catch (RuntimeException e) {
                if (attempt == WRITE_ATTEMPTS) {
                    lost.addAndGet(events.size());
                    log.error("Could not store {} run events in history after {} attempts; they are lost", events.size(), attempt, e);
                    return;
                }
                log.warn("Storing {} run events failed (attempt {}); retrying", events.size(), attempt, e);
                try {
                    Thread.sleep(200L * attempt);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
