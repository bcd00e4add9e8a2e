package io.warmpool.bootstrap;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.presets.PresetsYaml;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import io.warmpool.bootstrap.wiring.Settings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real REST API over the real application services and the real PostgreSQL adapter (on an embedded
 * PostgreSQL server under a temporary directory, reached as an external database), wired by the production Guice
 * modules — but without the reconcile loop and the
 * workers, so that nothing changes the store except the requests a test sends. That is what lets a test compare
 * a {@link #dump()} of the store before and after a rejected request.
 *
 * <p>Setup applies {@link #PRESETS}, runs one pass and the workers until the queue is empty, so
 * {@code python-dev/small} has three ready prebuilds (ids in {@link #prebuilds()}) that claims can take.
 * One instance per test JVM ({@link #shared()}): an embedded PostgreSQL takes seconds to start.
 */
final class RealApi implements AutoCloseable {

    static final String TOKEN = "fuzz-token-4f0c2a9e8b7d6c5a";

    /** Parameters with SQL and shell metacharacters, quotes, a newline and unicode: stored and passed literally. */
    static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2", note: "'; drop table presets; -- $(touch /tmp/warmpool-pwned) `id`\\n\\"ü\\""}
                    prebuilds: {instances: 3}
                  - name: empty
                    parameters: {cpu: "1"}
                    prebuilds: {instances: 0}
            """;

    private static final List<String> TABLES = List.of("templates", "template_versions", "presets",
            "preset_schedule_windows", "preset_failure_states", "workspaces", "builds", "settings", "events");

    private static RealApi shared;

    private final Path dir;
    private final EmbeddedPostgres postgres;
    private final Injector injector;
    private final PostgresDatabase database;
    private final ApiServer api;
    private final String base;
    private final List<String> prebuilds;

    /** The one instance of this JVM, started on first use and closed when the JVM exits. */
    static synchronized RealApi shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    static RealApi start() {
        try {
            return new RealApi(Files.createTempDirectory("warmpool-real-api"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A PostgreSQL server for tests: the embedded one, its binaries unpacked once into a fixed directory shared by
     * test runs (as adapters-db's tests do), fsync off. The service reaches it as an external database.
     */
    static EmbeddedPostgres startPostgres(Path dataDir) throws IOException {
        Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "warmpool-test-pg");
        Files.createDirectories(binaries);
        return EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(dataDir)
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
    }

    /**
     * The service's flags for {@code postgres} as an external database, its state under {@code dir/state}, the API
     * on a free loopback port with {@code token}; callers add the provisioner and the rest.
     */
    static Map<Setting, String> externalDatabaseFlags(Path dir, EmbeddedPostgres postgres, String token) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.STATE_DIR, dir.resolve("state").toString());
        flags.put(Setting.DB_URL, postgres.getJdbcUrl("postgres", "postgres"));
        flags.put(Setting.DB_USER, "postgres");
        flags.put(Setting.HTTP_ADDR, "127.0.0.1:0");
        flags.put(Setting.TOKEN, token);
        return flags;
    }

    /**
     * The service composed from these settings, its database started, the presets applied, one pass reconciled and
     * every job it enqueued run by one worker (an answer of 202 leaves its build awaiting a callback).
     */
    static Injector composeAndFill(Map<Setting, String> flags, String token, String presets, String workerName) {
        Settings settings = Settings.from(Config.load(flags, Map.of(), null));
        Injector injector = Guice.createInjector(Stage.DEVELOPMENT, Composition.modules(settings, token));
        injector.getInstance(PostgresDatabase.class).start();
        injector.getInstance(ApplyPresetsUseCase.class).apply(PresetsYaml.parse(presets, "presets.yaml"));
        injector.getInstance(ReconcilePresetsUseCase.class).reconcile(Scope.ALL);
        RunProvisionerJobsUseCase jobs = injector.getInstance(RunProvisionerJobsUseCase.class);
        Worker worker = new Worker(workerName);
        try {
            while (jobs.runNext(worker).toCompletableFuture().get(30, TimeUnit.SECONDS) != WorkerStep.IDLE) {
                // until every create was answered
            }
        } catch (Exception e) {
            throw new IllegalStateException("filling the pools failed", e);
        }
        return injector;
    }

    /** Stops what {@link #composeAndFill} started: the API, the provisioner (when it holds threads), the database. */
    static void closeService(ApiServer api, Injector injector, PostgresDatabase database) {
        try {
            api.close();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        WorkspaceProvisionerPort provisioner = injector.getInstance(WorkspaceProvisionerPort.class);
        if (provisioner instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        database.close();
    }

    private RealApi(Path dir) throws IOException {
        this.dir = dir;
        postgres = startPostgres(dir.resolve("pgdata"));
        Path simulated = dir.resolve("simulated.yaml");
        Files.writeString(simulated, "create_latency: 1ms\ndelete_latency: 1ms\n");
        Map<Setting, String> flags = externalDatabaseFlags(dir, postgres, TOKEN);
        flags.put(Setting.SEED, "42");
        flags.put(Setting.WORKERS, "1");
        flags.put(Setting.SIMULATED_CONFIG, simulated.toString());
        injector = composeAndFill(flags, TOKEN, PRESETS, "fuzz/w1");
        database = injector.getInstance(PostgresDatabase.class);
        prebuilds = database.dsl().fetch("select id::text from workspaces where owner = 'prebuilds' and phase = 'running' order by id")
                .getValues(0, String.class);
        if (prebuilds.size() != 3) {
            throw new IllegalStateException("expected 3 ready prebuilds, got " + prebuilds);
        }
        api = injector.getInstance(ApiServer.class);
        api.start();
        base = "http://" + api.address();
    }

    Injector injector() {
        return injector;
    }

    PostgresDatabase database() {
        return database;
    }

    /** The routes Javalin serves (see {@link RestApi#routes()}). */
    List<RestApi.Route> routes() {
        return injector.getInstance(RestApi.class).routes();
    }

    /** {@code http://127.0.0.1:PORT}. */
    String base() {
        return base;
    }

    /** The ids of the prebuilds the setup made (claims may have taken them since). */
    List<String> prebuilds() {
        return prebuilds;
    }

    /** Every row of every table, in a fixed order, as text: equal dumps mean an unchanged store. */
    String dump() {
        return dump(TABLES);
    }

    /** The dump without the event log (a claim that finds nothing records a {@code claim_missed} event). */
    String dumpWithoutEvents() {
        return dump(TABLES.subList(0, TABLES.size() - 1));
    }

    /** One query: PostgreSQL renders every row as text, sorted, so a dump costs one round trip. */
    private String dump(List<String> tables) {
        StringBuilder sql = new StringBuilder("select ''");
        for (String table : tables) {
            sql.append(" || '== ").append(table).append("' || chr(10) || coalesce((select string_agg(t::text, chr(10) order by t::text) from ")
                    .append(table).append(" t), '') || chr(10)");
        }
        return String.valueOf(database.dsl().fetchValue(sql.toString()));
    }

    /** Sends a request as is (the caller builds the path and query, percent-encoded where needed). */
    HttpResponse<String> send(String method, String pathAndQuery, byte[] body, String... headers) {
        if (body != null && body.length > io.warmpool.adapters.http.RestApi.MAX_BODY_BYTES) {
            // More than the server drains after an early answer: ask first (Expect: 100-continue), as curl does.
            return io.warmpool.adapters.http.ExpectContinue.send(URI.create(base), method, pathAndQuery, body, headers);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            // A new client (so a new connection) per request keeps each fuzzed request independent of the ones
            // before it. (What made a pooled client fail now and then — a rejection leaving the body unread, so
            // Jetty closed the connection unannounced — is fixed in RestApi and tested in RestApiTest.)
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        closeService(api, injector, database);
        try {
            postgres.close();
        } catch (IOException ignored) {
            // the data directory is removed below anyway
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            paths.forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
