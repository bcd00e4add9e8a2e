package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The real REST API over the real application services and PostgreSQL adapter (embedded PostgreSQL, production
 * Guice modules, no reconcile loop or workers running by themselves) with the <b>http provisioner</b> against a
 * receiver on loopback, so that every route has real data to answer with: {@code python-dev/small} has 3 ready
 * prebuilds to claim, {@code python-dev/empty} none, {@code python-dev/agent} 2 provisioned prebuilds waiting for
 * their agent's ready call (their agent tokens are what the receiver got), {@code python-dev/slow} 2 creates the
 * receiver answered {@code 202 Accepted} (their builds await a signed callback). For {@link OpenApiContractTest}.
 */
final class ContractFixture implements AutoCloseable {

    static final String TOKEN = "contract-token-6a1f0c9e2b7d4e85";
    static final String SECRET = "contract-callback-secret-0123456789abcdef";
    static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2", image: "python:3.12"}
                    prebuilds:
                      instances: 3
                      ttl: 12h
                  - name: empty
                    parameters: {cpu: "1"}
                    prebuilds: {instances: 0}
                  - name: agent
                    parameters: {cpu: "1"}
                    prebuilds:
                      instances: 2
                      readiness: {check: agent, timeout: 10m}
                  - name: slow
                    parameters: {cpu: "8"}
                    prebuilds: {instances: 2}
                  - name: office
                    parameters: {cpu: "1"}
                    prebuilds:
                      instances: 0
                      scheduling:
                        timezone: Europe/Berlin
                        schedule:
                          - {cron: "* 3-4 * * 0", instances: 0}
                  - name: scaled
                    parameters: {cpu: "1"}
                    prebuilds:
                      autoscale: {target_hit_rate: 0.9, min: 0, max: 2, lookback: 7d}
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A create the receiver got: the workspace, its preset, its agent token, its build's idempotency key. */
    record Create(String workspace, String preset, String agentToken, String key) {
    }

    private final Path dir;
    private final EmbeddedPostgres postgres;
    private final HttpServer receiver;
    private final ExecutorService receiverThreads = Executors.newCachedThreadPool();
    private final Map<String, Create> creates = new ConcurrentHashMap<>();
    private final Injector injector;
    private final PostgresDatabase database;
    private final ApiServer api;
    private final String base;

    ContractFixture() throws IOException {
        dir = Files.createTempDirectory("warmpool-contract");
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(receiverThreads);
        receiver.createContext("/hooks", this::receive);
        receiver.start();
        postgres = RealApi.startPostgres(dir.resolve("pgdata"));
        Map<Setting, String> flags = RealApi.externalDatabaseFlags(dir, postgres, TOKEN);
        flags.put(Setting.SEED, "18");
        flags.put(Setting.WORKERS, "1");
        flags.put(Setting.PROVISIONER, "http");
        flags.put(Setting.HTTP_PROVISIONER_URL, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks");
        flags.put(Setting.HTTP_PROVISIONER_SECRET, SECRET);
        injector = RealApi.composeAndFill(flags, TOKEN, PRESETS, "contract/w1");
        database = injector.getInstance(PostgresDatabase.class);
        if (workspaces("small").size() != 3 || workspaces("agent").size() != 2 || workspaces("slow").size() != 2) {
            throw new IllegalStateException("expected 3 small, 2 agent and 2 slow creates, got " + creates.values());
        }
        api = injector.getInstance(ApiServer.class);
        api.start();
        base = "http://" + api.address();
    }

    /** Signs like the http provisioner; a create of {@code slow} is accepted (202), every other request done (200). */
    private void receive(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String ts = exchange.getRequestHeaders().getFirst("X-Warmpool-Timestamp");
        String signature = exchange.getRequestHeaders().getFirst("X-Warmpool-Signature");
        int status;
        byte[] answer = new byte[0];
        if (ts == null || !sign(ts, body).equals(signature)) {
            status = 401;
        } else {
            JsonNode request = JSON.readTree(body);
            String workspace = request.get("workspace_id").asText();
            String preset = request.get("preset").asText();
            if (request.get("transition").asText().equals("create")) {
                creates.put(workspace, new Create(workspace, preset, request.path("agent_token").asText(null),
                        exchange.getRequestHeaders().getFirst("Idempotency-Key")));
                status = preset.equals("slow") ? 202 : 200;
                if (status == 200) {
                    answer = ("{\"url\": \"https://ws-" + workspace.substring(0, 8) + ".example\"}").getBytes(UTF_8);
                }
            } else {
                status = 200;
            }
        }
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            exchange.getResponseBody().write(answer);
        }
        exchange.close();
    }

    /** {@code sha256=<hex HMAC-SHA256(SECRET, timestamp + "." + body)>}: the http provisioner's signature scheme. */
    static String sign(String timestamp, byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(UTF_8));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    String base() {
        return base;
    }

    /** The routes Javalin serves. */
    List<RestApi.Route> routes() {
        return injector.getInstance(RestApi.class).routes();
    }

    /** The creates of one preset of python-dev, in the order of their workspace ids. */
    List<Create> workspaces(String preset) {
        return creates.values().stream().filter(c -> c.preset().equals(preset))
                .sorted(Comparator.comparing(Create::workspace)).toList();
    }

    /** The build id of a create the receiver accepted: its idempotency key is {@code build-<id>}. */
    static String buildId(Create create) {
        return create.key().substring("build-".length());
    }

    @Override
    public void close() {
        RealApi.closeService(api, injector, database);
        receiver.stop(0);
        receiverThreads.shutdownNow();
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
