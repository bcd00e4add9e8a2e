package io.warmpool.application.service;

import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.fakes.FakeProvisioner;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.domain.PresetId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** R12 — the claim handoff, on the fakes: the provisioner's answers and the timer are in the test's hands. */
class ClaimHandoffServiceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final World world = new World();
    private final FakeProvisioner fake = new FakeProvisioner();
    /** The fake, with a claim transition. */
    private final WorkspaceProvisionerPort provisioner = new WorkspaceProvisionerPort() {
        @Override
        public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
            return fake.provision(request);
        }

        @Override
        public boolean supports(Transition transition) {
            return true;
        }
    };
    private final ClaimPrebuildService claims = new ClaimPrebuildService(world.clock, world.store, world.store, world.ids,
            world.events, world.metrics, world.store, new ClaimWaitSettings(10, Duration.ofSeconds(5), TIMEOUT),
            provisioner, world.timer, new ClaimArrivals(world.store));

    private CompletableFuture<ClaimPrebuildUseCase.Attempt> claim(PresetId preset, String owner, Map<String, String> parameters) {
        return claims.claimWaiting(new ClaimCommand(preset.ref(), owner, Optional.of(owner + "-ws")).withParameters(parameters));
    }

    private long events(EventType type) {
        return world.events.all().stream().map(Event::type).filter(type::equals).count();
    }

    @Test
    void aSuccessfulHandoff_getsOwnerNameParametersAndCreateOutputs_andItsOutputsWinTheMerge() {
        PresetId preset = world.preset("python", 2);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of("url", "https://1", "ip", "10.0.0.1"));

        CompletableFuture<ClaimPrebuildUseCase.Attempt> answer = claim(preset, "ada", Map.of("dotfiles", "git://d"));

        assertThat(answer).as("answered after the handoff").isNotDone();
        assertThat(world.store.phaseOf(id(1))).contains(Phase.CLAIMING);
        ProvisionRequest request = fake.lastCall().request();
        assertThat(request.transition()).isEqualTo(Transition.CLAIM);
        assertThat(request.owner()).isEqualTo("ada");
        assertThat(request.workspaceName()).isEqualTo("ada-ws");
        assertThat(request.parameters()).containsExactly(Map.entry("dotfiles", "git://d"));
        assertThat(request.outputs()).containsOnly(Map.entry("url", "https://1"), Map.entry("ip", "10.0.0.1"));
        assertThat(world.events.all()).as("nothing recorded before the handoff ends").isEmpty();

        world.clock.advance(Duration.ofSeconds(2));
        fake.lastCall().succeed(Map.of("url", "https://1/ada", "user", "ada"));

        ClaimPrebuildUseCase.Claimed claimed = (ClaimPrebuildUseCase.Claimed) answer.join();
        assertThat(claimed.workspace().outputs()).containsOnly(Map.entry("url", "https://1/ada"),
                Map.entry("ip", "10.0.0.1"), Map.entry("user", "ada"));
        assertThat(claimed.workspace().claimedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(world.store.find(id(1)).orElseThrow().owner()).isEqualTo("ada");
        assertThat(world.store.find(id(1)).orElseThrow().outputs()).containsEntry("user", "ada");
        assertThat(events(EventType.CLAIM_SUCCEEDED)).isEqualTo(1);
        assertThat(world.timer.activePeriods()).as("the deadline is cancelled").isEmpty();
    }

    @Test
    void aFailedHandoff_isClaimFailed_andTheNextPrebuildIsTriedOnce() {
        PresetId preset = world.preset("python", 2);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of());
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(30), Map.of());

        CompletableFuture<ClaimPrebuildUseCase.Attempt> answer = claim(preset, "ada", Map.of());
        fake.lastCall().fail("refused");

        assertThat(world.store.phaseOf(id(1))).contains(Phase.DELETING);
        assertThat(world.store.builds(id(1))).last().satisfies(b -> assertThat(b.reason()).isEqualTo("CLAIM_FAILED"));
        assertThat(fake.lastCall().request().workspace()).as("the next prebuild").isEqualTo(id(2));
        assertThat(events(EventType.CLAIM_FAILED)).isEqualTo(1);
        fake.lastCall().succeed(Map.of());

        assertThat(((ClaimPrebuildUseCase.Claimed) answer.join()).workspace().id()).isEqualTo(id(2));
        assertThat(world.store.failureState(preset).consecutiveFailures()).as("not a creation failure").isZero();
    }

    @Test
    void twoHandoffsPastTheClaimTimeout_answerHandoffFailed_andNothingIsHandedOver() {
        PresetId preset = world.preset("python", 3);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of());
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(30), Map.of());

        CompletableFuture<ClaimPrebuildUseCase.Attempt> answer = claim(preset, "ada", Map.of());
        assertThat(world.timer.activePeriods()).containsExactly(TIMEOUT);
        world.timer.fire(); // the first handoff's deadline
        assertThat(answer).isNotDone();
        world.timer.fire(); // the second's
        fake.calls().get(0).succeed(Map.of()); // the first provisioner call answers late: ignored

        ClaimPrebuildUseCase.HandoffFailed failed = (ClaimPrebuildUseCase.HandoffFailed) answer.join();
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.error()).contains("did not finish within the claim timeout (1m)");
        assertThat(world.store.phaseOf(id(1))).contains(Phase.DELETING);
        assertThat(world.store.phaseOf(id(2))).contains(Phase.DELETING);
        assertThat(world.store.find(id(1)).orElseThrow().claimed()).isFalse();
        assertThat(events(EventType.CLAIM_FAILED)).isEqualTo(2);
        assertThat(events(EventType.CLAIM_SUCCEEDED)).isZero();
    }

    @Test
    void aReservationOlderThanTheClaimTimeout_isReaped_once() {
        PresetId preset = world.preset("python", 1);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of());
        world.store.reserve(preset.ref(), "ada", "ada-ws", T0); // a replica that died after reserving

        world.clock.advance(TIMEOUT);
        assertThat(claims.reapStaleHandoffs()).as("a second of grace past the claim timeout").isZero();
        world.clock.advance(Duration.ofSeconds(1));
        assertThat(claims.reapStaleHandoffs()).isEqualTo(1);
        assertThat(claims.reapStaleHandoffs()).isZero();

        assertThat(world.store.phaseOf(id(1))).contains(Phase.DELETING);
        assertThat(world.events.all()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.CLAIM_FAILED);
            assertThat(e.workspace()).isEqualTo(id(1));
        });
    }

    @Test
    void aReservationReapedBeforeItsOwnDeadline_isOneClaimFailed_andTheClaimTriesTheNextPrebuild() {
        PresetId preset = world.preset("python", 2);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of());
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(30), Map.of());
        CompletableFuture<ClaimPrebuildUseCase.Attempt> answer = claim(preset, "ada", Map.of());

        world.clock.advance(TIMEOUT.plusSeconds(2));
        assertThat(claims.reapStaleHandoffs()).as("another replica's reaper, say").isEqualTo(1);
        fake.calls().get(0).succeed(Map.of()); // too late: the reservation is gone

        assertThat(world.store.find(id(1)).orElseThrow().claimed()).as("never handed out").isFalse();
        assertThat(events(EventType.CLAIM_FAILED)).as("published once, by the reaper").isEqualTo(1);
        fake.lastCall().succeed(Map.of());
        assertThat(((ClaimPrebuildUseCase.Claimed) answer.join()).workspace().id()).isEqualTo(id(2));
    }

    @Test
    void withoutAClaimTransition_aClaimIsTheOneStatement_andTheProvisionerIsNeverAsked() {
        PresetId preset = world.preset("python", 1);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of("url", "u"));
        ClaimPrebuildService plain = world.claims();

        ClaimPrebuildUseCase.Attempt attempt = plain.claim(new ClaimCommand(preset.ref(), "ada", Optional.empty())
                .withParameters(Map.of("k", "v")));

        assertThat(attempt).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        assertThat(world.provisioner.calls()).isEmpty();
        assertThat(world.store.find(id(1)).orElseThrow().owner()).isEqualTo("ada");
    }

    @Test
    void aKeyedClaimWhoseKeyIsBeingHandedOver_waitsForItAndAnswersTheSameWorkspace() throws Exception {
        PresetId preset = world.preset("python", 2);
        world.store.seedReadyPrebuild(preset, id(1), T0.minusSeconds(60), Map.of());
        world.store.seedReadyPrebuild(preset, id(2), T0.minusSeconds(30), Map.of());
        ClaimCommand keyed = new ClaimCommand(preset.ref(), "ada", Optional.empty(), Optional.of("k-1"));

        CompletableFuture<ClaimPrebuildUseCase.Attempt> first = claims.claimWaiting(keyed);
        CompletableFuture<ClaimPrebuildUseCase.Attempt> second = CompletableFuture.supplyAsync(() -> claims.claim(keyed));
        // waits while the first is handed over
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(200)).atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !second.isDone());
        assertThat(fake.calls()).as("the second asks the provisioner nothing").hasSize(1);
        fake.lastCall().succeed(Map.of("user", "ada"));

        ClaimPrebuildUseCase.Claimed a = (ClaimPrebuildUseCase.Claimed) first.join();
        ClaimPrebuildUseCase.Claimed b = (ClaimPrebuildUseCase.Claimed) second.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(b.replayed()).isTrue();
        assertThat(b.workspace()).isEqualTo(a.workspace());
        assertThat(b.workspace().outputs()).containsEntry("user", "ada");
        assertThat(world.store.phaseOf(id(2))).contains(Phase.RUNNING);
        assertThat(world.store.find(id(2)).orElseThrow().claimed()).isFalse();
    }
}
