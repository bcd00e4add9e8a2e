package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Map;
import java.util.Objects;

/**
 * What a provisioner is asked to do.
 *
 * @param outputs for a delete, the outputs the workspace's create produced; empty for a create
 * @param attempt 1 the first time, higher when the same build is tried again
 */
public record ProvisionRequest(Transition transition, WorkspaceId workspace, String workspaceName, String owner,
                               PresetId preset, Map<String, String> parameters, Map<String, String> outputs,
                               int attempt) {

    public ProvisionRequest {
        Objects.requireNonNull(transition, "transition");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(preset, "preset");
        parameters = Map.copyOf(parameters);
        outputs = Map.copyOf(outputs);
    }

    /** The request for a taken job. */
    public static ProvisionRequest of(Job job) {
        return new ProvisionRequest(job.transition(), job.workspace(), job.workspaceName(), job.owner(), job.preset(),
                job.parameters(), job.outputs(), job.attempt());
    }
}
