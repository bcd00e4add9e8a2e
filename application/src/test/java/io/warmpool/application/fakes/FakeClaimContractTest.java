package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.ClaimPortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link ClaimPortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakeClaimContractTest extends ClaimPortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
