package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads workspaces and their builds (for operators, the API and release). Each call is one read; results are
 * consistent within a call only.
 */
public interface WorkspacePort {

    /** The built-in owner of unclaimed prebuilds. */
    String PREBUILDS_OWNER = "prebuilds";

    Optional<WorkspaceView> find(WorkspaceId id);

    /**
     * Workspaces, newest first.
     *
     * @param preset only this preset's workspaces, or all when {@code null}
     * @param owner  only this owner's, or all when {@code null}
     * @param limit  at most this many (1…1000)
     */
    default List<WorkspaceView> list(PresetId preset, String owner, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, got " + limit);
        }
        return list(preset, owner, null, limit);
    }

    /**
     * One page of workspaces, newest first: by {@code createdAt} then {@code id}, both descending, a stable order
     * (keyset pagination: what was listed before is not listed again as workspaces are added).
     *
     * @param after only the workspaces after this one in that order (the last of the previous page), or all when
     *              {@code null}; it need not exist any more
     * @param limit at most this many (1…1001: a page of up to 1000 and one more to know whether another follows)
     */
    List<WorkspaceView> list(PresetId preset, String owner, ListKey after, int limit);

    /** Where a page of {@link #list(PresetId, String, ListKey, int)} ends: a workspace's place in its order. */
    record ListKey(Instant createdAt, WorkspaceId id) {
        public ListKey {
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(id, "id");
        }
    }

    /** The builds of a workspace, oldest first, with their errors. */
    List<BuildView> builds(WorkspaceId id);

    /**
     * One page of a workspace's builds, oldest first (by build id, which grows with creation).
     *
     * @param afterBuild only builds with a greater id (the last of the previous page), 0 for the first page
     * @param limit      at most this many (1…1001)
     */
    List<BuildView> builds(WorkspaceId id, long afterBuild, int limit);

    /**
     * Where a workspace stands: from its latest build, and for prebuilds its readiness (R10: provisioned), liveness
     * (R11: unhealthy) and a claim's handoff in progress (R12: claiming; still a prebuild, never eligible).
     */
    enum Phase { STARTING, PROVISIONED, RUNNING, CLAIMING, UNHEALTHY, FAILED, DELETING, DELETED }

    /** A workspace as operators see it. */
    record WorkspaceView(WorkspaceId id, String name, String owner, PresetId preset, Phase phase, Instant createdAt,
                         Instant claimedAt, Map<String, String> outputs) {
        public WorkspaceView {
            outputs = Map.copyOf(outputs);
        }

        /** Whether a user owns it. */
        public boolean claimed() {
            return !PREBUILDS_OWNER.equals(owner);
        }
    }

    /**
     * One build with its outcome; {@code error} and {@code log} are bounded.
     *
     * @param awaitingCallbackUntil while a running build awaits its provisioner's callback (after a {@code 202
     *                              Accepted}), the deadline; else {@code null}
     */
    record BuildView(JobId id, Transition transition, String status, String reason, int attempt, Instant createdAt,
                     Instant startedAt, Instant finishedAt, String errorCode, String error, String log,
                     Instant awaitingCallbackUntil) {

        /** A build that never awaited a callback. */
        public BuildView(JobId id, Transition transition, String status, String reason, int attempt, Instant createdAt,
                         Instant startedAt, Instant finishedAt, String errorCode, String error, String log) {
            this(id, transition, status, reason, attempt, createdAt, startedAt, finishedAt, errorCode, error, log, null);
        }
    }
}
