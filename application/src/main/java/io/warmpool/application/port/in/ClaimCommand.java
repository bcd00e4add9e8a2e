package io.warmpool.application.port.in;

import io.warmpool.domain.Names;
import io.warmpool.domain.PresetRef;
import io.warmpool.application.port.out.WorkspacePort;
import java.util.Objects;
import java.util.Optional;

/**
 * A request for a ready workspace.
 *
 * @param owner the user who gets it (a name; not the built-in prebuilds owner)
 * @param name  the workspace's new name, or empty to have one chosen
 */
public record ClaimCommand(PresetRef preset, String owner, Optional<String> name) {

    public ClaimCommand {
        Objects.requireNonNull(preset, "preset");
        Names.requireValid("owner", owner);
        if (WorkspacePort.PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("owner '" + owner + "' is reserved for unclaimed prebuilds");
        }
        name = name == null ? Optional.empty() : name;
        name.ifPresent(n -> Names.requireValid("name", n));
    }
}
