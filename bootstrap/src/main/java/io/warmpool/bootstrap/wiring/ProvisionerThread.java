package io.warmpool.bootstrap.wiring;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one daemon thread a provisioner schedules on (completions, retries), shut down by the provisioner's
 * {@link ProvisionerLifecycle} when the service stops. Its thread starts with the first task.
 */
final class ProvisionerThread {

    private final ScheduledExecutorService executor;

    ProvisionerThread(String name) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    void shutdown() {
        executor.shutdownNow();
    }
}
