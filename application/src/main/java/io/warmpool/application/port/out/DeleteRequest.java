package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.DeleteReason;
import java.util.Objects;

/**
 * A workspace to delete.
 *
 * @param reason why: a plan's delete reason, or {@link Reason#RELEASED} for a claimed workspace its owner let go of;
 *               which one decides which workspaces the queue accepts (see {@link BuildQueuePort#enqueueDeletes})
 */
public record DeleteRequest(WorkspaceId workspace, PresetId preset, Reason reason) {

    /** Why a workspace is deleted; recorded (by name) as the delete build's reason. */
    public enum Reason {
        INACTIVE, UNHEALTHY, EXPIRED, INVALIDATED, EXTRANEOUS, FAILED_CLEANUP,
        /** A claimed workspace released by its owner (not a plan's delete). */
        RELEASED,
        /**
         * A prebuild whose claim handoff failed or timed out (SPEC R12; not a plan's delete, not a creation failure):
         * enqueued by {@link ClaimPort#abandon} and {@link ClaimPort#reapReservations}, never through
         * {@link BuildQueuePort#enqueueDeletes}.
         */
        CLAIM_FAILED;

        /** The reason of a plan's delete (every planner reason has one of its own here). */
        public static Reason planned(DeleteReason reason) {
            return switch (reason) {
                case INACTIVE -> INACTIVE;
                case UNHEALTHY -> UNHEALTHY;
                case EXPIRED -> EXPIRED;
                case INVALIDATED -> INVALIDATED;
                case EXTRANEOUS -> EXTRANEOUS;
                case FAILED_CLEANUP -> FAILED_CLEANUP;
            };
        }
    }

    public DeleteRequest {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(reason, "reason");
    }
}
