package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security (SPEC §7 "secrets never reach a log"): the service runs as a separate process ({@code Main run}, the
 * test's classpath) with a known API token, database password (a PostgreSQL role that must authenticate with it,
 * scram-sha-256) and HMAC key (an HTTP provisioner whose receiver checks every signature), warmpool's loggers at
 * {@code --log-level trace}, and a dashboard sign-in link used by a browser-like client. The test exercises it, errors included — wrong tokens (one that contains the real token),
 * bad requests, a provisioner that answers 500 and 400, the database dropping the service's connections — then
 * stops it and searches all it wrote (stdout, stderr, the live view) for the secrets, raw and encoded. A second run
 * with a wrong password in the JDBC URL must fail to start without printing either password.
 */
class SecretsNeverLoggedTest {

    static final String TOKEN = "tok3n-S3CRET-a1b2c3d4e5f6a7b8";
    static final String DB_PASSWORD = "dbpw-S3CRET-9f8e7d6c5b4a";
    static final String HMAC_SECRET = "hmac-S3CRET-0123456789abcdef";
    static final String WRONG_DB_PASSWORD = "wrongpw-S3CRET-1122334455";

    @TempDir
    static Path dir;

    static EmbeddedPostgres postgres;
    static HttpServer receiver;
    static final AtomicInteger hits = new AtomicInteger();
    /** Requests for presets other than {@code broken}: the 500s follow these, so one is sent whichever preset goes first. */
    static final AtomicInteger buildableHits = new AtomicInteger();
    static final AtomicInteger badSignatures = new AtomicInteger();
    /** The one-time code of the sign-in link the first test used. */
    static String signInCode;

