package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.provisioner.HttpProvisioner;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.runtime.Lifecycle;
import java.time.Clock;
import java.util.Random;

/**
 * Provides the signed-HTTP {@link WorkspaceProvisionerPort} with retries and a circuit breaker per endpoint, and its
 * {@link ProvisionerLifecycle}: stopping ends the thread its retries are scheduled on.
 */
public final class HttpProvisionerModule extends AbstractModule {

    private final HttpProvisionerConfig config;
    private final long seed;

    public HttpProvisionerModule(HttpProvisionerConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Provides
    @Singleton
    WorkspaceProvisionerPort provisioner(Clock clock, ProvisionerThread retries) {
        return new HttpProvisioner(config, HttpProvisioner.newHttpClient(config), clock, new Random(seed), retries.executor());
    }

    @Provides
    @Singleton
    ProvisionerThread thread() {
        return new ProvisionerThread("warmpool-http-provisioner-retry");
    }

    @Provides
    @Singleton
    @ProvisionerLifecycle
    Lifecycle lifecycle(ProvisionerThread thread) {
        return Lifecycle.stopping("provisioner (http)", thread::shutdown);
    }
}
