package io.warmpool.adapters.db;

import io.warmpool.application.port.out.contract.EventRetentionPortContract;
import io.warmpool.application.port.out.contract.StorePorts;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link EventRetentionPortContract} on {@link JooqEventLogAdapter} and a real (embedded) PostgreSQL. */
class PostgresEventRetentionContractTest extends EventRetentionPortContract {

    @RegisterExtension
    static final PostgresStore DB = new PostgresStore();

    @Override
    protected StorePorts newStore() {
        return DB.emptied();
    }

    @Override
    protected EventLog eventLog() {
        JooqEventLogAdapter log = DB.eventLog();
        return new EventLog(log, log);
    }
}
