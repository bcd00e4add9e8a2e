package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimPort.Attempt;
import io.warmpool.application.port.out.ClaimPort.Claimed;
import io.warmpool.application.port.out.ClaimPort.ClaimedWorkspace;
import io.warmpool.application.port.out.ClaimPort.Missed;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract of {@link ClaimPort} (SPEC A3, R1): the oldest eligible prebuild of the active version, oldest by
 * its workspace's creation (not its readiness: seeded prebuilds become ready {@link PortSeed#READY_AFTER} after).
 */
public abstract class ClaimPortContract extends PortContract {

    protected static final Instant NOW = T0.plus(Duration.ofHours(10));
    protected static final PresetRef SMALL = new PresetRef("python-dev", "small");

    private ClaimPort claims;

    @BeforeEach
    void claims() {
        claims = store.claims();
    }

    private PresetId small() {
        return seed.preset("python-dev", "small", Map.of("cpu", "2"));
    }

    private PresetId smallWithTtl(Duration ttl) {
        return seed.preset("python-dev", "v1", "small", Map.of("cpu", "2"), ttl, false, false);
    }

    private static ClaimedWorkspace claimed(Attempt attempt) {
        assertThat(attempt).isInstanceOf(Claimed.class);
        return ((Claimed) attempt).workspace();
    }

    private String owner(WorkspaceId id) {
        return seed.workspace(id).owner();
    }

