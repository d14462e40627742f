package io.convergence.app.fx;

import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.config.WorkspaceLoader;
import io.convergence.engine.lock.LockHandle;
import io.convergence.engine.lock.LockHolder;
import io.convergence.engine.lock.LockKey;
import io.convergence.engine.run.RunEvent;
import io.convergence.engine.service.WorkspaceState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding a pipeline's lock on the same state file, as a stuck CLI run would: records a started
 * run, takes the lock through the real LockManager (heartbeat included), prints {@code CHILD ACQUIRED <run id>},
 * and waits (at most a minute) until the test kills it.
 */
public final class LockHolderProcess {
    private LockHolderProcess() {
    }

    static List<String> command(Path workspace, String tenant, String pipeline) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LockHolderProcess.class.getName(),
                workspace.toString(), tenant, pipeline));
        return command;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        LoadedWorkspace workspace = WorkspaceLoader.load(root).workspace().orElseThrow();
        Clock clock = Clock.systemUTC();
        String runId = "child-" + ProcessHandle.current().pid();
        try (WorkspaceState state = WorkspaceState.open(root, workspace.config(), clock)) {
            state.recorder().onEvent(new RunEvent.RunStarted(runId, clock.instant(), args[1], args[2], "local", null, Map.of(),
                    List.of(), List.of("load"), LockHolder.localHostName(), "child", null));
            state.recorder().flush();
            LockHandle handle = state.locks().acquire(new LockKey(args[1], args[2]), LockHolder.current(runId));
            System.out.println("CHILD ACQUIRED " + runId + " " + handle.epoch());
            System.out.flush();
            TimeUnit.SECONDS.sleep(60);
        }
        System.exit(5);
    }
}
