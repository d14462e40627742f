package io.convergence.engine.exec;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.plan.Plan;
import io.convergence.engine.run.RunEventListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the executor needs to start one run: the plan, whose tenant and target, bound
 * parameter values, and what history records about it (pipeline version, host, user, resumed run).
 * {@code runId} is given when the caller needed it earlier (to take the lock); otherwise the
 * executor's {@link RunIdGenerator} makes one. {@code listeners} get only this run's events.
 */
public record RunSpec(
        LoadedTenant tenant,
        Plan plan,
        String target,
        Map<String, ParameterValue> parameters,
        Optional<String> runId,
        Optional<String> resumedFrom,
        Optional<String> pipelineVersion,
        Optional<String> host,
        Optional<String> user,
        List<RunEventListener> listeners) {
    public RunSpec {
        requireNonNull(tenant, "tenant is null");
        requireNonNull(plan, "plan is null");
        requireNonNull(target, "target is null");
        parameters = Map.copyOf(requireNonNull(parameters, "parameters is null"));
        requireNonNull(runId, "runId is null");
        requireNonNull(resumedFrom, "resumedFrom is null");
        requireNonNull(pipelineVersion, "pipelineVersion is null");
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        listeners = List.copyOf(requireNonNull(listeners, "listeners is null"));
        if (!tenant.id().equals(plan.pipeline().tenantId())) {
            throw new IllegalArgumentException("pipeline " + plan.pipeline().qualifiedName() + " does not belong to tenant " + tenant.id());
        }
    }

    public static RunSpec of(LoadedTenant tenant, Plan plan, String target) {
        return new RunSpec(tenant, plan, target, Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of());
    }

    public RunSpec withParameters(Map<String, ParameterValue> values) {
        return new RunSpec(tenant, plan, target, values, runId, resumedFrom, pipelineVersion, host, user, listeners);
    }

    public RunSpec withRunId(String id) {
        return new RunSpec(tenant, plan, target, parameters, Optional.of(id), resumedFrom, pipelineVersion, host, user, listeners);
    }

    public RunSpec withResumedFrom(String previousRunId) {
        return new RunSpec(tenant, plan, target, parameters, runId, Optional.of(previousRunId), pipelineVersion, host, user, listeners);
    }

    public RunSpec withPipelineVersion(String version) {
        return new RunSpec(tenant, plan, target, parameters, runId, resumedFrom, Optional.of(version), host, user, listeners);
    }

    public RunSpec withOrigin(String hostName, String userName) {
        return new RunSpec(tenant, plan, target, parameters, runId, resumedFrom, pipelineVersion,
                Optional.of(hostName), Optional.of(userName), listeners);
    }

    public RunSpec withListener(RunEventListener listener) {
        List<RunEventListener> more = new java.util.ArrayList<>(listeners);
        more.add(requireNonNull(listener, "listener is null"));
        return new RunSpec(tenant, plan, target, parameters, runId, resumedFrom, pipelineVersion, host, user, more);
    }
}
