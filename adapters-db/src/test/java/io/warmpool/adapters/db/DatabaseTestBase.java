package io.warmpool.adapters.db;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A contract test class on a fresh migrated database of its own ({@link TestDatabase#newDatabase()}), emptied
 * before every test. Subclasses' own {@code @BeforeEach} methods run after the emptying.
 */
abstract class DatabaseTestBase {

    /** The test class's database; test classes run one at a time, so one field serves them all. */
    static PostgresDatabase db;

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.newDatabase();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    @BeforeEach
    final void emptyDatabase() {
        TestDatabase.truncateAll(db);
    }
}
