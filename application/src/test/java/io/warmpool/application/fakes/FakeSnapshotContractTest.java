package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.PresetSnapshotPortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link PresetSnapshotPortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakeSnapshotContractTest extends PresetSnapshotPortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
