package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.provisioner.ExecutorCompletionScheduler;
import io.warmpool.adapters.provisioner.SimulatedProvisioner;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.util.concurrent.Executors;

/** Provides the simulated {@link WorkspaceProvisionerPort} in real time: latencies and failures from its config. */
public final class SimulatedProvisionerModule extends AbstractModule {

    private final SimulatedProvisionerConfig config;
    private final long seed;

    public SimulatedProvisionerModule(SimulatedProvisionerConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Provides
    @Singleton
    WorkspaceProvisionerPort provisioner() {
        var executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warmpool-simulated-provisioner");
            t.setDaemon(true);
            return t;
        });
        return new SimulatedProvisioner(config, seed, new ExecutorCompletionScheduler(executor));
    }
}
