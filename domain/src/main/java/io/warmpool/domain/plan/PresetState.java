package io.warmpool.domain.plan;

import io.warmpool.domain.Liveness;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.backoff.FailureState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one preset at an instant (SPEC R1), derived from a {@link PresetSnapshot}.
 *
 * <p>{@code running}, {@code expired}, {@code eligible} and {@code failed} are sorted oldest first
 * ({@link DeleteOrder}: by {@code createdAt}, ties by the id's text).
 *
 * @param sizing R13's demand-driven sizing that gave {@code desired} (with its explanation), or {@code null} when the
 *               preset has no autoscale or is not active
 */
public record PresetState(
        PresetId id,
        Instant at,
        boolean active,
        int desired,
        List<Prebuild> running,
        List<Expired> expired,
        List<Prebuild> eligible,
        List<FailedPrebuild> failed,
        InFlight inFlight,
        FailureState failure,
        List<Prebuild> unhealthy,
        Readiness readiness,
        Liveness health,
        Sizing sizing) {

    public PresetState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        running = Frozen.copyOf(running);
        expired = Frozen.copyOf(expired);
        eligible = Frozen.copyOf(eligible);
        failed = Frozen.copyOf(failed);
        Objects.requireNonNull(inFlight, "inFlight");
        Objects.requireNonNull(failure, "failure");
        unhealthy = unhealthy == null ? List.of() : Frozen.copyOf(unhealthy);
    }

    /** A state of a preset without autoscale. */
    public PresetState(PresetId id, Instant at, boolean active, int desired, List<Prebuild> running,
                       List<Expired> expired, List<Prebuild> eligible, List<FailedPrebuild> failed, InFlight inFlight,
                       FailureState failure, List<Prebuild> unhealthy, Readiness readiness, Liveness health) {
        this(id, at, active, desired, running, expired, eligible, failed, inFlight, failure, unhealthy, readiness,
                health, null);
    }

    /** A state of a preset without readiness or liveness policy. */
    public PresetState(PresetId id, Instant at, boolean active, int desired, List<Prebuild> running,
                       List<Expired> expired, List<Prebuild> eligible, List<FailedPrebuild> failed, InFlight inFlight,
                       FailureState failure, List<Prebuild> unhealthy) {
        this(id, at, active, desired, running, expired, eligible, failed, inFlight, failure, unhealthy, null, null);
    }

    /** A state with no unhealthy prebuilds. */
    public PresetState(PresetId id, Instant at, boolean active, int desired, List<Prebuild> running,
                       List<Expired> expired, List<Prebuild> eligible, List<FailedPrebuild> failed, InFlight inFlight,
                       FailureState failure) {
        this(id, at, active, desired, running, expired, eligible, failed, inFlight, failure, List.of());
    }

    /** Derives the state of {@code snapshot} at {@code now} (R1). */
    public static PresetState of(PresetSnapshot snapshot, Instant now) {
        Objects.requireNonNull(now, "now");
        boolean active = snapshot.activity().isActive();
        // The snapshot's lists are immutable; when already oldest first (as the database adapter loads them) they
        // are used as they are, and the constructor keeps them without copying.
        List<Prebuild> running = OldestFirst.sorted(snapshot.running(), DeleteOrder.PREBUILDS);
        Eligibility eligibility = Eligibility.at(snapshot.policy().ttl(), snapshot.invalidatedAt(), now);
        // Both expiry bounds are lower bounds on createdAt, so the expired prebuilds are a prefix of the
        // oldest-first list and the eligible ones the rest.
        int n = running.size();
        int expiredCount = 0;
        while (expiredCount < n && eligibility.reason(running.get(expiredCount).createdAt()) != null) {
            expiredCount++;
        }
        List<Expired> expired = List.of();
        List<Prebuild> fresh = running;
        if (expiredCount > 0) {
            Expired[] gone = new Expired[expiredCount];
            for (int i = 0; i < expiredCount; i++) {
                Prebuild p = running.get(i);
                gone[i] = new Expired(p, eligibility.reason(p.createdAt()));
            }
            expired = Frozen.handOver(gone, expiredCount);
            fresh = Frozen.range(running, expiredCount, n);
        }
        List<FailedPrebuild> failed = OldestFirst.sorted(snapshot.failed(), DeleteOrder.FAILED);
        // R13: only presets with autoscale pay for the sizing; the others allocate nothing more than before.
        Sizing sizing = active && snapshot.policy().autoscale() != null
                ? Sizing.of(snapshot.policy(), snapshot.demand(), now)
                : null;
        int desired = !active ? 0 : sizing != null ? sizing.desired() : snapshot.policy().instancesAt(now);
        return new PresetState(snapshot.id(), now, active, desired, running, expired,
                active ? fresh : List.of(), failed, snapshot.inFlight(), snapshot.failure(),
                OldestFirst.sorted(snapshot.unhealthy(), DeleteOrder.PREBUILDS), snapshot.policy().readiness(),
                snapshot.policy().health(), sizing);
    }

    /** Prebuilds reserved by a claim whose handoff is in progress (R12): out of the pool, counted nowhere else. */
    public int claiming() {
        return inFlight.claiming();
    }

    /** Of {@link #starting()}, the provisioned prebuilds that are not ready yet (R10). */
    public int provisioned() {
        return inFlight.provisioned();
    }

    /** {@code starting}: create builds pending or running, and provisioned prebuilds not ready yet (R10). */
    public int starting() {
        return inFlight.starting();
    }

    /** {@code queued}: pending creates no worker has taken yet. */
    public int queued() {
        return inFlight.queued();
    }

    /** {@code deleting}: delete builds pending or running. */
    public int deleting() {
        return inFlight.deleting();
    }

    /**
     * {@code need} = max(desired − eligible − starting, 0) (R2.2 d): the creates the pool is short of before any
     * guard lowers them. 0 when not active (desired is 0 then).
     */
    public int need() {
        return Math.max(desired - eligible.size() - starting(), 0);
    }

    /** {@code extraneous} = max(eligible − desired, 0). */
    public int extraneous() {
        return Math.max(eligible.size() - desired, 0);
    }

    /** Whether creation is backing off at {@link #at()} (R3), and until when. */
    public Optional<Instant> backoffUntil() {
        return failure.backoffUntil(at);
    }
}
