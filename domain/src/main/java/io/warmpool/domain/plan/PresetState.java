package io.warmpool.domain.plan;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one preset at an instant (SPEC R1), derived from a {@link PresetSnapshot}.
 *
 * <p>{@code running}, {@code expired}, {@code eligible} and {@code failed} are sorted oldest first
 * (by {@code createdAt}, ties by the id's text).
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
        FailureState failure) {

    public PresetState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        running = List.copyOf(running);
        expired = List.copyOf(expired);
        eligible = List.copyOf(eligible);
        failed = List.copyOf(failed);
        Objects.requireNonNull(inFlight, "inFlight");
        Objects.requireNonNull(failure, "failure");
    }

    /** Derives the state of {@code snapshot} at {@code now} (R1). */
    public static PresetState of(PresetSnapshot snapshot, Instant now) {
        Objects.requireNonNull(now, "now");
        boolean active = snapshot.activity().isActive();
        List<Prebuild> running = new ArrayList<>(snapshot.running());
        running.sort(Prebuild.OLDEST_FIRST);
        Eligibility eligibility = Eligibility.at(snapshot.policy().ttl(), snapshot.invalidatedAt(), now);
        List<Expired> expired = new ArrayList<>();
        List<Prebuild> fresh = new ArrayList<>(running.size());
        for (Prebuild p : running) {
            Optional<ExpiryReason> why = eligibility.expiry(p.createdAt());
            if (why.isPresent()) {
                expired.add(new Expired(p, why.get()));
            } else {
                fresh.add(p);
            }
        }
        List<FailedPrebuild> failed = new ArrayList<>(snapshot.failed());
        failed.sort(FailedPrebuild.OLDEST_FIRST);
        int desired = active ? snapshot.policy().instancesAt(now) : 0;
        return new PresetState(snapshot.id(), now, active, desired, running, expired,
                active ? fresh : List.of(), failed, snapshot.inFlight(), snapshot.failure());
    }

    /** {@code starting}: create builds pending or running. */
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

    /** {@code extraneous} = max(eligible − desired, 0). */
    public int extraneous() {
        return Math.max(eligible.size() - desired, 0);
    }

    /** Whether creation is backing off at {@link #at()} (R3), and until when. */
    public Optional<Instant> backoffUntil() {
        return failure.backoffUntil(at);
    }
}
