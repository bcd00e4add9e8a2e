package io.warmpool.domain.plan;

import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Objects;

/** One step of a preset's plan, with its reason (SPEC R2). */
public sealed interface PlanAction permits PlanAction.Create, PlanAction.Delete, PlanAction.CancelQueued, PlanAction.Blocked {

    /** Create {@code count} new prebuilds; the plan needed them to reach {@code desired}. */
    record Create(int count) implements PlanAction {
        public Create {
            if (count <= 0) {
                throw new IllegalArgumentException("a create action creates at least one prebuild, got " + count);
            }
        }
    }

    /** Delete one prebuild. {@code createdAt} is carried so the order of R2.3 can be checked and shown. */
    record Delete(WorkspaceId workspace, Instant createdAt, DeleteReason reason) implements PlanAction {
        public Delete {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Cancel the {@code count} creates of an inactive preset that no worker has taken yet (reason {@code INACTIVE}). */
    record CancelQueued(int count) implements PlanAction {
        public CancelQueued {
            if (count <= 0) {
                throw new IllegalArgumentException("cancel at least one queued create, got " + count);
            }
        }

        public DeleteReason reason() {
            return DeleteReason.INACTIVE;
        }
    }

    /**
     * A create that a guard lowered: {@code needed} were needed, {@code allowed} are created, and
     * {@code reason} is the first guard that lowered the count.
     *
     * @param until when the backoff ends, for {@link BlockReason#BACKOFF}; {@code null} otherwise
     */
    record Blocked(BlockReason reason, int needed, int allowed, Instant until) implements PlanAction {
        public Blocked {
            Objects.requireNonNull(reason, "reason");
            if (allowed < 0 || allowed >= needed) {
                throw new IllegalArgumentException("a blocked create allows fewer than needed: " + allowed + " of " + needed);
            }
            if ((reason == BlockReason.BACKOFF) != (until != null)) {
                throw new IllegalArgumentException("only a BACKOFF block carries its deadline");
            }
        }

        /** A copy that allows {@code newAllowed}, keeping the first guard. */
        public Blocked lowerTo(int newAllowed) {
            return new Blocked(reason, needed, Math.min(allowed, newAllowed), until);
        }
    }
}
