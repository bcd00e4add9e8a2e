package io.warmpool.application.port.out;

import java.util.concurrent.CompletionStage;

/**
 * Creates, deletes, checks and hands over real workspaces ({@link Transition}). Asynchronous so that a simulated
 * provisioner can complete in virtual time; a real one completes on its own threads.
 *
 * <p>Contract: the returned stage always completes — with a result, never exceptionally for an expected
 * failure (an exceptional completion is recorded as a transient failure). It must complete eventually: a
 * provisioner enforces its own timeout. Secrets never appear in results or logs. The results by transition are
 * listed in {@link ProvisionResult}.
 *
 * <p>Not every provisioner supports every transition ({@link #supports}); create and delete always are. Asked
 * anyway, an unsupported transition completes at once without reaching any infrastructure:
 * <ul>
 *   <li>{@code claim}: {@link ProvisionResult.Succeeded} with no outputs — the handoff is a no-op (R12, a
 *       provisioner with no claim transition configured), so callers may always ask;</li>
 *   <li>{@code check}: a permanent {@link ProvisionResult.Failed} naming what is missing — there is no readiness
 *       or liveness by provisioner, so a caller must not rely on checks it was told are unsupported.</li>
 * </ul>
 */
public interface WorkspaceProvisionerPort {

    CompletionStage<ProvisionResult> provision(ProvisionRequest request);

    /**
     * Whether {@code transition} reaches the infrastructure. Fixed for the provisioner's life (it comes from its
     * configuration), so callers may ask once. By default only create and delete.
     */
    default boolean supports(Transition transition) {
        return transition == Transition.CREATE || transition == Transition.DELETE;
    }
}
