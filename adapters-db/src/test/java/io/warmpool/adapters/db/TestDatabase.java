package io.warmpool.adapters.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;

/**
 * One embedded PostgreSQL 17 per test JVM. The migrations are applied once to a template database; every
 * {@link #newDatabase()} is a fresh copy of it ({@code CREATE DATABASE … TEMPLATE}), so test classes are
 * isolated from each other and can run in any order.
 */
final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                // One fixed place for the unpacked binaries, shared by test runs (the library locks it while
                // unpacking); each server still gets a fresh data directory that is removed when it stops.
                Path dir = Path.of(System.getProperty("java.io.tmpdir"), "warmpool-test-pg");
                Files.createDirectories(dir);
                server = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(dir.toFile())
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .start();
                try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("create database warmpool_template");
                }
                Flyway.configure()
                        .dataSource(server.getDatabase("postgres", "warmpool_template"))
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting anyway
                    }
                }));
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("could not start the test PostgreSQL", e);
            }
        }
        return server;
    }

    /** A started {@link PostgresDatabase} on a fresh, migrated database of its own. The caller closes it. */
    static PostgresDatabase newDatabase() {
        PostgresDatabase db = newDatabaseNotStarted();
        db.start();
        return db;
    }

    /** A {@link PostgresDatabase} on a fresh, migrated database of its own, not started yet. */
    static PostgresDatabase newDatabaseNotStarted() {
        EmbeddedPostgres pg = server();
        String name = "warmpool_test_" + COUNTER.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name + " template warmpool_template");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
        return PostgresDatabase.external(pg.getJdbcUrl("postgres", name), "postgres", null, 16);
    }

    /** Empties every table, for isolation between the tests of one class. */
    static void truncateAll(PostgresDatabase db) {
        db.dsl().execute("truncate table demand_hours, demand_minutes, claim_idempotency_keys, claim_waiters, pool_samples, reconcile_passes, events, builds, workspaces, preset_failure_states, preset_schedule_windows, "
                + "presets, template_versions, templates, settings restart identity cascade");
    }
}
