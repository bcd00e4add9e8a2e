package io.warmpool.adapters.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.db.PostgresDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server's start-time rules on a real PostgreSQL 17: an earlier release's state directory is upgraded
 * in place (nothing lost, access locked down), changed binaries are refused, throwaway servers skip fsync. The
 * attacks from another OS user, the crashes and the supervision run against the real service in the reliability
 * module ({@code EmbeddedDatabaseTest}).
 */
class EmbeddedPostgresServerTest {

    @TempDir
    Path tmp;

    @Test
    void givenTheStateDirOfAnEarlierRelease_itsDataMovesToTheAppDatabase_ownedByTheAppRole_andPasswordsAreRequired() throws Exception {
        // given: what releases before the lock-down left: trust authentication, the tables in database
        // 'postgres' owned by the superuser, and directories every local user could read (pgbin: write)
        Path state = tmp.resolve("state");
        Files.createDirectories(state.resolve("pgbin"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(state.resolve("pgbin"), PosixFilePermissions.fromString("rwxrwxrwx"));
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(state.resolve("pgdata"))
                .setCleanDataDirectory(false).setOverrideWorkingDirectory(state.resolve("pgbin").toFile()).start()) {
            Flyway.configure().dataSource(old.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
            try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("insert into templates (name, created_at, updated_at) values ('kept-across-the-upgrade', now(), now())");
            }
        }

        // when: this release starts on it
        try (PostgresDatabase db = PostgresDatabase.embedded(state, 4, EmbeddedPostgresServer.Options.THROWAWAY)) {
            db.start();

            // then: the data is there, through the application role, which owns it
            assertThat(db.dsl().fetchValue("select name from templates")).isEqualTo("kept-across-the-upgrade");
            assertThat(db.dsl().fetchValue("select current_user")).isEqualTo("warmpool");
            assertThat(db.dsl().fetchValue("select current_database()")).isEqualTo("warmpool");
            assertThat(db.dsl().fetchValue("select rolsuper from pg_roles where rolname = current_user")).isEqualTo(false);
            assertThat(db.dsl().fetch("select tablename from pg_tables where schemaname = 'public' and tableowner <> 'warmpool'"))
                    .isEmpty();
            db.dsl().execute("create table created_by_the_app (x int)");
            db.dsl().execute("insert into templates (name, created_at, updated_at) values ('written-after-the-upgrade', now(), now())");

            // and: the superuser needs its (new, stored) password; nobody logs in without one
            int port = port(state);
            String superuser = Files.readString(state.resolve(EmbeddedPostgresServer.SUPERUSER_PASSWORD_FILE)).trim();
            assertThatThrownBy(() -> login(port, "postgres", null)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> login(port, "postgres", "wrong")).isInstanceOf(SQLException.class);
            try (Connection c = login(port, "postgres", superuser); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from pg_hba_file_rules where auth_method <> 'scram-sha-256'"
                         + " or type <> 'host'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("hba rules other than host … scram-sha-256").isZero();
            }
        }
        // and: only the service's user may enter the state directory and the binaries
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("pgbin")))).isEqualTo("rwx------");
        for (String secret : new String[] {EmbeddedPostgresServer.APP_PASSWORD_FILE, EmbeddedPostgresServer.SUPERUSER_PASSWORD_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(secret)))).isEqualTo("rw-------");
        }

        // and: a second start (now the new layout) finds everything again
        try (PostgresDatabase db = PostgresDatabase.embedded(state, 4, EmbeddedPostgresServer.Options.THROWAWAY)) {
            db.start();
            assertThat(db.dsl().fetchValue("select count(*) from templates")).isEqualTo(2L);
        }
    }

    @Test
    void aBinaryChangedAfterUnpacking_isRefusedAtTheNextStart_namingTheFile() throws Exception {
        Path state = tmp.resolve("state");
        try (PostgresDatabase db = PostgresDatabase.embedded(state, 2, EmbeddedPostgresServer.Options.THROWAWAY)) {
            db.start();
        }
        Path home;
        try (Stream<Path> dirs = Files.list(state.resolve("pgbin"))) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path sample = home.resolve("share/postgresql/postgresql.conf.sample");
        Files.writeString(sample, "# changed\n", StandardOpenOption.APPEND);

        assertThatThrownBy(() -> {
            try (PostgresDatabase db = PostgresDatabase.embedded(state, 2, EmbeddedPostgresServer.Options.THROWAWAY)) {
                db.start();
            }
        }).isInstanceOf(PostgresDatabase.DatabaseStartException.class)
                .hasMessageContaining("postgresql.conf.sample changed since it was unpacked")
                .hasMessageContaining("delete " + home);

        // a binary other users may write is refused too, even unchanged
        Files.writeString(sample, Files.readString(sample).replace("# changed\n", ""));
        Files.setPosixFilePermissions(home.resolve("bin/postgres"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> {
            try (PostgresDatabase db = PostgresDatabase.embedded(state, 2, EmbeddedPostgresServer.Options.THROWAWAY)) {
                db.start();
            }
        }).hasMessageContaining("bin/postgres is writable by other users");
    }

    @Test
    void aThrowawayServer_runsWithoutFsync_andSaysSo() throws Exception {
        Path state = tmp.resolve("state");
        try (PostgresDatabase db = PostgresDatabase.embedded(state, 2, EmbeddedPostgresServer.Options.THROWAWAY)) {
            db.start();
            assertThat(db.dsl().fetchValue("select current_setting('fsync')")).isEqualTo("off");
            assertThat(db.dsl().fetchValue("select current_setting('synchronous_commit')")).isEqualTo("off");
            assertThat(db.embeddedHealth()).hasValueSatisfying(h -> assertThat(h.up()).isTrue());
        }
    }

    private static int port(Path state) throws Exception {
        return Integer.parseInt(Files.readAllLines(state.resolve("pgdata/postmaster.pid")).get(3).trim());
    }

    private static Connection login(int port, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }
}
