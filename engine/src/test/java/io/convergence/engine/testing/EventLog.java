package io.convergence.engine.testing;

import io.convergence.engine.run.RunEvent;
import io.convergence.engine.run.RunEventListener;
import java.util.ArrayList;
import java.util.List;

/** Collects run events and prints them compactly, for order assertions. */
public final class EventLog implements RunEventListener {
    private final List<RunEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(RunEvent event) {
        events.add(event);
    }

    public synchronized List<RunEvent> events() {
        return List.copyOf(events);
    }

    public synchronized <T extends RunEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public List<String> lines() {
        return events().stream().map(EventLog::describe).toList();
    }

    public static String describe(RunEvent event) {
        if (event instanceof RunEvent.RunStarted e) {
            return "run started " + e.steps() + " " + e.partitions();
        }
        if (event instanceof RunEvent.RunFinished e) {
            return "run " + e.state() + (e.errorCode() == null ? "" : " " + e.errorCode());
        }
        if (event instanceof RunEvent.StepStateChanged e) {
            return "step " + e.stepId() + " " + e.state() + (e.state().name().equals("QUEUED") ? "" : " #" + e.attempt())
                    + (e.errorMessage() == null ? "" : " (" + e.errorMessage() + ")");
        }
        if (event instanceof RunEvent.PartitionStateChanged e) {
            return "partition " + e.stepId() + "[" + e.partition() + "] " + e.state()
                    + (e.state().name().equals("QUEUED") ? "" : " #" + e.attempt())
                    + (e.errorMessage() == null ? "" : " (" + e.errorMessage() + ")");
        }
        if (event instanceof RunEvent.LogLine e) {
            return "log " + e.level() + " " + e.message();
        }
        return event.getClass().getSimpleName();
    }
}
