package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.ClaimWaitersPortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link ClaimWaitersPortContract} on {@link FakeStore}. */
class FakeClaimWaitersContractTest extends ClaimWaitersPortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
