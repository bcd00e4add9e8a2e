package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.provisioner.CommandProvisioner;
import io.warmpool.adapters.provisioner.CommandProvisionerConfig;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.runtime.Lifecycle;

/**
 * Provides the command {@link WorkspaceProvisionerPort} (configured executables per transition) and its
 * {@link ProvisionerLifecycle}: stopping closes it ({@link CommandProvisioner#close()}).
 */
public final class CommandProvisionerModule extends AbstractModule {

    private final CommandProvisionerConfig config;

    public CommandProvisionerModule(CommandProvisionerConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(WorkspaceProvisionerPort.class).to(CommandProvisioner.class);
    }

    @Provides
    @Singleton
    CommandProvisioner provisioner() {
        return new CommandProvisioner(config);
    }

    @Provides
    @Singleton
    @ProvisionerLifecycle
    Lifecycle lifecycle(CommandProvisioner provisioner) {
        return Lifecycle.stopping("provisioner (command)", provisioner::close);
    }
}
