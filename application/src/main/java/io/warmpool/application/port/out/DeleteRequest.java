package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Objects;

/**
 * A workspace to delete.
 *
 * @param reason a plan's delete reason ({@code EXPIRED}, …) or {@code RELEASED} for a claimed workspace
 */
public record DeleteRequest(WorkspaceId workspace, PresetId preset, String reason) {

    public static final String RELEASED = "RELEASED";

    public DeleteRequest {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(reason, "reason");
    }
}
