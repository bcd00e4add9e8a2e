package io.warmpool.adapters.db;

import io.warmpool.application.port.out.contract.ClaimWaitersPortContract;
import io.warmpool.application.port.out.contract.StorePorts;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link ClaimWaitersPortContract} on the jOOQ adapters and a real (embedded) PostgreSQL, two replicas. */
class PostgresClaimWaitersContractTest extends ClaimWaitersPortContract {

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
