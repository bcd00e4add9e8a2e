package io.warmpool.application.service;

import static io.warmpool.application.fakes.Presets.preset;
import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import io.warmpool.application.fakes.Presets;
import io.warmpool.application.fakes.RecordingMetrics.Claim;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.ClaimedWorkspace;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A3 — claims. */
class ClaimPrebuildServiceTest {

    private final World world = new World();
    private final ClaimPrebuildService claims = world.claims();

    private ClaimPrebuildUseCase.Attempt claim(PresetId preset, String owner, String name) {
        return claims.claim(new ClaimCommand(preset.ref(), owner, Optional.ofNullable(name)));
    }

    @Test
    void givenReadyPrebuilds_claimHandsOverTheOldestWithItsOutputs() {
        // given: three ready prebuilds; the two oldest are equally old, so the id text decides
        PresetId preset = world.preset("python", 3);
        world.store.seedReadyPrebuild(preset, id(3), T0.minusSeconds(600), Map.of("url", "https://ws/3"));
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(600), Map.of("url", "https://ws/2"));
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of("url", "https://ws/1"));

        // when
        ClaimPrebuildUseCase.Attempt attempt = claim(preset, "ada", "ada-python");

        // then
        assertThat(attempt).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        ClaimedWorkspace ws = ((ClaimPrebuildUseCase.Claimed) attempt).workspace();
        assertThat(ws.id()).isEqualTo(id(2));
        assertThat(ws.owner()).isEqualTo("ada");
        assertThat(ws.name()).isEqualTo("ada-python");
        assertThat(ws.preset()).isEqualTo(preset);
        assertThat(ws.createdAt()).isEqualTo(T0.minusSeconds(600));
        assertThat(ws.claimedAt()).isEqualTo(T0);
        assertThat(ws.outputs()).containsExactly(Map.entry("url", "https://ws/2"));
        // the store moved ownership
        assertThat(world.store.find(id(2)).orElseThrow().claimed()).isTrue();
        assertThat(world.store.prebuilds(preset, Phase.RUNNING)).containsExactly(id(3), id(1));
        // recorded and nudged
        assertThat(world.events.all()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.CLAIM_SUCCEEDED);
            assertThat(e.workspace()).isEqualTo(id(2));
            assertThat(e.details()).containsEntry("owner", "ada").containsEntry("name", "ada-python");
        });
        assertThat(world.store.nudges()).containsExactly(preset);
        assertThat(world.metrics.claims()).extracting(Claim::preset, Claim::hit)
                .containsExactly(tuple(preset, true));
    }

    @Test
    void givenAnIdempotencyKeyTwice_theSecondClaimAnswersTheSameWorkspaceAndRecordsNothingMore() {
        // given: two ready prebuilds, one claim made with a key
        PresetId preset = world.preset("python", 2);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(600), Map.of("url", "https://ws/1"));
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(60), Map.of());
        ClaimCommand command = new ClaimCommand(preset.ref(), "ada", Optional.empty(), Optional.of("retry-1"));
        ClaimPrebuildUseCase.Attempt first = claims.claim(command);

        // when: the client retries (a default name is drawn anew, and does not matter)
        ClaimPrebuildUseCase.Attempt again = claims.claim(command);

        // then: the same workspace and answer, marked as replayed; one claim event, metric and nudge
        assertThat(first).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        ClaimPrebuildUseCase.Claimed claimed = (ClaimPrebuildUseCase.Claimed) first;
        assertThat(claimed.replayed()).isFalse();
        assertThat(claimed.workspace().id()).isEqualTo(id(1));
        assertThat(again).isEqualTo(new ClaimPrebuildUseCase.Claimed(claimed.workspace(), true));
        assertThat(world.store.prebuilds(preset, Phase.RUNNING)).containsExactly(id(2));
        assertThat(world.events.ofType(EventType.CLAIM_SUCCEEDED)).hasSize(1);
        assertThat(world.store.nudges()).containsExactly(preset);
        assertThat(world.metrics.claims()).hasSize(1);
    }

    @Test
    void givenAnIdempotencyKeyOfAnotherOwner_claimIsAConflictAndTakesNothing() {
        PresetId preset = world.preset("python", 2);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(600), Map.of());
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(60), Map.of());
        claims.claim(new ClaimCommand(preset.ref(), "ada", Optional.empty(), Optional.of("retry-1")));

        assertThatThrownBy(() -> claims.claim(new ClaimCommand(preset.ref(), "bob", Optional.empty(), Optional.of("retry-1"))))
                .isInstanceOf(io.warmpool.application.port.out.ConflictException.class)
                .hasMessageContaining("Idempotency-Key 'retry-1'");
        assertThat(world.store.prebuilds(preset, Phase.RUNNING)).containsExactly(id(2));
    }

    @Test
    void anIdempotencyKeyOutsideItsCharsetOrLength_isRefusedNamingIt() {
        PresetRef ref = new PresetRef("python", "small");
        assertThatThrownBy(() -> new ClaimCommand(ref, "ada", Optional.empty(), Optional.of("k\u00e9y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Idempotency-Key must be visible ASCII characters ('!' to '~', no spaces), got the "
                        + "character U+00E9 at position 2");
        assertThatThrownBy(() -> new ClaimCommand(ref, "ada", Optional.empty(), Optional.of("")))
                .hasMessage("Idempotency-Key must not be empty");
        assertThatThrownBy(() -> new ClaimCommand(ref, "ada", Optional.empty(), Optional.of("k".repeat(256))))
                .hasMessage("Idempotency-Key must be at most 255 characters, got 256");
        assertThat(new ClaimCommand(ref, "ada", Optional.empty(), Optional.of("!~" + "k".repeat(253))).idempotencyKey())
                .hasValue("!~" + "k".repeat(253));
    }

    @Test
    void givenNoNameGiven_claimChoosesAValidNameFromThePreset() {
        // given
        PresetId preset = world.preset("python", 1);
        world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of());

        // when
        ClaimPrebuildUseCase.Attempt attempt = claim(preset, "ada", null);

        // then
        String name = ((ClaimPrebuildUseCase.Claimed) attempt).workspace().name();
        assertThat(name).matches("small-[0-9a-f]{8}");
    }

    @Test
    void givenNoReadyPrebuild_claimMissesRecordsItAndStillNudges() {
        // given: only a starting and a failed prebuild
        PresetId preset = world.preset("python", 2);
        world.pass();
        world.store.seedFailedPrebuild(preset, id(900), T0);

        // when
        ClaimPrebuildUseCase.Attempt attempt = claim(preset, "ada", null);

        // then
        assertThat(attempt).isEqualTo(new ClaimPrebuildUseCase.Missed(preset));
        assertThat(world.events.ofType(EventType.CLAIM_MISSED)).singleElement().satisfies(e -> {
            assertThat(e.preset()).isEqualTo(preset);
            assertThat(e.workspace()).isNull();
            assertThat(e.details()).containsEntry("owner", "ada");
        });
        assertThat(world.store.nudges()).containsExactly(preset);
        assertThat(world.metrics.claims()).extracting(Claim::hit).containsExactly(false);
    }

    @Test
    void givenExpiredAndInvalidatedPrebuilds_theyAreNeverClaimed() {
        // given: TTL 1h. p1 expires at T0+1h; p2 is older than the invalidation; p3 became ready at the very
        // instant of the invalidation (kept); p4 after it
        PresetId preset = world.apply("python", "v1", preset("small", 4, Duration.ofHours(1))).get(0);
        WorkspaceId p1 = world.store.seedReadyPrebuild(preset, id(1), T0, Map.of());
        WorkspaceId p2 = world.store.seedReadyPrebuild(preset, id(2), T0.plusSeconds(60), Map.of());
        world.clock.set(T0.plusSeconds(120));
        world.operations().invalidate(preset.ref());
        WorkspaceId p3 = world.store.seedReadyPrebuild(preset, id(3), T0.plusSeconds(120), Map.of());
        WorkspaceId p4 = world.store.seedReadyPrebuild(preset, id(4), T0.plusSeconds(180), Map.of());
        world.clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(120));

        // when: claims until none is left; p3 is exactly 1h old by now, so TTL-expired too
        ClaimPrebuildUseCase.Attempt first = claim(preset, "ada", null);
        ClaimPrebuildUseCase.Attempt second = claim(preset, "bob", null);

        // then
        assertThat(first).isInstanceOfSatisfying(ClaimPrebuildUseCase.Claimed.class, c -> assertThat(c.workspace().id()).isEqualTo(p4));
        assertThat(second).isInstanceOf(ClaimPrebuildUseCase.Missed.class);
        assertThat(List.of(p1, p2, p3)).allSatisfy(p -> assertThat(world.store.find(p).orElseThrow().claimed()).isFalse());
    }

    @Test
    void givenPrebuildCreatedAtTheInvalidationInstant_itIsStillClaimable() {
        // given
        PresetId preset = world.preset("python", 1);
        world.operations().invalidate(preset.ref());
        WorkspaceId atInstant = world.store.seedReadyPrebuild(preset, id(900), T0, Map.of());

        // when
        ClaimPrebuildUseCase.Attempt attempt = claim(preset, "ada", null);

        // then
        assertThat(attempt).isInstanceOfSatisfying(ClaimPrebuildUseCase.Claimed.class,
                c -> assertThat(c.workspace().id()).isEqualTo(atInstant));
    }

    @Test
    void givenInactivePreset_claimMisses() {
        // given: a ready prebuild of a template that is now deprecated
        PresetId preset = world.preset("python", 1);
        world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of());
        world.store.apply(Presets.document(Presets.deprecated("python", "v1", preset("small", 1))), T0);

        // when / then
        assertThat(claim(preset, "ada", null)).isEqualTo(new ClaimPrebuildUseCase.Missed(preset));
    }

    @Test
    void givenUnknownPreset_claimThrowsNotFoundAndRecordsNothing() {
        // given
        world.preset("python", 1);

        // when / then
        assertThatThrownBy(() -> claims.claim(new ClaimCommand(new PresetRef("python", "large"), "ada", Optional.empty())))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> claims.claim(new ClaimCommand(new PresetRef("ruby", "small"), "ada", Optional.empty())))
                .isInstanceOf(NotFoundException.class);
        assertThat(world.events.all()).isEmpty();
        assertThat(world.store.nudges()).isEmpty();
    }

    @Test
    void givenNudgeDeliveryFails_theClaimStillSucceeds() {
        // given: a nudge port that is down (Mockito: only the failure matters here)
        NudgePort brokenNudges = mock(NudgePort.class);
        doThrow(new IllegalStateException("LISTEN connection lost")).when(brokenNudges).nudge(any());
        ClaimPrebuildService service = world.injectorWith(binder -> binder.bind(NudgePort.class).toInstance(brokenNudges))
                .getInstance(ClaimPrebuildService.class);
        PresetId preset = world.preset("python", 1);
        world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of());

        // when
        ClaimPrebuildUseCase.Attempt attempt = service.claim(new ClaimCommand(preset.ref(), "ada", Optional.empty()));

        // then
        assertThat(attempt).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        verify(brokenNudges).nudge(preset);
        assertThat(world.events.types()).containsExactly(EventType.CLAIM_SUCCEEDED);
    }

    @Test
    void givenConcurrentClaims_noWorkspaceIsHandedOutTwice() throws Exception {
        // given: 20 ready prebuilds and 8 threads claiming 5 each
        PresetId preset = world.preset("python", 20);
        for (int i = 1; i <= 20; i++) {
            world.store.seedReadyPrebuild(preset, id(i), T0.minusSeconds(i), Map.of());
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<ClaimPrebuildUseCase.Attempt>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                String owner = "user" + t;
                Callable<List<ClaimPrebuildUseCase.Attempt>> task = () -> {
                    start.await();
                    List<ClaimPrebuildUseCase.Attempt> mine = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        mine.add(claim(preset, owner, null));
                    }
                    return mine;
                };
                results.add(pool.submit(task));
            }

            // when
            start.countDown();
            List<ClaimPrebuildUseCase.Attempt> all = new ArrayList<>();
            for (Future<List<ClaimPrebuildUseCase.Attempt>> f : results) {
                all.addAll(f.get(30, TimeUnit.SECONDS));
            }

            // then: 20 distinct workspaces, 20 misses
            List<WorkspaceId> claimed = all.stream().filter(ClaimPrebuildUseCase.Claimed.class::isInstance)
                    .map(a -> ((ClaimPrebuildUseCase.Claimed) a).workspace().id()).toList();
            assertThat(claimed).hasSize(20).doesNotHaveDuplicates();
            assertThat(all).filteredOn(ClaimPrebuildUseCase.Missed.class::isInstance).hasSize(20);
            Set<String> owners = new HashSet<>();
            claimed.forEach(w -> owners.add(world.store.find(w).orElseThrow().owner()));
            assertThat(owners).allMatch(o -> o.startsWith("user"));
            assertThat(world.events.ofType(EventType.CLAIM_SUCCEEDED)).extracting(Event::workspace)
                    .containsExactlyInAnyOrderElementsOf(claimed);
        } finally {
            pool.shutdownNow();
        }
    }
}
