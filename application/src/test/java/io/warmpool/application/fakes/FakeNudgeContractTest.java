package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.NudgePortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link NudgePortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakeNudgeContractTest extends NudgePortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
