package io.convergence.app.run;

import io.convergence.engine.service.RunService;

/** What the run view may do to a run in flight: the seam over {@link RunService.StartedRun}. */
public interface RunControl {
    String runId();

    /** Stops the run: queued work is dropped, running warehouse work is cancelled, the run ends CANCELLED. */
    void cancel();

    static RunControl of(RunService.StartedRun started) {
        return new RunControl() {
            @Override
            public String runId() {
                return started.runId();
            }

            @Override
            public void cancel() {
                started.handle().cancel();
            }
        };
    }
}
