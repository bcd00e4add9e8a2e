package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Map;
import java.util.Objects;

/**
 * A build a worker has taken.
 *
 * @param parameters the preset's parameters (immutable per version)
 * @param outputs    for a delete, what the workspace's create produced; empty for a create
 * @param attempt    1 for the first time the job is taken, counting up each time it is released and taken again
 */
public record Job(JobId id, Transition transition, WorkspaceId workspace, String workspaceName, String owner,
                  PresetId preset, Map<String, String> parameters, Map<String, String> outputs, int attempt) {

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(transition, "transition");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(preset, "preset");
        parameters = Map.copyOf(parameters);
        outputs = Map.copyOf(outputs);
    }
}
