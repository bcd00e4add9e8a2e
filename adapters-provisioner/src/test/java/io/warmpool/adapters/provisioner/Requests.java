package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Map;
import java.util.UUID;

/** Provision requests for tests, with deterministic workspace ids. */
final class Requests {

    private Requests() {
    }

    static WorkspaceId workspace(int n) {
        return new WorkspaceId(new UUID(0x5eed_0000_0000_0000L, n));
    }

    static ProvisionRequest create(String template, String preset, int n) {
        return new ProvisionRequest(Transition.CREATE, workspace(n), "prebuild-" + n, "prebuilds",
                new PresetId(template, "v1", preset), Map.of("cpu", "2"), Map.of(), 1);
    }

    static ProvisionRequest delete(String template, String preset, int n) {
        return new ProvisionRequest(Transition.DELETE, workspace(n), "prebuild-" + n, "prebuilds",
                new PresetId(template, "v1", preset), Map.of("cpu", "2"), Map.of("url", "https://x.invalid/" + n), 1);
    }

    /** A check of workspace {@code n}, with the outputs its create produced. */
    static ProvisionRequest check(String template, String preset, int n) {
        return ProvisionRequest.check("check-" + n, workspace(n), "prebuild-" + n, "prebuilds",
                new PresetId(template, "v1", preset), Map.of("cpu", "2"), Map.of("url", "https://x.invalid/" + n));
    }

    /** Workspace {@code n} claimed by alice as {@code alice-ws} with the claim's parameters. */
    static ProvisionRequest claim(String template, String preset, int n, Map<String, String> claimParameters) {
        return ProvisionRequest.claim("claim-" + n, workspace(n), new PresetId(template, "v1", preset), "alice-ws",
                "alice", claimParameters, Map.of("url", "https://x.invalid/" + n));
    }

    static ProvisionRequest withParameters(ProvisionRequest r, Map<String, String> parameters) {
        return new ProvisionRequest(r.transition(), r.workspace(), r.workspaceName(), r.owner(), r.preset(),
                parameters, r.outputs(), r.attempt());
    }
}
