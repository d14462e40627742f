package io.convergence.designer.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one file's folder and calls back (on its own daemon thread) when that file is created, changed or
 * replaced. The callback decides what a change means; editors that save through a temp file and a rename are seen
 * as a create.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    private final WatchService service;
    private final Thread thread;

    private FileWatcher(WatchService service, Thread thread) {
        this.service = service;
        this.thread = thread;
    }

    /** Starts watching; returns a watcher that does nothing when the platform cannot watch the folder. */
    public static FileWatcher start(Path file, Runnable onChange) {
        requireNonNull(file, "file is null");
        requireNonNull(onChange, "onChange is null");
        Path dir = file.toAbsolutePath().getParent();
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            Path name = file.getFileName();
            Thread thread = new Thread(() -> loop(service, name, onChange), "designer-watch-" + name);
            thread.setDaemon(true);
            thread.start();
            return new FileWatcher(service, thread);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot watch {} for changes: {}", dir, e.getMessage());
            return new FileWatcher(null, null);
        }
    }

    private static void loop(WatchService service, Path name, Runnable onChange) {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    ours |= name.equals(event.context());
                }
                key.reset();
                if (ours) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service failed", e);
        }
        thread.interrupt();
    }
}
