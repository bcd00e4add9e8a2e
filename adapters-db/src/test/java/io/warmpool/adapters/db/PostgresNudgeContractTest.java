package io.warmpool.adapters.db;

import io.warmpool.application.port.out.contract.NudgePortContract;
import io.warmpool.application.port.out.contract.StorePorts;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link NudgePortContract} on the jOOQ adapters and a real (embedded) PostgreSQL with the migrations applied. */
class PostgresNudgeContractTest extends NudgePortContract {

    @RegisterExtension
    static final PostgresStore DB = new PostgresStore();

    @Override
    protected StorePorts newStore() {
        return DB.emptied();
    }

    @Override
    protected StorePorts anotherReplica() {
        return DB.replica();
    }
}
