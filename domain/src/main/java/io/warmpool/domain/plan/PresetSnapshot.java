package io.warmpool.domain.plan;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.backoff.FailureState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the rules need to know about one preset, read in one consistent snapshot.
 *
 * @param invalidatedAt the last {@code invalidate} of the preset, or {@code null} when never invalidated (R6)
 * @param running       prebuilds whose latest build is a succeeded create (unclaimed, not deleting)
 * @param failed        prebuilds whose latest build failed
 * @param unhealthy     ready prebuilds that liveness checks found unhealthy or gone (R11): never eligible, deleted
 *                      with reason UNHEALTHY
 * @param demand        measured demand for R13, {@link DemandHistory#NONE} when the preset has no autoscale
 */
public record PresetSnapshot(
        PresetId id,
        Activity activity,
        PrebuildPolicy policy,
        Instant invalidatedAt,
        FailureState failure,
        List<Prebuild> running,
        List<FailedPrebuild> failed,
        InFlight inFlight,
        List<Prebuild> unhealthy,
        DemandHistory demand) {

    public PresetSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(policy, "policy");
        failure = failure == null ? FailureState.initial() : failure;
        running = List.copyOf(running);
        failed = List.copyOf(failed);
        inFlight = inFlight == null ? InFlight.NONE : inFlight;
        unhealthy = unhealthy == null ? List.of() : List.copyOf(unhealthy);
        demand = demand == null ? DemandHistory.NONE : demand;
    }

    /** A snapshot without measured demand. */
    public PresetSnapshot(PresetId id, Activity activity, PrebuildPolicy policy, Instant invalidatedAt,
                          FailureState failure, List<Prebuild> running, List<FailedPrebuild> failed, InFlight inFlight,
                          List<Prebuild> unhealthy) {
        this(id, activity, policy, invalidatedAt, failure, running, failed, inFlight, unhealthy, DemandHistory.NONE);
    }

    /** A snapshot with no unhealthy prebuilds. */
    public PresetSnapshot(PresetId id, Activity activity, PrebuildPolicy policy, Instant invalidatedAt,
                          FailureState failure, List<Prebuild> running, List<FailedPrebuild> failed, InFlight inFlight) {
        this(id, activity, policy, invalidatedAt, failure, running, failed, inFlight, List.of());
    }
}
