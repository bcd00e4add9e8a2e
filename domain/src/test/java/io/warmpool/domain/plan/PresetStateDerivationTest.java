package io.warmpool.domain.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link PresetState#of} skips the sort when the snapshot is already oldest first and splits expired from eligible
 * at the first eligible prebuild; this checks, on seeded random snapshots (in order, shuffled, with ties in
 * {@code createdAt}, TTL, invalidation, inactive), that it derives exactly what R1 as first written derived.
 */
class PresetStateDerivationTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final PresetId ID = new PresetId("t", "v1", "p");

    @Test
    void derivationEqualsTheDefinition_onSeededRandomSnapshots() {
        SplittableRandom random = new SplittableRandom(31);
        for (int i = 0; i < 3_000; i++) {
            PresetSnapshot snapshot = snapshot(random);
            try {
                assertThat(PresetState.of(snapshot, NOW)).isEqualTo(reference(snapshot, NOW));
            } catch (AssertionError e) {
                throw new AssertionError("case " + i + " of seed 31 failed for " + snapshot, e);
            }
        }
    }

    @Test
    void theDerivedListsAreUnmodifiable_whetherSortedHereOrGivenInOrder() {
        SplittableRandom random = new SplittableRandom(32);
        for (int i = 0; i < 200; i++) {
            PresetState state = PresetState.of(snapshot(random), NOW);
            for (List<?> list : List.of(state.running(), state.expired(), state.eligible(), state.failed())) {
                assertThatThrownBy(() -> list.add(null)).isInstanceOf(UnsupportedOperationException.class);
            }
        }
    }

    /** R1 as first written: sort copies oldest first (ties by the id's text), then test every prebuild. */
    private static PresetState reference(PresetSnapshot snapshot, Instant now) {
        boolean active = snapshot.activity().isActive();
        List<Prebuild> running = new ArrayList<>(snapshot.running());
        running.sort(Comparator.comparing(Prebuild::createdAt).thenComparing(p -> p.id().text()));
        Eligibility eligibility = Eligibility.at(snapshot.policy().ttl(), snapshot.invalidatedAt(), now);
        List<Expired> expired = new ArrayList<>();
        List<Prebuild> fresh = new ArrayList<>();
        for (Prebuild p : running) {
            Optional<ExpiryReason> why = eligibility.expiry(p.createdAt());
            if (why.isPresent()) {
                expired.add(new Expired(p, why.get()));
            } else {
                fresh.add(p);
            }
        }
        List<FailedPrebuild> failed = new ArrayList<>(snapshot.failed());
        failed.sort(Comparator.comparing(FailedPrebuild::createdAt).thenComparing(f -> f.id().text()));
        int desired = active ? snapshot.policy().instancesAt(now) : 0;
        return new PresetState(snapshot.id(), now, active, desired, running, expired,
                active ? fresh : List.of(), failed, snapshot.inFlight(), snapshot.failure());
    }

    private static PresetSnapshot snapshot(SplittableRandom random) {
        // few distinct ages, so that createdAt ties are common and the id decides
        int ages = 1 + random.nextInt(20);
        int count = random.nextInt(5) == 0 ? random.nextInt(33, 80) : random.nextInt(16);
        List<Prebuild> running = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            running.add(new Prebuild(id(random), NOW.minusSeconds(600L * random.nextInt(ages))));
        }
        if (random.nextBoolean()) {
            running.sort(DeleteOrder.PREBUILDS); // as the database adapter loads them
        }
        List<FailedPrebuild> failed = new ArrayList<>();
        for (int i = random.nextInt(4) == 0 ? random.nextInt(40) : random.nextInt(4); i > 0; i--) {
            Instant createdAt = NOW.minusSeconds(600L * random.nextInt(ages));
            failed.add(new FailedPrebuild(id(random), createdAt, createdAt.plusSeconds(random.nextInt(300))));
        }
        Duration ttl = switch (random.nextInt(3)) {
            case 0 -> Duration.ZERO;
            case 1 -> Duration.ofSeconds(600L * random.nextInt(1, ages + 1));
            default -> Duration.ofHours(2);
        };
        Instant invalidatedAt = random.nextBoolean() ? null : NOW.minusSeconds(600L * random.nextInt(ages + 1) + random.nextInt(2));
        Activity activity = random.nextInt(4) == 0 ? new Activity(false, false, false) : Activity.ACTIVE;
        return new PresetSnapshot(ID, activity, new PrebuildPolicy(random.nextInt(12), ttl, PrebuildSchedule.none()),
                invalidatedAt, null, running, failed, null);
    }

    private static WorkspaceId id(SplittableRandom random) {
        // a small space of ids, some with the sign bit set, so equal ids and text-vs-signed order both come up
        return new WorkspaceId(new UUID(random.nextInt(3) - 1L << 60, random.nextInt(50) - 25L));
    }
}
