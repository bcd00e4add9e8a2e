package io.warmpool.application.port.in;

import io.warmpool.domain.Names;
import io.warmpool.domain.PresetRef;
import io.warmpool.application.port.out.WorkspacePort;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request for a ready workspace.
 *
 * @param owner the user who gets it (a name; not the built-in prebuilds owner)
 * @param name  the workspace's new name, or empty to have one chosen
 * @param maxWait how long to wait for a prebuild when none is eligible on arrival (SPEC R12), at most
 *              {@link #MAX_WAIT}; empty to fail at once
 */
public record ClaimCommand(PresetRef preset, String owner, Optional<String> name, Optional<Duration> maxWait) {

    /** The longest a claim may wait (SPEC R12). */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    /** A claim that does not wait. */
    public ClaimCommand(PresetRef preset, String owner, Optional<String> name) {
        this(preset, owner, name, Optional.empty());
    }

    /**
     * This claim, waiting up to {@code maxWait} (empty: not waiting). Callers build a waiting claim this way rather
     * than with the canonical constructor, so that other optional parts of a claim can be added beside it.
     */
    public ClaimCommand withMaxWait(Optional<Duration> maxWait) {
        return new ClaimCommand(preset, owner, name, maxWait);
    }

    public ClaimCommand {
        Objects.requireNonNull(preset, "preset");
        Names.requireValid("owner", owner);
        if (WorkspacePort.PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("owner '" + owner + "' is reserved for unclaimed prebuilds");
        }
        name = name == null ? Optional.empty() : name;
        name.ifPresent(n -> Names.requireValid("name", n));
        maxWait = maxWait == null ? Optional.empty() : maxWait;
        maxWait.ifPresent(w -> {
            if (w.isNegative() || w.isZero() || w.compareTo(MAX_WAIT) > 0) {
                throw new IllegalArgumentException("wait must be a positive duration of at most 10m, got " + w);
            }
        });
    }
}
