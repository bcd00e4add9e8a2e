package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.BuildQueuePortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link BuildQueuePortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakeBuildQueueContractTest extends BuildQueuePortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
