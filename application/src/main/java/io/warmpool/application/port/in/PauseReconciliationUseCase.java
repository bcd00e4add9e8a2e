package io.warmpool.application.port.in;

/** A5 — pause or resume reconciliation for every replica; workers keep finishing the jobs already queued. */
public interface PauseReconciliationUseCase {

    void pause();

    void resume();

    boolean isPaused();
}
