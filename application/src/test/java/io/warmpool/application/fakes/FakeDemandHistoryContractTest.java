package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.DemandHistoryPortContract;
import io.warmpool.application.port.out.contract.StorePorts;
import java.time.Clock;

/** The {@link DemandHistoryPortContract} on {@link FakeStore}, the fake the application tests run on. */
class FakeDemandHistoryContractTest extends DemandHistoryPortContract {

    private FakeStore fake;

    @Override
    protected StorePorts newStore() {
        fake = new FakeStore();
        return StorePorts.allIn(fake);
    }

    @Override
    protected Demand demand(Clock clock) {
        fake.useClock(clock);
        return new Demand(fake, fake);
    }
}
