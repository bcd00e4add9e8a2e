package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.WorkspacePortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link WorkspacePortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakeWorkspaceContractTest extends WorkspacePortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
