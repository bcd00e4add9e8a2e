package io.warmpool.application.port.out.contract;

import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every port contract test: an implementation's subclass says how to get a fresh, empty store
 * ({@link #newStore()}); the test methods here and in the subclasses of this class are the contract, and run
 * unchanged on every implementation (the in-memory fake in application, jOOQ/PostgreSQL in adapters-db).
 *
 * <p>Tests seed data through the ports themselves ({@link PortSeed}: apply presets, enqueue, take and complete
 * jobs, claim), never through an implementation's tables, so that both implementations are seeded the same way.
 * Time is the {@code now} each call passes (no port reads a clock), starting from {@link PortSeed#T0}.
 */
public abstract class PortContract {

    /** The ports under test, fresh for each test. */
    protected StorePorts store;
    /** Seeds {@link #store} through its ports. */
    protected PortSeed seed;

    /** A new, empty store (or the same one emptied): called once before each test. */
    protected abstract StorePorts newStore();

    /**
     * The same data as {@link #store} seen by another replica (its own adapters and caches, nothing shared but the
     * data). An implementation without per-replica state (the fake) returns {@link #store} itself.
     */
    protected StorePorts anotherReplica() {
        return store;
    }

    @BeforeEach
    final void openStore() {
        store = newStore();
        seed = new PortSeed(store);
    }
}
