package io.warmpool.adapters.db;

import io.warmpool.application.port.out.contract.WorkspaceChecksPortContract;
import io.warmpool.application.port.out.contract.StorePorts;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link WorkspaceChecksPortContract} on the jOOQ adapters and a real (embedded) PostgreSQL with the migrations applied. */
class PostgresWorkspaceChecksContractTest extends WorkspaceChecksPortContract {

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
