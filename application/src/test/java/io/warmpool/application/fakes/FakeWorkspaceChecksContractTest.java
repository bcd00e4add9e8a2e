package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.StorePorts;
import io.warmpool.application.port.out.contract.WorkspaceChecksPortContract;

/** {@link WorkspaceChecksPortContract} on the in-memory fake. */
class FakeWorkspaceChecksContractTest extends WorkspaceChecksPortContract {
    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
