package io.convergence.engine.testing;

import io.convergence.engine.exec.StepContext;
import io.convergence.engine.exec.StepResult;
import io.convergence.engine.exec.StepRunner;
import io.convergence.engine.exec.StepRunnerFactory;
import io.convergence.engine.model.Step;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A step runner factory for executor tests: each step does what the test scripted for it
 * (by default: succeed with 1 row and 10 bytes), and every attempt is recorded in call order.
 */
public final class ScriptedRunners implements StepRunnerFactory {
    /** One recorded attempt. */
    public record Call(String stepId, String partition, int attempt) {
        @Override
        public String toString() {
            return (partition == null ? stepId : stepId + "[" + partition + "]") + "#" + attempt;
        }
    }

    private final Map<String, StepRunner> scripts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

    public ScriptedRunners script(String stepId, StepRunner runner) {
        scripts.put(stepId, runner);
        return this;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<String> callNames() {
        return calls.stream().map(Call::toString).toList();
    }

    @Override
    public StepRunner runnerFor(Step step) {
        StepRunner scripted = scripts.getOrDefault(step.id(), context -> StepResult.of(1, 10));
        return context -> {
            calls.add(new Call(context.step().id(), context.partition().map(p -> p.key()).orElse(null), context.attempt()));
            return scripted.run(context);
        };
    }

    /** A runner that waits until its attempt is cancelled, then stops as a cooperative runner does. */
    public static StepResult waitForCancel(StepContext context) {
        java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
        AutoCloseable hook = context.cancellation().onCancel(cancelled::countDown);
        try {
            if (!cancelled.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("the attempt was never cancelled");
            }
            hook.close();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
        context.cancellation().throwIfCancelled();
        return StepResult.of(0, 0);
    }
}
