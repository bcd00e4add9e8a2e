package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.fakes.Presets;
import io.warmpool.application.port.in.MarkReadyUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.domain.Liveness;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** R10 readiness and R11 liveness as the workers carry them out, against the fakes. */
class ReadinessChecksTest {

    private final World world = new World();

    private PresetId preset(Readiness readiness, Liveness health) {
        return world.apply("python", "v1", Presets.preset("small", Map.of("size", "small"),
                new PrebuildPolicy(1, Duration.ZERO, PrebuildSchedule.none(), readiness, health))).get(0);
    }

    private WorkspaceId created(PresetId preset) {
        WorkspaceId ws = new WorkspaceId(new UUID(0, 1));
        world.store.enqueueCreates(List.of(new CreateRequest(ws, "prebuild-1", preset)), world.clock.instant());
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of("url", "u"), ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);
        return ws;
    }

    @Test
    void givenProvisionerReadiness_startingAnswersKeepItProvisioned_thenReadyIsTheR3Success() {
        PresetId preset = preset(new Readiness(Readiness.Check.PROVISIONER, Duration.ofMinutes(5)), null);
        world.store.setFailureState(preset, new FailureState(1, World.T0, World.T0, PresetStatus.HEALTHY));
        WorkspaceId ws = created(preset);
        assertThat(world.store.phaseOf(ws)).contains(Phase.PROVISIONED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).as("not yet").isEqualTo(1);
        // the create request carried the agent token and URL
        ProvisionRequest create = world.provisioner.lastCall().request();
        assertThat(create.agentToken()).hasSize(43);
        assertThat(create.agentReadyUrl()).endsWith("/api/v1/workspaces/" + ws.text() + "/ready");

        world.provisioner.willReturn(ProvisionResult.Checked.of(Health.STARTING, ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(world.provisioner.lastCall().request().transition()).isEqualTo(Transition.CHECK);
        assertThat(world.store.phaseOf(ws)).contains(Phase.PROVISIONED);
        assertThat(world.step()).as("next check only after the readiness interval").isEqualTo(WorkerStep.IDLE);

        world.clock.advance(CheckSettings.DEFAULT_READINESS_INTERVAL);
        world.provisioner.willReturn(ProvisionResult.Checked.of(Health.READY, ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);

        assertThat(world.store.phaseOf(ws)).contains(Phase.RUNNING);
        assertThat(world.store.failureState(preset)).isEqualTo(FailureState.initial());
        assertThat(world.events.types()).contains(EventType.PREBUILD_READY);
    }

    @Test
    void aFailedAnswer_isAFailedCreate_permanentWhenItSaysSo() {
        PresetId preset = preset(new Readiness(Readiness.Check.PROVISIONER, Duration.ofMinutes(5)), null);
        WorkspaceId ws = created(preset);
        world.provisioner.willReturn(new ProvisionResult.Checked(Health.FAILED, "bad image", true, ""));

        assertThat(world.step()).isEqualTo(WorkerStep.FAILED);

        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.VALIDATION_FAILED);
        assertThat(world.events.types()).contains(EventType.READINESS_FAILED, EventType.VALIDATION_FAILED);
    }

    @Test
    void anUnavailableProvisioner_countsNothing_butTheTimeoutStillRuns() {
        PresetId preset = preset(new Readiness(Readiness.Check.PROVISIONER, Duration.ofMinutes(1)), null);
        WorkspaceId ws = created(preset);
        world.provisioner.willReturn(new ProvisionResult.Unavailable("circuit open"));
        assertThat(world.step()).isEqualTo(WorkerStep.RELEASED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isZero();
        assertThat(world.store.phaseOf(ws)).contains(Phase.PROVISIONED);

        world.clock.advance(Duration.ofMinutes(1));
        world.worker().reapLostJobs();

        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(1);
        assertThat(world.events.types()).contains(EventType.READINESS_FAILED, EventType.BACKOFF);
    }

    @Test
    void liveness_unhealthyAfterTwoAnswers_aReadyResetsTheCount_goneAtOnce() {
        PresetId preset = preset(null, new Liveness(Duration.ofSeconds(30), 2));
        WorkspaceId ws = created(preset);
        assertThat(world.store.phaseOf(ws)).contains(Phase.RUNNING);

        for (Health answer : List.of(Health.UNHEALTHY, Health.READY, Health.STARTING)) {
            world.clock.advance(Duration.ofSeconds(30));
            world.provisioner.willReturn(ProvisionResult.Checked.of(answer, ""));
            world.step();
            assertThat(world.store.phaseOf(ws)).as("after %s", answer).contains(Phase.RUNNING);
        }
        world.clock.advance(Duration.ofSeconds(30));
        world.provisioner.willReturn(ProvisionResult.Checked.of(Health.UNHEALTHY, ""));
        world.step();

        assertThat(world.store.phaseOf(ws)).contains(Phase.UNHEALTHY);
        assertThat(world.events.types()).contains(EventType.PREBUILD_UNHEALTHY);
        assertThat(world.store.failureState(preset).consecutiveFailures()).as("k unchanged").isZero();
        assertThat(world.metrics.unhealthy()).containsExactly(preset);
    }

    @Test
    void theAgentRoute_acceptsOnlyTheWorkspacesOwnToken() {
        PresetId preset = preset(new Readiness(Readiness.Check.AGENT, Duration.ofMinutes(5)), null);
        WorkspaceId ws = created(preset);
        String token = world.provisioner.lastCall().request().agentToken();
        MarkReadyUseCase ready = new AgentReadinessService(world.store, world.worker());

        assertThat(world.step()).as("no provisioner checks for agent readiness").isEqualTo(WorkerStep.IDLE);
        assertThat(ready.markReady(ws, null)).isEqualTo(MarkReadyUseCase.Outcome.UNAUTHENTICATED);
        assertThat(ready.markReady(ws, "nope")).isEqualTo(MarkReadyUseCase.Outcome.UNAUTHENTICATED);
        assertThat(ready.markReady(ws, token)).isEqualTo(MarkReadyUseCase.Outcome.READY);
        assertThat(ready.markReady(ws, token)).isEqualTo(MarkReadyUseCase.Outcome.ALREADY_READY);
        assertThat(world.store.phaseOf(ws)).contains(Phase.RUNNING);
    }
}
