package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Objects;

/** A new prebuild to create: its workspace does not exist yet; enqueueing creates it owned by the prebuilds owner. */
public record CreateRequest(WorkspaceId workspace, String name, PresetId preset) {

    public CreateRequest {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(preset, "preset");
    }
}
