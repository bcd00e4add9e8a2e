package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.provisioner.HttpProvisioner;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.Executors;

/** Provides the signed-HTTP {@link WorkspaceProvisionerPort} with retries and a circuit breaker per endpoint. */
public final class HttpProvisionerModule extends AbstractModule {

    private final HttpProvisionerConfig config;
    private final long seed;

    public HttpProvisionerModule(HttpProvisionerConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Provides
    @Singleton
    WorkspaceProvisionerPort provisioner(Clock clock) {
        return new HttpProvisioner(config, HttpProvisioner.newHttpClient(config), clock, new Random(seed),
                Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "warmpool-http-provisioner-retry");
                    t.setDaemon(true);
                    return t;
                }));
    }
}
