package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.warmpool.adapters.provisioner.HttpBuildCallbacks;
import io.warmpool.adapters.provisioner.HttpProvisioner;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig;
import io.warmpool.application.port.out.BuildCallbackPort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.runtime.Lifecycle;
import java.time.Clock;
import java.util.Random;

/**
 * Provides the signed-HTTP {@link WorkspaceProvisionerPort} with retries and a circuit breaker per endpoint, and its
 * {@link ProvisionerLifecycle}: stopping ends the thread its retries are scheduled on; and the
 * {@link BuildCallbackPort} that opens the signed callbacks of builds its receiver accepted ({@code 202}).
 */
public final class HttpProvisionerModule extends AbstractModule {

    private final HttpProvisionerConfig config;
    private final long seed;

    public HttpProvisionerModule(HttpProvisionerConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Override
    protected void configure() {
        // Receivers that answer 202 call back, signed with the same secret: this provisioner opens those callbacks.
        OptionalBinder.newOptionalBinder(binder(), BuildCallbackPort.class).setBinding()
                .toInstance(new HttpBuildCallbacks(config.secret()));
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
