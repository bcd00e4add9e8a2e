package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting claims (SPEC R12 {@code wait}) end to end: two real services (replicas) in this JVM on one PostgreSQL,
 * the command provisioner running a real script that can make exactly five workspaces. Twenty claims wait, in a
 * known order and alternating between the replicas, on an empty pool; the pool is then sized to five. The first five
 * arrivals are served, in arrival order, each a different workspace; the other fifteen time out with 503 and
 * {@code Retry-After}; a twenty-first claim beyond the bound is refused with 429 at once. Jetty's idle timeout is set
 * below the wait, so a waiting request also proves it survives it.
 */
class WaitingClaimsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "waiting-claims-token-1f2e3d4c";
    private static final int WAITERS = 20;
    private static final int POOL = 5;
    private static final Duration WAIT = Duration.ofSeconds(12);

    @TempDir
    static Path dir;

    static EmbeddedPostgres postgres;
    static final List<WarmpoolService> replicas = new ArrayList<>();

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        postgres = RealApi.startPostgres(dir.resolve("pgdata"));
        Path slots = Files.createDirectories(dir.resolve("slots"));
        // Creates succeed while one of five slots is free (mkdir is atomic, whichever replica's worker runs it); the
        // create of slot i takes i seconds, so the five prebuilds become ready one by one, a second apart, and the
        // order in which they are claimed is the order of the claims that took them.
        Path create = Files.writeString(dir.resolve("create.sh"), """
                #!/bin/sh
                cat > /dev/null
                for i in 1 2 3 4 5; do
                  if mkdir "$1/slot-$i" 2>/dev/null; then sleep "$i"; echo '{"slot": "'$i'"}'; exit 0; fi
                done
                echo '{"permanent": true, "error": "no slot left"}'
                exit 65
                """);
        Path delete = Files.writeString(dir.resolve("delete.sh"), "#!/bin/sh\ncat > /dev/null\nexit 0\n");
        Files.writeString(dir.resolve("presets.yaml"), presets(0));
        Files.writeString(dir.resolve("token"), TOKEN);
        for (String name : List.of("a", "b")) {
            Map<Setting, String> flags = RealApi.externalDatabaseFlags(dir.resolve(name), postgres, TOKEN);
            flags.put(Setting.PRESETS, dir.resolve("presets.yaml").toString());
            flags.put(Setting.PROVISIONER, "command");
            flags.put(Setting.COMMAND_CREATE, JSON.writeValueAsString(List.of("/bin/sh", create.toString(), slots.toString())));
            flags.put(Setting.COMMAND_DELETE, JSON.writeValueAsString(List.of("/bin/sh", delete.toString())));
            flags.put(Setting.RECONCILE_INTERVAL, "200ms");
            flags.put(Setting.BACKOFF_INTERVAL, "100ms");
            flags.put(Setting.MAX_CLAIM_WAITERS_PER_PRESET, Integer.toString(WAITERS));
            flags.put(Setting.HTTP_IDLE_TIMEOUT, "2s");
            flags.put(Setting.SEED, "7");
            WarmpoolService service = Composition.service(Config.load(flags, Map.of(), null),
                    new PrintStream(new ByteArrayOutputStream()), false);
            replicas.add(service);
            service.start();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (WarmpoolService s : replicas) {
            s.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String presets(int instances) {
        return """
                templates:
                  - name: python-dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: %d}
                """.formatted(instances);
    }

    private static String server(int replica) {
        return "http://" + replicas.get(replica).apiAddress();
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static CompletableFuture<HttpResponse<String>> claim(int replica, String owner, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server(replica) + "/api/v1/presets/python-dev/small/claims"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static long waitersInDatabase() throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from claim_waiters")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static CliRun cli(int replica, String... args) {
        return CliRun.of(args, "--server", server(replica));
    }

    @Test
    void twentyWaitingClaimsOnTwoReplicas_fiveAreServedInArrivalOrder_theRestTimeOutWith503AndRetryAfter() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            answers.add(claim(i % 2, "user" + i, "{\"owner\": \"user" + i + "\", \"wait\": \"" + WAIT.toSeconds() + "s\"}"));
            long joined = i + 1;
            // The next claim arrives only once this one waits: the arrival order is known.
            await().atMost(Duration.ofSeconds(10)).until(() -> waitersInDatabase() == joined);
        }

        HttpResponse<String> beyond = claim(1, "late", "{\"owner\": \"late\", \"wait\": \"1m\"}").get(10, TimeUnit.SECONDS);
        assertThat(beyond.statusCode()).as(beyond.body()).isEqualTo(429);
        assertThat(beyond.body()).contains("too many claims are waiting for python-dev/small");

        Path file = Files.writeString(dir.resolve("presets-5.yaml"), presets(POOL));
        assertThat(cli(0, "presets", "apply", file.toString(), "--token-file", dir.resolve("token").toString()).exit()).isZero();

        List<String> served = new ArrayList<>();
        List<Claimed> claimedAt = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            HttpResponse<String> r = answers.get(i).get(WAIT.toSeconds() + 30, TimeUnit.SECONDS);
            if (i < POOL) {
                assertThat(r.statusCode()).as("arrival %d: %s", i, r.body()).isEqualTo(201);
                JsonNode ws = JSON.readTree(r.body());
                assertThat(ws.get("owner").asText()).isEqualTo("user" + i);
                served.add(ws.get("id").asText());
                claimedAt.add(new Claimed(java.time.Instant.parse(ws.get("claimedAt").asText()), i));
            } else {
                assertThat(r.statusCode()).as("arrival %d: %s", i, r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
                assertThat(r.body()).contains("no prebuilt workspace available for python-dev/small")
                        .contains("\"code\":\"no_prebuild_available\"");
            }
        }
        Set<String> distinct = new HashSet<>(served);
        assertThat(distinct).as("no workspace served twice").hasSize(POOL);
        assertThat(claimedAt).as("served in arrival order")
                .isSortedAccordingTo(java.util.Comparator.comparing(Claimed::at));
        await().atMost(Duration.ofSeconds(10)).until(() -> waitersInDatabase() == 0);
    }

    record Claimed(java.time.Instant at, int arrival) {
    }

    @Test
    void badWaitValues_areRefusedNamingTheField_overRestAndFromTheCli() throws Exception {
        HttpResponse<String> soon = claim(0, "x", "{\"owner\": \"x\", \"wait\": \"soon\"}").get(10, TimeUnit.SECONDS);
        assertThat(soon.statusCode()).isEqualTo(400);
        assertThat(soon.body()).contains("wait");
        HttpResponse<String> tooLong = claim(1, "x", "{\"owner\": \"x\", \"wait\": \"11m\"}").get(10, TimeUnit.SECONDS);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("wait must be a positive duration of at most 10m");

        CliRun cliTooLong = cli(0, "claim", "python-dev/small", "--owner", "x", "--wait", "11m", "--token-file", dir.resolve("token").toString());
        assertThat(cliTooLong.exit()).isEqualTo(2);
        assertThat(cliTooLong.err()).contains("--wait");
    }

    @Test
    void cliWait_waitsItsTime_andAnswersNoneAvailable_whenNothingBecomesReady() {
        // Nothing becomes eligible in this class but the five prebuilds the other test claims: whichever runs first,
        // this claim finds none and none comes.
        CliRun run = cli(1, "claim", "python-dev/small", "--owner", "cli-user", "--wait", "1s",
                "--token-file", dir.resolve("token").toString());

        assertThat(run.exit()).as("3: nothing available (SPEC §5) " + run.out() + run.err()).isEqualTo(3);
        assertThat(run.err()).contains("no prebuilt workspace available for python-dev/small within 1s");
    }
}
