package io.warmpool.application.port.out;

import java.time.Duration;

/**
 * Runs a task periodically (heartbeats). Real time in the service, virtual time in the simulator.
 */
public interface TimerPort {

    /** Runs {@code task} every {@code period}, first after one period, until cancelled. */
    Cancellable every(Duration period, Runnable task);

    /** A scheduled task. Cancelling twice is harmless. */
    interface Cancellable {
        void cancel();
    }
}