    @Test
    void givenRunningPrebuilds_claimHandsOverTheOldestWithItsOutputs() {
        PresetId preset = small();
        WorkspaceId oldest = seed.runningPrebuild(preset, T0.plusSeconds(10), Map.of("url", "https://oldest", "ip", "10.0.0.7"));
        WorkspaceId newer = seed.runningPrebuild(preset, T0.plusSeconds(20), Map.of("url", "https://newer"));

        ClaimedWorkspace ws = claimed(claims.claim(SMALL, "alice", "alice-dev", NOW));

        assertThat(ws.id()).isEqualTo(oldest);
        assertThat(ws.owner()).isEqualTo("alice");
        assertThat(ws.name()).isEqualTo("alice-dev");
        assertThat(ws.preset()).isEqualTo(preset);
        assertThat(ws.createdAt()).as("when the workspace was created, not when it became ready")
                .isEqualTo(T0.plusSeconds(10));
        assertThat(ws.claimedAt()).isEqualTo(NOW);
        assertThat(ws.outputs()).containsOnly(Map.entry("url", "https://oldest"), Map.entry("ip", "10.0.0.7"));
        WorkspaceView row = seed.workspace(oldest);
        assertThat(row.owner()).isEqualTo("alice");
        assertThat(row.claimed()).isTrue();
        assertThat(row.name()).isEqualTo("alice-dev");
        assertThat(row.createdAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(row.claimedAt()).isEqualTo(NOW);
        assertThat(row.phase()).isEqualTo(Phase.RUNNING);
        assertThat(owner(newer)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(seed.snapshot(preset).running()).extracting(p -> p.id()).containsExactly(newer);
    }

    @Test
    void givenPrebuildsCreatedAtTheSameInstant_claimBreaksTheTieById() {
        PresetId preset = small();
        List<WorkspaceId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(seed.runningPrebuild(preset, T0, Map.of()));
        }
        // By WorkspaceId's order: that of the canonical lowercase text, which is PostgreSQL's bytewise uuid order.
        List<WorkspaceId> expected = ids.stream().sorted(Comparator.naturalOrder()).toList();

        List<WorkspaceId> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(claimed(claims.claim(SMALL, "u" + i, "n" + i, NOW)).id());
        }

        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void givenNoPrebuild_claimMisses() {
        PresetId preset = small();

        Attempt attempt = claims.claim(SMALL, "alice", "dev", NOW);

        assertThat(attempt).isEqualTo(new Missed(preset));
    }

    @Test
    void givenAllPrebuildsClaimed_theNextClaimMisses() {
        PresetId preset = small();
        seed.runningPrebuild(preset, T0, Map.of());

        claimed(claims.claim(SMALL, "alice", "dev", NOW));

        assertThat(claims.claim(SMALL, "bob", "dev", NOW)).isEqualTo(new Missed(preset));
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"STARTING", "FAILED", "DELETING", "DELETED", "CLAIMING"})
    void givenOnlyAPrebuildThatIsNotRunning_claimMisses(Phase phase) {
        PresetId preset = small();
        WorkspaceId ws = switch (phase) {
            case STARTING -> seed.startingPrebuild(preset, T0);
            case FAILED -> seed.failedPrebuild(preset, T0);
            case DELETING -> seed.deletingPrebuild(preset, T0, T0.plusSeconds(60));
            case DELETED -> seed.deletedPrebuild(preset, T0, T0.plusSeconds(60));
            case CLAIMING -> {
                WorkspaceId running = seed.runningPrebuild(preset, T0, Map.of());
                yield reserved(claims.reserve(SMALL, "zoe", "zoe-dev", NOW.minusSeconds(1)), running).id();
            }
            default -> throw new AssertionError("not a case of this test");
        };
        assertThat(seed.workspace(ws).phase()).isEqualTo(phase);

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isInstanceOf(Missed.class);
        assertThat(owner(ws)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenOnlyAnotherUsersWorkspace_claimMisses() {
        PresetId preset = small();
        WorkspaceId bobs = seed.claimed(preset, "bob", T0, T0.plusSeconds(60), Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isInstanceOf(Missed.class);
        assertThat(owner(bobs)).isEqualTo("bob");
    }

    @Test
    void givenATtl_expiredPrebuildsAreNeverClaimed() {
        Duration ttl = Duration.ofHours(1);
        PresetId preset = smallWithTtl(ttl);
        WorkspaceId muchOlder = seed.runningPrebuild(preset, NOW.minus(ttl).minusSeconds(60), Map.of());
        WorkspaceId expiredExactly = seed.runningPrebuild(preset, NOW.minus(ttl), Map.of()); // now − createdAt = ttl
        WorkspaceId justInside = seed.runningPrebuild(preset, NOW.minus(ttl).plusMillis(1), Map.of());

        ClaimedWorkspace first = claimed(claims.claim(SMALL, "alice", "dev", NOW));
        Attempt second = claims.claim(SMALL, "bob", "dev", NOW);

        assertThat(first.id()).isEqualTo(justInside);
        assertThat(second).isInstanceOf(Missed.class);
        assertThat(owner(expiredExactly)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(owner(muchOlder)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAnInvalidatedPreset_olderPrebuildsAreNeverClaimedButOneCreatedAtTheInvalidationIs() {
        PresetId preset = small();
        Instant invalidatedAt = T0.plusSeconds(100);
        WorkspaceId before = seed.runningPrebuild(preset, invalidatedAt.minusMillis(1), Map.of());
        WorkspaceId atTheInstant = seed.runningPrebuild(preset, invalidatedAt, Map.of());
        store.presets().invalidate(preset, invalidatedAt);

        ClaimedWorkspace first = claimed(claims.claim(SMALL, "alice", "dev", NOW));
        Attempt second = claims.claim(SMALL, "bob", "dev", NOW);

        assertThat(first.id()).isEqualTo(atTheInstant);
        assertThat(second).isInstanceOf(Missed.class);
        assertThat(owner(before)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenADeprecatedTemplate_claimMissesEvenWithRunningPrebuilds() {
        PresetId preset = seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, true, false);
        seed.runningPrebuild(preset, T0, Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isEqualTo(new Missed(preset));
    }

    @Test
    void givenADeletedTemplate_claimMissesEvenWithRunningPrebuilds() {
        PresetId preset = seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, false, true);
        seed.runningPrebuild(preset, T0, Map.of());

        assertThat(claims.claim(SMALL, "alice", "dev", NOW)).isEqualTo(new Missed(preset));
    }

    @Test
    void givenANewerActiveVersion_claimTakesOnlyThatVersionsPrebuilds() {
        PresetId v1 = seed.preset("python-dev", "v1", "small", Map.of("cpu", "2"), Duration.ZERO, false, false);
        WorkspaceId oldVersion = seed.runningPrebuild(v1, T0, Map.of());
        PresetId v2 = seed.preset("python-dev", "v2", "small", Map.of("cpu", "4"), Duration.ZERO, false, false);

        Attempt none = claims.claim(SMALL, "alice", "dev", NOW);
        WorkspaceId current = seed.runningPrebuild(v2, T0.plusSeconds(5), Map.of());
        ClaimedWorkspace got = claimed(claims.claim(SMALL, "alice", "dev", NOW));

        assertThat(none).isEqualTo(new Missed(v2));
        assertThat(got.id()).isEqualTo(current);
        assertThat(got.preset()).isEqualTo(v2);
        assertThat(owner(oldVersion)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAnUnknownTemplate_claimThrowsNotFoundNamingThePreset() {
        small();

        assertThatThrownBy(() -> claims.claim(new PresetRef("go-dev", "small"), "alice", "dev", NOW))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("go-dev/small")
                .hasMessageContaining("no template go-dev");
    }

    @Test
    void givenAPresetMissingFromTheActiveVersion_claimThrowsNotFoundNamingThePresetAndVersion() {
        seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, false, false);
        seed.preset("python-dev", "v2", "large", Map.of(), Duration.ZERO, false, false);

        assertThatThrownBy(() -> claims.claim(SMALL, "alice", "dev", NOW))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("python-dev/small")
                .hasMessageContaining("v2");
    }

    @Test
    void givenThePrebuildsOwnerAsClaimant_claimIsRejected() {
        PresetId preset = small();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());

        assertThatThrownBy(() -> claims.claim(SMALL, WorkspacePort.PREBUILDS_OWNER, "dev", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(seed.workspace(ws).name()).startsWith("prebuild-");
        assertThat(seed.workspace(ws).claimedAt()).isNull();
    }

    // ------------------------------------------------------------------ Idempotency-Key (R12)

    @Test
    void givenTheSameKeyTwice_theSecondClaimAnswersTheFirstsWorkspaceAgainAndTakesNothing() {
        PresetId preset = small();
        WorkspaceId oldest = seed.runningPrebuild(preset, T0.plusSeconds(10), Map.of("url", "https://oldest"));
        WorkspaceId other = seed.runningPrebuild(preset, T0.plusSeconds(20), Map.of());

        Attempt first = claims.claim(SMALL, "alice", "alice-dev", NOW, "key-1");
        Attempt again = claims.claim(SMALL, "alice", "another-name", NOW.plusSeconds(30), "key-1");

        assertThat(first).isEqualTo(new Claimed(new ClaimedWorkspace(oldest, "alice-dev", "alice", preset,
                T0.plusSeconds(10), NOW, Map.of("url", "https://oldest")), false));
        assertThat(again).as("the same answer, marked as replayed").isEqualTo(new Claimed(claimed(first), true));
        assertThat(owner(other)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(seed.workspace(oldest).name()).isEqualTo("alice-dev");
    }

    @Test
    void givenTheSameKeyFromAnotherReplica_itAnswersTheSameWorkspace() {
        PresetId preset = small();
        seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId other = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());

        ClaimedWorkspace first = claimed(claims.claim(SMALL, "alice", "dev", NOW, "key-1"));
        Attempt again = anotherReplica().claims().claim(SMALL, "alice", "dev", NOW.plusSeconds(1), "key-1");

        assertThat(again).isEqualTo(new Claimed(first, true));
        assertThat(owner(other)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAKeyUsedByAnotherOwner_theClaimIsAConflictNamingTheKeyAndTakesNothing() {
        PresetId preset = small();
        seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId other = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        claimed(claims.claim(SMALL, "alice", "dev", NOW, "key-1"));

        assertThatThrownBy(() -> claims.claim(SMALL, "bob", "dev", NOW.plusSeconds(1), "key-1"))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("Idempotency-Key 'key-1'")
                .hasMessageContaining("python-dev/small by alice");
        assertThat(owner(other)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAKeyUsedForAnotherPreset_theClaimIsAConflict() {
        PresetId preset = small();
        PresetId large = seed.preset("go-dev", "small", Map.of("cpu", "8"));
        seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId largeOne = seed.runningPrebuild(large, T0, Map.of());
        claimed(claims.claim(SMALL, "alice", "dev", NOW, "key-1"));

        assertThatThrownBy(() -> claims.claim(new PresetRef("go-dev", "small"), "alice", "dev", NOW, "key-1"))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("python-dev/small");
        assertThat(owner(largeOne)).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
    }

    @Test
    void givenAKeyWhoseClaimMissed_nothingIsStoredAndARetryWithItCanSucceed() {
        PresetId preset = small();

        Attempt missed = claims.claim(SMALL, "alice", "dev", NOW, "key-1");
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
        Attempt retried = claims.claim(SMALL, "alice", "dev", NOW.plusSeconds(5), "key-1");
        // And, nothing having been stored by the miss, the key is not bound to the first owner either.
        Attempt byBob = claims.claim(SMALL, "bob", "dev", NOW.plusSeconds(6), "key-2");

        assertThat(missed).isEqualTo(new Missed(preset));
        assertThat(claimed(retried).id()).isEqualTo(ws);
        assertThat(((Claimed) retried).replayed()).isFalse();
        assertThat(byBob).isEqualTo(new Missed(preset));
    }

    @Test
    void givenAKeyOlderThanTheWindow_itIsForgottenAndClaimsAnew() {
        PresetId preset = small();
        WorkspaceId first = seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId second = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        claimed(claims.claim(SMALL, "alice", "dev", NOW, "key-1"));
        Instant justInside = NOW.plus(ClaimPort.IDEMPOTENCY_WINDOW).minusMillis(1);
        Instant expired = NOW.plus(ClaimPort.IDEMPOTENCY_WINDOW);

        Attempt inside = claims.claim(SMALL, "alice", "dev", justInside, "key-1");
        Attempt after = claims.claim(SMALL, "bob", "dev", expired, "key-1");

        assertThat(claimed(inside).id()).isEqualTo(first);
        assertThat(((Claimed) inside).replayed()).isTrue();
        assertThat(claimed(after).id()).as("a claim of its own, by another owner").isEqualTo(second);
        assertThat(((Claimed) after).replayed()).isFalse();
        assertThat(claims.claim(SMALL, "bob", "dev", expired.plusSeconds(1), "key-1"))
                .as("and the key now names the new claim").isEqualTo(new Claimed(claimed(after), true));
    }

    @Test
    void givenAStoredKey_itIsReplayedBeforeThePresetIsResolved() {
        PresetId v1 = seed.preset("python-dev", "v1", "small", Map.of(), Duration.ZERO, false, false);
        seed.runningPrebuild(v1, T0, Map.of());
        ClaimedWorkspace first = claimed(claims.claim(SMALL, "alice", "dev", NOW, "key-1"));
        // The active version no longer has the preset: a new claim would be 404, the stored one is answered.
        seed.preset("python-dev", "v2", "large", Map.of(), Duration.ZERO, false, false);

        assertThat(claims.claim(SMALL, "alice", "dev", NOW.plusSeconds(1), "key-1")).isEqualTo(new Claimed(first, true));
        assertThatThrownBy(() -> claims.claim(SMALL, "alice", "dev", NOW.plusSeconds(1), "key-2"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void givenManyConcurrentClaimsWithTheSameKey_exactlyOneWorkspaceIsTakenAndEveryoneGetsIt() throws Exception {
        concurrentKeyedClaims(8);
    }

    @Test
    void givenManyConcurrentClaimsWithTheSameKey_andOnePrebuild_noneMisses() throws Exception {
        // The one claim that takes the prebuild holds its row until it commits; the others skip it, find nothing,
        // and must then see the key taken rather than answer "no prebuild available".
        concurrentKeyedClaims(1);
    }

    private void concurrentKeyedClaims(int prebuilds) throws Exception {
        PresetId preset = small();
        for (int i = 0; i < prebuilds; i++) {
            seed.runningPrebuild(preset, T0.plusSeconds(i), Map.of());
        }
        ClaimPort[] replicas = {claims, anotherReplica().claims()};
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        try {
            List<java.util.concurrent.Future<Attempt>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ClaimPort port = replicas[i % 2];
                futures.add(pool.submit(() -> {
                    start.await();
                    return port.claim(SMALL, "alice", "dev", NOW, "same-key");
                }));
            }
            List<Attempt> answers = new ArrayList<>();
            for (var f : futures) {
                answers.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }

            assertThat(answers).allSatisfy(a -> assertThat(a).isInstanceOf(Claimed.class));
            assertThat(answers).extracting(a -> ((Claimed) a).workspace()).as("one workspace, one answer").containsOnly(claimed(answers.get(0)));
            assertThat(answers).filteredOn(a -> !((Claimed) a).replayed()).as("claimed once, replayed otherwise").hasSize(1);
            assertThat(seed.snapshot(preset).running()).as("the other prebuilds are untouched").hasSize(prebuilds - 1);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ claim handoff (SPEC R12)

    /** The reservation of {@code attempt}, which must be of {@code expected}. */
    private static ClaimPort.Reservation reserved(Attempt attempt, WorkspaceId expected) {
        assertThat(attempt).isInstanceOf(ClaimPort.Reserved.class);
        ClaimPort.Reservation r = ((ClaimPort.Reserved) attempt).reservation();
        assertThat(r.id()).isEqualTo(expected);
        return r;
    }

    @Test
    void givenRunningPrebuilds_reserveTakesTheOldestAsClaimingStillOwnedByPrebuildsAndCountedNowhere() {
        PresetId preset = small();
        WorkspaceId oldest = seed.runningPrebuild(preset, T0.plusSeconds(10), Map.of("url", "https://oldest"));
        WorkspaceId newer = seed.runningPrebuild(preset, T0.plusSeconds(20), Map.of());

        ClaimPort.Reservation r = reserved(claims.reserve(SMALL, "alice", "alice-dev", NOW), oldest);

        assertThat(r.owner()).isEqualTo("alice");
        assertThat(r.name()).isEqualTo("alice-dev");
        assertThat(r.preset()).isEqualTo(preset);
        assertThat(r.reservedAt()).isEqualTo(NOW);
        assertThat(r.createdAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(r.outputs()).containsOnly(Map.entry("url", "https://oldest"));
        WorkspaceView row = seed.workspace(oldest);
        assertThat(row.phase()).isEqualTo(Phase.CLAIMING);
        assertThat(row.owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(seed.snapshot(preset).running()).extracting(p -> p.id()).as("claiming counts nowhere").containsExactly(newer);
        assertThat(seed.snapshot(preset).inFlight().deleting()).isZero();
        assertThat(seed.snapshot(preset).inFlight().claiming()).as("shown by status").isEqualTo(1);
        assertThat(seed.snapshot(preset).inFlight().starting()).isZero();
        assertThat(claimed(claims.claim(SMALL, "bob", "bob-dev", NOW)).id()).as("never eligible").isEqualTo(newer);
        assertThat(claims.reserve(SMALL, "carol", "c", NOW)).isEqualTo(new Missed(preset));
    }

    @Test
    void givenAReservation_finishHandsItOverWithTheGivenOutputs_once() {
        PresetId preset = small();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of("url", "https://a"));
        ClaimPort.Reservation r = reserved(claims.reserve(SMALL, "alice", "alice-dev", NOW), ws);

        var done = claims.finish(r, Map.of("url", "https://a", "user", "alice"), NOW.plusSeconds(2));

        assertThat(done).isPresent();
        assertThat(done.get().id()).isEqualTo(ws);
        assertThat(done.get().owner()).isEqualTo("alice");
        assertThat(done.get().name()).isEqualTo("alice-dev");
        assertThat(done.get().claimedAt()).isEqualTo(NOW.plusSeconds(2));
        assertThat(done.get().createdAt()).isEqualTo(T0);
        assertThat(done.get().outputs()).containsOnly(Map.entry("url", "https://a"), Map.entry("user", "alice"));
        WorkspaceView row = seed.workspace(ws);
        assertThat(row.phase()).isEqualTo(Phase.RUNNING);
        assertThat(row.owner()).isEqualTo("alice");
        assertThat(row.claimedAt()).isEqualTo(NOW.plusSeconds(2));
        assertThat(row.outputs()).containsEntry("user", "alice");
        assertThat(claims.finish(r, Map.of(), NOW.plusSeconds(3))).as("finished once").isEmpty();
        assertThat(claims.abandon(r, NOW.plusSeconds(3))).as("a finished claim is never abandoned").isFalse();
        assertThat(seed.workspace(ws).owner()).isEqualTo("alice");
    }

    @Test
    void givenAReservation_abandonDeletesItAsClaimFailed_andItCannotBeFinishedAfter() {
        PresetId preset = small();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
        ClaimPort.Reservation r = reserved(claims.reserve(SMALL, "alice", "alice-dev", NOW), ws);

        assertThat(claims.abandon(r, NOW.plusSeconds(1))).isTrue();

        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.DELETING);
        assertThat(seed.workspace(ws).owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(seed.builds(ws)).last().satisfies(b -> {
            assertThat(b.transition()).isEqualTo(io.warmpool.application.port.out.Transition.DELETE);
            assertThat(b.reason()).isEqualTo("CLAIM_FAILED");
            assertThat(b.status()).isEqualTo("pending");
        });
        assertThat(seed.snapshot(preset).inFlight().deleting()).isEqualTo(1);
        assertThat(seed.snapshot(preset).failure()).as("not a creation failure")
                .isEqualTo(io.warmpool.domain.backoff.FailureState.initial());
        assertThat(claims.abandon(r, NOW.plusSeconds(2))).as("abandoned once").isFalse();
        assertThat(claims.finish(r, Map.of(), NOW.plusSeconds(2))).isEmpty();
        assertThat(seed.builds(ws)).filteredOn(b -> "CLAIM_FAILED".equals(b.reason())).hasSize(1);
    }

    @Test
    void givenStaleAndFreshReservations_reapAbandonsOnlyTheStaleOnes_once_onAnyReplica() {
        PresetId preset = small();
        WorkspaceId stale = seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId fresh = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        ClaimPort.Reservation old = reserved(claims.reserve(SMALL, "alice", "a", NOW), stale);
        ClaimPort.Reservation young = reserved(claims.reserve(SMALL, "bob", "b", NOW.plusSeconds(30)), fresh);

        List<ClaimPort.Abandoned> reaped = anotherReplica().claims().reapReservations(NOW.plusSeconds(10), NOW.plusSeconds(70));

        assertThat(reaped).containsExactly(new ClaimPort.Abandoned(stale, preset, NOW));
        assertThat(seed.workspace(stale).phase()).isEqualTo(Phase.DELETING);
        assertThat(seed.workspace(fresh).phase()).isEqualTo(Phase.CLAIMING);
        assertThat(claims.reapReservations(NOW.plusSeconds(10), NOW.plusSeconds(71))).as("reaped once").isEmpty();
        assertThat(claims.finish(old, Map.of(), NOW.plusSeconds(72))).as("a reaped reservation is never handed out").isEmpty();
        assertThat(seed.workspace(stale).owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(claims.finish(young, Map.of(), NOW.plusSeconds(72))).isPresent();
    }

    @Test
    void givenAKeyedReservation_theSameKeyIsInProgressUntilFinished_thenReplaysTheFinalAnswer() {
        PresetId preset = small();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of("url", "https://a"));
        seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        ClaimPort.Reservation r = reserved(claims.reserve(SMALL, "alice", "alice-dev", NOW, "k-1"), ws);
        assertThat(r.idempotencyKey()).contains("k-1");

        assertThat(anotherReplica().claims().reserve(SMALL, "alice", "other", NOW.plusSeconds(1), "k-1"))
                .isEqualTo(new ClaimPort.InProgress(preset));
        assertThatThrownBy(() -> claims.reserve(SMALL, "bob", "b", NOW.plusSeconds(1), "k-1"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("k-1");
        claims.finish(r, Map.of("url", "https://a", "user", "alice"), NOW.plusSeconds(2));

        Attempt again = claims.reserve(SMALL, "alice", "other", NOW.plusSeconds(3), "k-1");
        assertThat(again).isInstanceOf(Claimed.class);
        assertThat(((Claimed) again).replayed()).isTrue();
        assertThat(((Claimed) again).workspace().id()).isEqualTo(ws);
        assertThat(((Claimed) again).workspace().name()).isEqualTo("alice-dev");
        assertThat(((Claimed) again).workspace().outputs()).as("the answer written after the handoff")
                .containsEntry("user", "alice");
        assertThat(seed.snapshot(preset).running()).as("nothing more was taken").hasSize(1);
    }

    @Test
    void givenAKeyedReservationAbandoned_theKeyIsForgottenAndReservesAnew() {
        PresetId preset = small();
        WorkspaceId first = seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId second = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        ClaimPort.Reservation r = reserved(claims.reserve(SMALL, "alice", "a", NOW, "k-2"), first);
        claims.abandon(r, NOW.plusSeconds(1));

        reserved(claims.reserve(SMALL, "alice", "a", NOW.plusSeconds(2), "k-2"), second);
    }

    @Test
    void givenManyConcurrentReservationsWithTheSameKey_exactlyOneReserves() throws Exception {
        concurrentKeyedReservations(8);
    }

    @Test
    void givenManyConcurrentReservationsWithTheSameKey_andOnePrebuild_noneMisses() throws Exception {
        concurrentKeyedReservations(1);
    }

    private void concurrentKeyedReservations(int prebuilds) throws Exception {
        PresetId preset = small();
        for (int i = 0; i < prebuilds; i++) {
            seed.runningPrebuild(preset, T0.plusSeconds(i), Map.of());
        }
        ClaimPort[] replicas = {claims, anotherReplica().claims()};
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        try {
            List<java.util.concurrent.Future<Attempt>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ClaimPort port = replicas[i % 2];
                futures.add(pool.submit(() -> {
                    start.await();
                    return port.reserve(SMALL, "alice", "dev", NOW, "same-reserve-key");
                }));
            }
            List<Attempt> answers = new ArrayList<>();
            for (var f : futures) {
                answers.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }

            assertThat(answers).filteredOn(a -> a instanceof ClaimPort.Reserved).hasSize(1);
            assertThat(answers).filteredOn(a -> !(a instanceof ClaimPort.Reserved)).allSatisfy(a ->
                    assertThat(a).isEqualTo(new ClaimPort.InProgress(preset)));
            assertThat(seed.snapshot(preset).running()).as("the other prebuilds are untouched").hasSize(prebuilds - 1);
        } finally {
            pool.shutdownNow();
        }
    }
}
