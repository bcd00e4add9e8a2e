package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.provisioner.ExecutorCompletionScheduler;
import io.warmpool.adapters.provisioner.SimulatedProvisioner;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.runtime.Lifecycle;

/**
 * Provides the simulated {@link WorkspaceProvisionerPort} in real time (latencies and failures from its config), and
 * its {@link ProvisionerLifecycle}: stopping ends the thread its completions run on.
 */
public final class SimulatedProvisionerModule extends AbstractModule {

    private final SimulatedProvisionerConfig config;
    private final long seed;

    public SimulatedProvisionerModule(SimulatedProvisionerConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Provides
    @Singleton
    WorkspaceProvisionerPort provisioner(ProvisionerThread thread) {
        return new SimulatedProvisioner(config, seed, new ExecutorCompletionScheduler(thread.executor()));
    }

    @Provides
    @Singleton
    ProvisionerThread thread() {
        return new ProvisionerThread("warmpool-simulated-provisioner");
    }

    @Provides
    @Singleton
    @ProvisionerLifecycle
    Lifecycle lifecycle(ProvisionerThread thread) {
        return Lifecycle.stopping("provisioner (simulated)", thread::shutdown);
    }
}
