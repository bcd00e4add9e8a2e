package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the default install — the embedded PostgreSQL that {@code ./warmpool run} starts under its state
 * directory — attacked by another local user, killed, and its database killed under it. Each test drives real
 * {@code java -jar warmpool.jar run} processes with no {@code --db-url}.
 */
class EmbeddedDatabaseTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String PRESETS = """
            templates:
              - name: dev
                version: v1
                presets:
                  - {name: small, parameters: {}, prebuilds: {instances: 3}}
                  - {name: large, parameters: {}, prebuilds: {instances: 2}}
            """;

    /** What a service's state directory says about its embedded server. */
    record Embedded(Path state) {
        Path pgdata() {
            return state.resolve("pgdata");
        }

        List<String> postmasterPid() {
            try {
                return Files.readAllLines(pgdata().resolve("postmaster.pid"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long pid() {
            return Long.parseLong(postmasterPid().get(0).trim());
        }

        int port() {
            return Integer.parseInt(postmasterPid().get(3).trim());
        }

        String secret(String file) {
            try {
                return Files.readString(state.resolve(file)).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The application's database, logged in as the service is (role warmpool, its password file). */
        SharedDatabase.Database app() {
            return SharedDatabase.Database.embedded("warmpool", port(), "warmpool", secret("db-password"));
        }

        Path binaries() {
            try (Stream<Path> dirs = Files.list(state.resolve("pgbin"))) {
                return dirs.filter(Files::isDirectory).findFirst().orElseThrow();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static ServiceProcess.Builder service(String name, Path dir, String simulatedYaml) {
        Path presets = Fixtures.write(dir.resolve("presets.yaml"), PRESETS);
        Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), simulatedYaml);
        return ServiceProcess.builder(name, dir).simulated(presets, simulated)
                .setting("reconcile-interval", "300ms")
                .setting("job-heartbeat-timeout", "4s")
                .setting("failed-retention", "1s");
    }

    @Test
    void anotherLocalUser_cannotConnectReadTheStateDirOrReplaceTheBinaries_andCommitsAreDurable() throws Exception {
        Path dir = Logs.dir("EmbeddedDatabaseTest-lockedDown");
        ServiceProcess service = service("locked", dir, "create_latency: 50ms\ndelete_latency: 50ms\n").start();
        List<String> summary = new ArrayList<>();
        try {
            service.awaitReady(Duration.ofMinutes(2));
            Embedded pg = new Embedded(dir.resolve("locked").resolve("state"));
            int port = pg.port();

            // the state directory and the binaries: only the service's user
            assertThat(Files.getPosixFilePermissions(pg.state())).containsExactlyInAnyOrder(
                    PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
            for (Path p : List.of(pg.state().resolve("pgbin"), pg.binaries(), pg.binaries().resolve("bin/postgres"),
                    pg.state().resolve("db-password"), pg.state().resolve("db-superuser-password"))) {
                assertThat(Files.getPosixFilePermissions(p)).as(p.toString()).doesNotContain(
                        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            }

            // no unix socket anywhere, no IPv6 listener, and no login without the password, whoever asks
            assertThat(Files.readString(Path.of("/proc/net/unix"))).doesNotContain(".s.PGSQL." + port);
            assertThat(Files.exists(Path.of("/tmp/.s.PGSQL." + port))).isFalse();
            assertLoginRefused(port, "postgres", null);
            assertLoginRefused(port, "postgres", "postgres");
            assertLoginRefused(port, "warmpool", null);
            assertThatThrownBy(() -> login("[::1]", port, "postgres", pg.secret("db-superuser-password")).close())
                    .isInstanceOf(SQLException.class);
            summary.add("logins without the password refused (postgres, warmpool); no unix socket; nothing on ::1");

            // the service's role: not a superuser, so SQL through it reads no file and runs no program
            SharedDatabase.Database app = pg.app();
            assertThat(app.value("select rolsuper from pg_roles where rolname = current_user")).isEqualTo(false);
            assertThat(app.value("select current_setting('fsync')")).isEqualTo("on");
            assertThat(app.value("select current_setting('synchronous_commit')")).isEqualTo("on");
            assertThat(app.value("select current_setting('full_page_writes')")).isEqualTo("on");
            assertThat(app.value("select current_setting('listen_addresses')")).isEqualTo("127.0.0.1");
            assertThat(app.value("select current_setting('password_encryption')")).isEqualTo("scram-sha-256");
            assertThatThrownBy(() -> app.value("select pg_read_file(?)", pg.state().resolve("api-token").toString()))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> app.execute("copy (select 1) to program 'id'"))
                    .hasMessageContaining("permission denied");
            summary.add("the service's role is not a superuser: pg_read_file and COPY TO PROGRAM denied; fsync, "
                    + "synchronous_commit and full_page_writes on");

            // another OS user: cannot list the state dir, read the token, or replace a binary
            OtherUser other = OtherUser.get();
            if (other == null) {
                summary.add("NOT RUN (not root): the checks as another OS user");
            } else {
                assertThat(other.run("ls", pg.state().toString()).exit()).isNotZero();
                assertThat(other.run("cat", pg.state().resolve("db-superuser-password").toString()).exit()).isNotZero();
                assertThat(other.run("cat", pg.state().resolve("db-password").toString()).exit()).isNotZero();
                Path pgCtl = pg.binaries().resolve("bin").resolve("pg_ctl");
                assertThat(other.run("sh", "-c", "echo 'echo owned' > " + pgCtl).exit()).isNotZero();
                assertThat(other.run("sh", "-c", "mv " + pg.binaries() + " /tmp/x").exit()).isNotZero();
                OtherUser.Result psql = other.run("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                        "-w", "-c", "select 1");
                if (psql.exit() != 127) {
                    assertThat(psql.exit()).isNotZero();
                    assertThat(psql.output()).contains("password");
                }
                summary.add("as " + other.name() + ": ls/cat of the state dir, writing bin/pg_ctl, moving the binaries refused"
                        + (psql.exit() == 127 ? "" : "; psql as postgres without a password refused (" + psql.output().strip() + ")"));
            }
            // the server's command line says what it runs with: durable, loopback, no socket
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pg.pid()), "cmdline")).replace('\0', ' ');
            assertThat(cmdline).contains("fsync=on", "synchronous_commit=on", "listen_addresses=127.0.0.1", "unix_socket_directories=")
                    .doesNotContain(" -F");
            Files.writeString(dir.resolve("summary.txt"), String.join("\n", summary) + "\n");
        } finally {
            service.close();
        }
    }

    @Test
    void sigkillOfTheService_theRestartStopsItsOrphanedDatabaseAndReachesItsFirstPassInSeconds() throws Exception {
        Path dir = Logs.dir("EmbeddedDatabaseTest-serviceKilled");
        // creates take 20 s, so jobs are running when the service dies
        ServiceProcess service = service("killed", dir, "create_latency: 20s\ndelete_latency: 50ms\n")
                .setting("workers", "2").build();
        try {
            service.start().awaitReady(Duration.ofMinutes(2));
            Embedded pg = new Embedded(dir.resolve("killed").resolve("state"));
            SharedDatabase.Database before = pg.app();
            await().atMost(Duration.ofMinutes(1)).until(() -> before.count("select count(*) from builds where status = 'running'") == 2);
            List<Object> runningAtKill = before.query("select id from builds where status = 'running' order by id")
                    .stream().map(r -> r.get("id")).toList();
            long orphan = pg.pid();

            // when: SIGKILL — the embedded postmaster, its child, survives
            assertThat(service.kill()).isEqualTo(137);
            // it stays up: nothing stops it but the next start
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> running(orphan));

            // then: the restart stops the orphan and reaches its first pass within seconds, not after a 60 s timeout
            Fixtures.write(dir.resolve("simulated.yaml"), "create_latency: 50ms\ndelete_latency: 50ms\n");
            int linesBefore = service.stderrLines().size();
            long started = System.nanoTime();
            service.start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                List<String> lines = service.stderrLines();
                return lines.subList(linesBefore, lines.size()).stream().anyMatch(l -> l.contains(" pass started="));
            });
            long firstPassMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(firstPassMs).as("restart to first pass after a SIGKILL (ms)").isLessThan(15_000);
            assertThat(running(orphan)).as("the orphaned postmaster after the restart").isFalse();
            assertThat(service.stderr()).contains("is still running, its owner was killed; stopping it");
            service.awaitReady(Duration.ofMinutes(1));

            // and: the lost jobs are reaped as worker_lost, the pools converge with nothing created twice
            SharedDatabase.Database after = pg.app();
            await().atMost(Duration.ofMinutes(1)).until(() ->
                    after.count("select count(*) from builds where error_code = 'worker_lost'") == runningAtKill.size());
            assertThat(after.query("select id from builds where error_code = 'worker_lost' order by id")
                    .stream().map(r -> r.get("id")).toList()).isEqualTo(runningAtKill);
            Fixtures.awaitConverged(after, Duration.ofMinutes(2), Duration.ofSeconds(1));
            assertThat(Fixtures.workspacesCreatedTwice(after)).isZero();
            assertThat(after.count("select count(*) from workspaces where owner = 'prebuilds' and phase = 'running'")).isEqualTo(5);
            String summary = "SIGKILL of the service with 2 jobs running: its postmaster survived (pid " + orphan + "); the restart"
                    + " stopped it and reached its first pass " + firstPassMs + " ms after the process started (bound 15 s);"
                    + " 2 jobs reaped as worker_lost; converged at 5 prebuilds, none created twice";
            System.out.println(summary);
            Files.writeString(dir.resolve("summary.txt"), summary + "\n");
        } finally {
            service.close();
        }
    }

    @Test
    void sigkillOfThePostmaster_theServiceBringsItBack_andWhenItCannotHealthzFailsAndSigtermIsQuick() throws Exception {
        Path dir = Logs.dir("EmbeddedDatabaseTest-postmasterKilled");
        ServiceProcess service = service("supervised", dir, "create_latency: 50ms\ndelete_latency: 50ms\n")
                .setting("embedded-db-recovery-timeout", "3s").build();
        List<String> summary = new ArrayList<>();
        try {
            service.start().awaitReady(Duration.ofMinutes(2));
            Embedded pg = new Embedded(dir.resolve("supervised").resolve("state"));
            SharedDatabase.Database db = pg.app();
            Fixtures.awaitConverged(db, Duration.ofMinutes(1), Duration.ofMillis(500));
            HttpResponse<String> claimed = claim(service, "dev/small", "before");
            assertThat(claimed.statusCode()).isEqualTo(201);

            // when: the postmaster is killed
            long pid = pg.pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long killed = System.nanoTime();

            // then: /readyz answers at once (503 while it is down), and claims are served again
            List<Integer> statuses = new ArrayList<>();
            java.util.concurrent.atomic.AtomicLong slowest = new java.util.concurrent.atomic.AtomicLong();
            // Probed every 20 ms until /readyz has been 503 and then 200 and a claim is served again.
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
                long t = System.nanoTime();
                HttpResponse<String> r = get(service, "/readyz", Duration.ofSeconds(2));
                slowest.accumulateAndGet((System.nanoTime() - t) / 1_000_000, Math::max);
                statuses.add(r.statusCode());
                return r.statusCode() == 200 && statuses.contains(503)
                        && claim(service, "dev/small", "after").statusCode() == 201;
            });
            long backMs = (System.nanoTime() - killed) / 1_000_000;
            long slowestReadyzMs = slowest.get();
            assertThat(statuses).as("/readyz while the database was down").contains(503);
            assertThat(backMs).as("claims served again within 30 s").isPositive();
            assertThat(slowestReadyzMs).as("slowest /readyz (ms) while down").isLessThan(1_000);
            assertThat(pg.pid()).isNotEqualTo(pid);
            assertThat(service.stderr()).contains("exited unexpectedly", "the embedded PostgreSQL is back");
            // nothing lost: the claim made before the kill is still there
            SharedDatabase.Database back = pg.app();
            assertThat(back.count("select count(*) from workspaces where owner = 'before'")).isEqualTo(1);
            assertThat(back.count("select count(*) from workspaces where owner = 'after'")).isEqualTo(1);
            summary.add("postmaster SIGKILLed: /readyz 503 then 200 (" + statuses.size() + " probes, slowest " + slowestReadyzMs
                    + " ms); claims served again " + backMs + " ms after the kill; the claim made before it kept");

            // when: it is killed again and cannot come back (a binary changed: the start-time check refuses it)
            Path sample = pg.binaries().resolve("share/postgresql/postgresql.conf.sample");
            Files.writeString(sample, "# changed\n", StandardOpenOption.APPEND);
            ProcessHandle.of(pg.pid()).orElseThrow().destroyForcibly();
            long killedAgain = System.nanoTime();
            // then: /healthz fails once the recovery timeout (3 s) has passed, so an orchestrator restarts the service
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> get(service, "/healthz", Duration.ofSeconds(2)).statusCode() == 503);
            long unhealthyMs = (System.nanoTime() - killedAgain) / 1_000_000;
            assertThat(get(service, "/readyz", Duration.ofSeconds(2)).statusCode()).isEqualTo(503);
            assertThat(service.stderr()).contains("changed since it was unpacked");
            // and SIGTERM still stops it within 5 s
            long stopping = System.nanoTime();
            int exit = service.stop(Duration.ofSeconds(5));
            long stopMs = (System.nanoTime() - stopping) / 1_000_000;
            assertThat(exit).isNotEqualTo(-1);
            summary.add("binaries changed and postmaster killed again: /healthz 503 after " + unhealthyMs
                    + " ms (recovery timeout 3 s); SIGTERM to exit " + stopMs + " ms (exit " + exit + ")");
            System.out.println(String.join("\n", summary));
            Files.writeString(dir.resolve("summary.txt"), String.join("\n", summary) + "\n");
        } finally {
            service.close();
        }
    }

    @Test
    void aSecondServiceOnTheSameStateDir_failsAtOnceNamingTheFirst() throws Exception {
        Path dir = Logs.dir("EmbeddedDatabaseTest-secondService");
        ServiceProcess first = service("first", dir, "create_latency: 50ms\ndelete_latency: 50ms\n").start();
        ServiceProcess second = null;
        try {
            first.awaitReady(Duration.ofMinutes(2));
            second = service("second", dir, "create_latency: 50ms\ndelete_latency: 50ms\n")
                    .setting("state-dir", dir.resolve("first").resolve("state").toString()).start();
            ServiceProcess s = second;
            await().atMost(Duration.ofSeconds(30)).until(() -> !s.alive());
            assertThat(second.stop(Duration.ofSeconds(1))).isEqualTo(1);
            assertThat(second.stderr()).contains("another warmpool (pid " + first.pid() + ") is running with the embedded database");
            assertThat(get(first, "/readyz", Duration.ofSeconds(2)).statusCode()).isEqualTo(200);
        } finally {
            if (second != null) {
                second.close();
            }
            first.close();
        }
    }

    // ---- helpers ----

    /** Alive and not a zombie waiting for pid 1 to reap it. */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text = Files.readString(stat);
        return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
    }

    private static Connection login(String host, int port, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", p);
    }

    private static void assertLoginRefused(int port, String user, String password) {
        assertThatThrownBy(() -> login("127.0.0.1", port, user, password).close())
                .as("login as " + user + (password == null ? " without a password" : " with a wrong password"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("28P01", "08004"));
    }

    private static HttpResponse<String> claim(ServiceProcess service, String preset, String owner) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/api/v1/presets/" + preset + "/claims"))
                    .header("Authorization", "Bearer " + ServiceProcess.TOKEN)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(15))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"owner\":\"" + owner + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(ServiceProcess service, String path, Duration timeout) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(path + " did not answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Commands as another, unprivileged OS user (made once when running as root; none otherwise). */
    record OtherUser(String name) {
        record Result(int exit, String output) {
        }

        static OtherUser get() throws Exception {
            if (!"0".equals(Commands.run("id", "-u").output().strip())) {
                System.err.println("EmbeddedDatabaseTest: NOT ROOT — the checks as another OS user are skipped");
                Assumptions.assumeTrue(System.getenv("CI") == null, "CI runs as root: the other-user checks must run");
                return null;
            }
            String name = "warmpool-probe";
            if (Commands.run("id", name).exit() != 0) {
                Result made = Commands.run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
                if (made.exit() != 0 && Commands.run("id", name).exit() != 0) {
                    return new OtherUser("nobody"); // no useradd here: the system's own unprivileged user
                }
            }
            return new OtherUser(name);
        }

        Result run(String... command) throws Exception {
            List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + name, "--regid=" + name, "--clear-groups"));
            argv.addAll(List.of(command));
            return Commands.run(argv.toArray(String[]::new));
        }
    }

    static final class Commands {
        static OtherUser.Result run(String... command) throws Exception {
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                return new OtherUser.Result(127, e.getMessage());
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new OtherUser.Result(124, out);
            }
            // setpriv exits 127 when the command is missing (psql on a machine without the client)
            return new OtherUser.Result(p.exitValue(), out);
        }
    }
}
