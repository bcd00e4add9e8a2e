package io.warmpool.application.fakes;

import io.warmpool.application.port.out.contract.PresetStorePortContract;
import io.warmpool.application.port.out.contract.StorePorts;

/** The {@link PresetStorePortContract} on {@link FakeStore}: the fake the application tests run on keeps the contract. */
class FakePresetStoreContractTest extends PresetStorePortContract {

    @Override
    protected StorePorts newStore() {
        return StorePorts.allIn(new FakeStore());
    }
}
