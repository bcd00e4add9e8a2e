package io.warmpool.application.port.out;

import java.util.concurrent.CompletionStage;

/**
 * Creates and deletes real workspaces. Asynchronous so that a simulated provisioner can complete in virtual
 * time; a real one completes on its own threads.
 *
 * <p>Contract: the returned stage always completes — with a result, never exceptionally for an expected
 * failure (an exceptional completion is recorded as a transient failure). It must complete eventually: a
 * provisioner enforces its own timeout. Secrets never appear in results or logs.
 */
public interface WorkspaceProvisionerPort {

    CompletionStage<ProvisionResult> provision(ProvisionRequest request);
}
