package io.warmpool.application.port.out;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The records of the provisioner port's four transitions (R10–R12). */
class ProvisionerContractTest {

    private static final WorkspaceId WS = new WorkspaceId(new UUID(1, 2));
    private static final PresetId PRESET = new PresetId("python", "v1", "small");

    @Test
    void aQueuedBuildsRequestId_isItsBuildId_theSameOnEveryAttempt() {
        Job first = new Job(new JobId(41), Transition.CREATE, WS, "prebuild-1", "prebuilds", PRESET, Map.of(), Map.of(), 1);
        Job again = new Job(new JobId(41), Transition.CREATE, WS, "prebuild-1", "prebuilds", PRESET, Map.of(), Map.of(), 2);

        assertThat(ProvisionRequest.of(first).requestId()).isEqualTo("build-41");
        assertThat(ProvisionRequest.of(again).requestId()).isEqualTo("build-41");
    }

    @Test
    void aRequestWithoutAnId_derivesOneFromItsTransitionAndWorkspace() {
        ProvisionRequest delete = new ProvisionRequest(Transition.DELETE, WS, "n", "o", PRESET, Map.of(), Map.of(), 1);

        assertThat(delete.requestId()).isEqualTo("delete-" + WS.text());
    }

    @Test
    void aClaimCarriesTheNewOwnerNameAndTheClaimsParameters_withTheCreatesOutputs() {
        ProvisionRequest claim = ProvisionRequest.claim("claim-7", WS, PRESET, "alice-ws", "alice",
                Map.of("dotfiles", "d"), Map.of("url", "u"));

        assertThat(claim).isEqualTo(new ProvisionRequest(Transition.CLAIM, WS, "alice-ws", "alice", PRESET,
                Map.of("dotfiles", "d"), Map.of("url", "u"), 1, "claim-7"));
    }

    @Test
    void aRequestIdMustTravelAsAHeader() {
        assertThatThrownBy(() -> ProvisionRequest.check("has space", WS, "n", "o", PRESET, Map.of(), Map.of()))
                .hasMessageContaining("requestId");
        assertThatThrownBy(() -> ProvisionRequest.check("line\nbreak", WS, "n", "o", PRESET, Map.of(), Map.of()))
                .hasMessageContaining("requestId");
        assertThatThrownBy(() -> ProvisionRequest.check("", WS, "n", "o", PRESET, Map.of(), Map.of()))
                .hasMessageContaining("requestId");
        assertThatThrownBy(() -> ProvisionRequest.check("x".repeat(256), WS, "n", "o", PRESET, Map.of(), Map.of()))
                .hasMessageContaining("requestId");
    }

    @Test
    void onlyAFailedCheckMayBePermanent() {
        assertThat(new ProvisionResult.Checked(Health.FAILED, "bad image", true, null).log()).isEmpty();
        assertThatThrownBy(() -> new ProvisionResult.Checked(Health.GONE, "", true, ""))
                .hasMessageContaining("only a failed check can be permanent, not gone");
    }

    @Test
    void healthIsSpelledLowerCaseOnTheWire() {
        assertThat(Health.fromWire("unhealthy")).contains(Health.UNHEALTHY);
        assertThat(Health.fromWire("READY")).isEmpty();
        assertThat(Health.choices()).isEqualTo("\"ready\" | \"starting\" | \"unhealthy\" | \"gone\" | \"failed\"");
    }

    @Test
    void byDefaultAProvisionerSupportsCreateAndDeleteOnly() {
        WorkspaceProvisionerPort minimal = new WorkspaceProvisionerPort() {
            @Override
            public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
                return CompletableFuture.completedFuture(new ProvisionResult.Succeeded(Map.of(), ""));
            }
        };

        assertThat(minimal.supports(Transition.CREATE)).isTrue();
        assertThat(minimal.supports(Transition.DELETE)).isTrue();
        assertThat(minimal.supports(Transition.CHECK)).isFalse();
        assertThat(minimal.supports(Transition.CLAIM)).isFalse();
    }
}
