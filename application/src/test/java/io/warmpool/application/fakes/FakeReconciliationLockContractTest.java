package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.ReconciliationLockPortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link ReconciliationLockPortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakeReconciliationLockContractTest extends ReconciliationLockPortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