    @BeforeAll
    static void startDatabaseAndReceiver() throws Exception {
        postgres = RealApi.startPostgres(dir.resolve("pgdata"));
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create role warmpool login password '" + DB_PASSWORD + "'");
            s.execute("create database warmpool owner warmpool");
            // Only the test's own superuser connection is trusted; the service must present its password.
            var rs = s.executeQuery("show hba_file");
            rs.next();
            Path hba = Path.of(rs.getString(1));
            Files.writeString(hba, """
                    local all all trust
                    host all postgres 127.0.0.1/32 trust
                    host all postgres ::1/128 trust
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """);
            s.execute("select pg_reload_conf()");
        }

        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String timestamp = exchange.getRequestHeaders().getFirst("X-Warmpool-Timestamp");
            String signature = exchange.getRequestHeaders().getFirst("X-Warmpool-Signature");
            int hit = hits.incrementAndGet();
            int status;
            String reply;
            if (!signed(timestamp, signature, body)) {
                badSignatures.incrementAndGet();
                status = 401;
                reply = "{\"error\":\"bad signature\"}";
            } else if (new String(body, UTF_8).contains("\"preset\":\"broken\"")) {
                status = 400; // permanent: the preset becomes validation_failed
                reply = "{\"error\":\"invalid parameter\"}";
            } else if (buildableHits.incrementAndGet() % 3 == 1) {
                status = 500; // transient: retried
                reply = "{\"error\":\"receiver down\"}";
            } else {
                status = 200;
                reply = "{\"outputs\":{\"url\":\"https://ws.example/" + hit + "\"}}";
            }
            byte[] out = reply.getBytes(UTF_8);
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static boolean signed(String timestamp, String signature, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HMAC_SECRET.getBytes(UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(UTF_8));
            return ("sha256=" + HexFormat.of().formatHex(mac.doFinal(body))).equals(signature);
        } catch (Exception e) {
            return false;
        }
    }

    /** {@code java -cp <this test's classpath> io.warmpool.bootstrap.Main run …}, all output into one file. */
    static Process startService(Path output, String dbUrl, Map<String, String> env, String... extra) throws IOException {
        Path presets = dir.resolve("presets.yaml");
        Files.writeString(presets, """
                templates:
                  - name: python-dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 2}
                      - name: broken
                        parameters: {cpu: "-1"}
                        prebuilds: {instances: 1}
                """);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "io.warmpool.bootstrap.Main", "run",
                "--state-dir", dir.resolve("state").toString(),
                "--db-url", dbUrl,
                "--http-addr", "127.0.0.1:0",
                "--presets", presets.toString(),
                "--provisioner", "http",
                "--http-provisioner-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/workspaces",
                "--reconcile-interval", "200ms",
                "--backoff-interval", "100ms",
                "--workers", "2",
                "--log-level", "trace"));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("WARMPOOL_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    static HttpResponse<String> send(String base, String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body != null) {
            // JSON is YAML: one type fits the JSON routes and the presets upload.
            b.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Each secret as written and in the encodings a careless log line might use. */
    static List<String> forms(String secret) {
        return List.of(secret, URLEncoder.encode(secret, UTF_8), Base64.getEncoder().encodeToString(secret.getBytes(UTF_8)),
                HexFormat.of().formatHex(secret.getBytes(UTF_8)), secret.substring(0, secret.length() / 2 + 4));
    }

    static void assertNoSecrets(String output, String... secrets) {
        for (String secret : secrets) {
            for (String form : forms(secret)) {
                assertThat(output).as("log output must not contain a form of a secret: %s", form).doesNotContain(form);
            }
        }
    }

    @Test
    void theServiceExercisedWithErrors_neverLogsTheTokenTheDatabasePasswordOrTheHmacKey() throws Exception {
        Path output = dir.resolve("service.log");
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/warmpool";
        Process service = startService(output, url, Map.of("WARMPOOL_TOKEN", TOKEN, "WARMPOOL_DB_PASSWORD", DB_PASSWORD,
                "WARMPOOL_HTTP_PROVISIONER_SECRET", HMAC_SECRET), "--db-user", "warmpool");
        try {
            Pattern listening = Pattern.compile("API listening on http://(127\\.0\\.0\\.1:[0-9]+)");
            String[] address = new String[1];
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(service.isAlive()).as(() -> readQuietly(output)).isTrue();
                Matcher m = listening.matcher(readQuietly(output));
                if (m.find()) {
                    address[0] = m.group(1);
                }
                return address[0] != null;
            });
            String base = "http://" + address[0];
            String bearer = "Bearer " + TOKEN;

            // The provisioner is called — a 500 that is retried, a 400 that makes a preset validation_failed,
            // successes — and every signature checks out. Two eligible behind a first 500 take at least three
            // requests for small, plus broken's one.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String status = send(base, "GET", "/api/v1/status", null, bearer).body();
                assertThat(status).contains("\"status\":\"validation_failed\"").contains("\"eligible\":2");
            });
            assertThat(hits.get()).isGreaterThanOrEqualTo(4);
            assertThat(badSignatures).hasValue(0);

            // Requests that succeed, and errors of every kind.
            assertThat(send(base, "GET", "/api/v1/status", null, bearer).statusCode()).isEqualTo(200);
            for (String wrong : List.of("Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(0, 10), "Bearer x" + TOKEN,
                    "Basic " + TOKEN, TOKEN)) {
                assertThat(send(base, "GET", "/api/v1/status", null, wrong).statusCode()).isEqualTo(401);
            }
            assertThat(send(base, "POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"Bad Owner\"}", bearer)
                    .statusCode()).isEqualTo(400);
            assertThat(send(base, "POST", "/api/v1/presets", "templates: [{name: Bad}]", bearer).statusCode()).isEqualTo(400);
            assertThat(send(base, "GET", "/api/v1/nope", null, bearer).statusCode()).isEqualTo(404);
            assertThat(send(base, "GET", "/api/%00", null, bearer).statusCode()).isEqualTo(400);
            assertThat(send(base, "DELETE", "/api/v1/workspaces/00000000-0000-0000-0000-000000000001", null, bearer)
                    .statusCode()).isEqualTo(404);
            send(base, "POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"alice\"}", bearer);
            assertThat(send(base, "GET", "/metrics", null, null).statusCode()).isEqualTo(200);

            // The dashboard: a one-time sign-in link (what `warmpool dashboard` asks for), used once, then a
            // mutating request of the signed-in session. The code never reaches the log either.
            String issued = send(base, "POST", "/api/v1/dashboard/sign-in-codes", null, bearer).body();
            Matcher code = Pattern.compile("code=([A-Za-z0-9_-]+)").matcher(issued);
            assertThat(code.find()).as(issued).isTrue();
            signInCode = code.group(1);
            HttpResponse<String> signIn = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/?code=" + signInCode)).build(), HttpResponse.BodyHandlers.ofString());
            String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
            HttpResponse<String> paused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/reconciliation/pause")).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Cookie", cookie).header("Origin", base).header("X-Warmpool-Csrf", "1").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(paused.statusCode()).as(paused.body()).isBetween(200, 204);
            send(base, "POST", "/api/v1/reconciliation/resume", null, bearer);

            // The database drops the service's connections: it reconnects with its password, and logs about it.
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = 'warmpool'");
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(send(base, "GET", "/api/v1/status", null, bearer).statusCode()).isEqualTo(200));
            int before = hits.get();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                send(base, "POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"bob\"}", bearer);
                assertThat(hits.get()).isGreaterThan(before);
            });
        } finally {
            service.destroy(); // SIGTERM: the shutdown path logs too
            if (!service.waitFor(60, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        String log = Files.readString(output, UTF_8);
        assertThat(log).as("the run did log (the check below is not vacuous)")
                .contains("API listening on", "database ready").contains(" DEBUG ")
                .contains("paused reconciliation (every replica) request=req-").contains("actor=dashboard")
                .contains("resumed reconciliation (every replica) request=req-").contains("actor=admin")
                // the receiver's 400 for broken: its WARN, and the ERROR of a preset that stops until resumed (R5)
                .containsPattern(" WARN  worker     create failed: \\S.* k=\\d+ .*job=\\d+ build=build-\\d+"
                        + " preset=python-dev@v1/broken workspace=")
                .containsPattern(" ERROR worker     preset is validation_failed: .* preset=python-dev@v1/broken workspace=");
        assertNoSecrets(log, TOKEN, DB_PASSWORD, HMAC_SECRET, signInCode);
    }

    @Test
    void aServiceThatCannotLogIn_failsWithoutPrintingAPassword() throws Exception {
        Path output = dir.resolve("wrong-password.log");
        // The wrong password in the URL itself, the right one in the environment: neither may be printed.
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/warmpool?user=warmpool&password=" + WRONG_DB_PASSWORD;
        Process service = startService(output, url, Map.of("WARMPOOL_TOKEN", TOKEN,
                "WARMPOOL_HTTP_PROVISIONER_SECRET", HMAC_SECRET));
        assertThat(service.waitFor(120, TimeUnit.SECONDS)).as("the service gives up").isTrue();
        String log = Files.readString(output, UTF_8);

        assertThat(service.exitValue()).as(log).isNotZero();
        assertThat(log).contains("database");
        assertNoSecrets(log, TOKEN, DB_PASSWORD, HMAC_SECRET, WRONG_DB_PASSWORD);
    }

    static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
