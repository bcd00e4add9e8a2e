package io.warmpool.adapters.db;

import io.warmpool.application.port.out.contract.DemandHistoryPortContract;
import io.warmpool.application.port.out.contract.StorePorts;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link DemandHistoryPortContract} on {@link JooqDemandHistoryAdapter} and {@link JooqSnapshotAdapter}, real PostgreSQL. */
class PostgresDemandHistoryContractTest extends DemandHistoryPortContract {

    @RegisterExtension
    static final PostgresStore DB = new PostgresStore();

    @Override
    protected StorePorts newStore() {
        return DB.emptied();
    }

    @Override
    protected Demand demand(Clock clock) {
        return new Demand(new JooqDemandHistoryAdapter(DB.db().dsl()), new JooqSnapshotAdapter(DB.db().dsl(), new PresetIds(), clock));
    }
}
