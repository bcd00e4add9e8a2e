package io.warmpool.benchmarks;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.bootstrap.Composition;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import io.warmpool.bootstrap.wiring.Settings;
import io.warmpool.domain.PresetRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Claims through the REST API: the service's own composition ({@link Composition#modules}: the real
 * {@code ClaimPrebuildService} with its events, metrics and nudges, over {@code PostgresModule}, behind
 * {@code RestApi}), on a given PostgreSQL — the benchmark's embedded server — and its HTTP API on a free loopback
 * port. Only the database and the API are started: no reconcile loop and no workers, which would replace (or, with
 * the seeded surplus, delete) the prebuilds being claimed. Each client thread has one HTTP/1.1 keep-alive
 * connection ({@link LeanHttpClient}) and POSTs {@code /api/v1/presets/{template}/{preset}/claims} with the bearer
 * token; 201 is a claim, 409 a miss, anything else fails the run.
 */
final class RestClaimBenchmark {

    /** The load's figures and the service's database pool size they were measured with. */
    record Measured(ClaimLoad.Result load, int poolSize) {
    }

    private static final String TOKEN = "warmpool-benchmark-token";

    private RestClaimBenchmark() {
    }

    static Measured run(String jdbcUrl, String user, String password, int clients, long warmUpNanos, long measureNanos, CpuMeter meter)
            throws Exception {
        Path state = Files.createTempDirectory("warmpool-bench-rest");
        try {
            Settings settings = Settings.from(Config.load(Map.of(
                    Setting.DB_URL, jdbcUrl,
                    Setting.DB_USER, user,
                    Setting.DB_PASSWORD, password,
                    Setting.HTTP_ADDR, "127.0.0.1:0",
                    Setting.TOKEN, TOKEN,
                    Setting.SEED, "1",
                    Setting.STATE_DIR, state.toString()), Map.of(), null));
            Injector injector = Guice.createInjector(Stage.DEVELOPMENT, Composition.modules(settings, TOKEN));
            PostgresDatabase database = injector.getInstance(PostgresDatabase.class);
            database.start();
            try (ApiServer api = injector.getInstance(ApiServer.class)) {
                api.start();
                String address = api.address();
                int colon = address.lastIndexOf(':');
                InetSocketAddress server = new InetSocketAddress(address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1)));
                LeanHttpClient[] http = new LeanHttpClient[clients];
                for (int c = 0; c < clients; c++) {
                    http[c] = new LeanHttpClient(server);
                }
                try {
                    ClaimLoad.Result load = ClaimLoad.run(clients, warmUpNanos, measureNanos, meter,
                            (client, name, preset) -> claim(http[client], client, name, preset));
                    return new Measured(load, Composition.poolSize(settings));
                } finally {
                    for (LeanHttpClient h : http) {
                        h.close();
                    }
                }
            } finally {
                database.close();
            }
        } finally {
            deleteTree(state);
        }
    }

    private static UUID claim(LeanHttpClient http, int client, String name, PresetRef preset) throws IOException {
        LeanHttpClient.Response response = http.post("/api/v1/presets/" + preset.template() + "/" + preset.preset()
                + "/claims", "Bearer " + TOKEN, "{\"owner\":\"bench-" + client + "\",\"name\":\"" + name + "\"}");
        return switch (response.status()) {
            case 201 -> id(response.body());
            case 409 -> null;
            default -> throw new IllegalStateException("claim of " + preset + " answered " + response.status()
                    + ": " + response.body());
        };
    }

    /** The {@code id} of a claimed workspace's JSON (API.md: the first key, a UUID). */
    static UUID id(String body) {
        String key = "\"id\":\"";
        int at = body.indexOf(key);
        if (at < 0) {
            throw new IllegalStateException("no id in the claim's answer: " + body);
        }
        int from = at + key.length();
        return UUID.fromString(body.substring(from, body.indexOf('"', from)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
