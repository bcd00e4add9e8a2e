package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.EventRetentionPortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link EventRetentionPortContract} on {@link FakeEventLog}, the fake the retention tests run on. */
class FakeEventRetentionContractTest extends EventRetentionPortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }

    @Override
    protected EventLog eventLog() {
        FakeEventLog log = new FakeEventLog();
        return new EventLog(log, log);
    }
}
