package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A workspace as operators see it ({@link InspectUseCase}): the use case's own answer, so that a change of how the
 * store reads workspaces does not change what callers (the REST API) see.
 *
 * @param owner     a user, or the built-in owner of unclaimed prebuilds
 * @param claimed   whether a user owns it
 * @param preset    the preset (version) it was built from, or {@code null} when unknown
 * @param phase     where it stands, from its latest build, or {@code null} when it has none
 * @param claimedAt when a user claimed it, or {@code null} while it is a prebuild
 * @param outputs   what its create produced (e.g. its URL)
 */
public record Workspace(WorkspaceId id, String name, String owner, boolean claimed, PresetId preset, Phase phase,
                        Instant createdAt, Instant claimedAt, Map<String, String> outputs) {

    public Workspace {
        Objects.requireNonNull(id, "id");
        outputs = Map.copyOf(outputs);
    }

    /**
     * Where a workspace stands: from its latest build, and for prebuilds readiness (SPEC R10: provisioned, not ready
     * yet), liveness (R11: found unhealthy, about to be deleted) and a claim's handoff (R12: claiming, reserved by a
     * claim whose handoff is in progress; still a prebuild, never eligible).
     */
    public enum Phase { STARTING, PROVISIONED, RUNNING, CLAIMING, UNHEALTHY, FAILED, DELETING, DELETED }
}
