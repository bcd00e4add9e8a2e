package io.warmpool.application.port.out;

/**
 * What a provisioner is asked to do (SPEC §1, R10–R12). {@link #CREATE} and {@link #DELETE} are the builds the queue
 * runs; {@link #CHECK} asks how an existing workspace is (readiness R10, liveness R11) and {@link #CLAIM} hands a
 * prebuild over to its new owner (R12). A provisioner says which it supports
 * ({@link WorkspaceProvisionerPort#supports}).
 */
public enum Transition {
    CREATE,
    DELETE,
    /** Is the workspace ready? Answered by {@link ProvisionResult.Checked}. */
    CHECK,
    /** Hand the workspace over to a new owner, under a new name, with the claim's parameters. */
    CLAIM;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
