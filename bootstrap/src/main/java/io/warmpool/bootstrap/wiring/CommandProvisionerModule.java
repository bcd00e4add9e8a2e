package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.provisioner.CommandProvisioner;
import io.warmpool.adapters.provisioner.CommandProvisionerConfig;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;

/** Provides the command {@link WorkspaceProvisionerPort}: configured executables per transition. */
public final class CommandProvisionerModule extends AbstractModule {

    private final CommandProvisionerConfig config;

    public CommandProvisionerModule(CommandProvisionerConfig config) {
        this.config = config;
    }

    @Provides
    @Singleton
    WorkspaceProvisionerPort provisioner() {
        return new CommandProvisioner(config);
    }
}
