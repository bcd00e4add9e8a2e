package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import java.util.Map;

/**
 * What a transition a provisioner is not configured for answers at once, without reaching any infrastructure (the
 * port's contract, {@link io.warmpool.application.port.out.WorkspaceProvisionerPort}): a claim is a no-op handoff
 * with no outputs, a check is a permanent failure saying what is missing. Create and delete are always supported.
 */
final class Unsupported {

    private Unsupported() {
    }

    /**
     * @param claimNote  the no-op claim's log line, naming the setting that would configure claims
     * @param checkError why no check can be made, naming the setting (or module output) that would allow one
     */
    static ProvisionResult answer(Transition transition, String claimNote, String checkError) {
        return switch (transition) {
            case CLAIM -> new ProvisionResult.Succeeded(Map.of(), claimNote);
            case CHECK -> new ProvisionResult.Failed(checkError, true, "");
            case CREATE, DELETE -> throw new IllegalStateException(transition + " is always supported");
        };
    }
}
