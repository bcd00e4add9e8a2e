package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.PresetId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Security (SPEC §7 "no shell ever sees request data"): parameters and outputs holding SQL and shell
 * metacharacters, quotes, backslashes, newlines, unicode — and attempts to run {@code touch} — reach a command's
 * stdin and environment and an HTTP receiver's body as exactly those characters; a command's argv is only what was
 * configured; the outputs a provisioner replies with come back exactly; and nothing in the data is ever executed.
 * Seeds are fixed.
 */
class LiteralTextPropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cret-key-for-tests-0123456789abcdef";
    private static final List<String> ARGV_TAIL = List.of("create-or-delete", "--flag=1");

    private static Path dir;
    /** A file every injection attempt tries to create: it must never exist. */
    private static Path marker;
    private static Path script;
    private static CommandProvisioner command;
    private static HttpServer server;
    private static HttpProvisioner http;
    private static ScheduledExecutorService retryScheduler;
    private static final AtomicReference<byte[]> received = new AtomicReference<>();
    private static final AtomicReference<String> reply = new AtomicReference<>("{}");

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("warmpool-literal");
        marker = dir.resolve("pwned");
        script = dir.resolve("capture.sh");
        // Writes what it received, byte for byte, and answers with the prepared reply. It never evaluates its input.
        Files.writeString(script, """
                #!/usr/bin/env bash
                set -u
                d="$(dirname "$0")"
                cat > "$d/stdin.json"
                env -0 > "$d/env.bin"
                printf '%s\\0' "$@" > "$d/args.bin"
                cat "$d/reply.json"
                """, UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        List<String> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(ARGV_TAIL);
        command = new CommandProvisioner(CommandProvisionerConfig.of(argv, argv));

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean signed = validSignature(exchange.getRequestHeaders().getFirst("X-Warmpool-Timestamp"),
                    exchange.getRequestHeaders().getFirst("X-Warmpool-Signature"), body);
            received.set(body);
            byte[] out = (signed ? reply.get() : "{\"error\":\"bad signature\"}").getBytes(UTF_8);
            exchange.sendResponseHeaders(signed ? 200 : 401, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        retryScheduler = Executors.newSingleThreadScheduledExecutor();
        HttpProvisionerConfig config = HttpProvisionerConfig.of(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks?x=1"), HmacSecret.ofUtf8(SECRET))
                .withTimeouts(HttpProvisionerConfig.Timeouts.all(Duration.ofSeconds(10)));
        http = new HttpProvisioner(config, HttpProvisioner.newHttpClient(config),
                new MutableClock(Instant.parse("2026-03-01T10:00:00Z")), new SplittableRandom(1), retryScheduler);
    }

    @AfterAll
    static void stop() throws IOException {
        command.close();
        server.stop(0);
        retryScheduler.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static boolean validSignature(String timestamp, String signature, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(UTF_8));
            return ("sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body))).equals(signature);
        } catch (Exception e) {
            return false;
        }
    }

    // ---- generators -----------------------------------------------------------------------------------------

    /** Text an attacker would try; every attempt to run something targets {@link #marker}. */
    static Gen<String> hostile() {
        String touch = "touch " + marker;
        return Gen.frequency(
                Gen.weighted(4, Gen.of("$(" + touch + ")", "`" + touch + "`", "; " + touch, "&& " + touch,
                        "| " + touch, "\n" + touch + "\n", "$(" + touch + ")\"'", "'; drop table presets; --",
                        "\" || \"", "${PATH}", "$HOME", "$0", "*", "~", "\\", "\\n", "%s%n", "-rf", "--help", "=",
                        "a=b", "PATH=/nowhere", "ü 日本語 😀", "\u202e", "\t", "\r\n", " ", "")),
                Gen.weighted(2, Gen.strings("'\"`$(){};&|<>\\*?~#!%=\n\t -_./aZ9ü", 0, 24)),
                Gen.weighted(1, Gen.of("😀", "a😀b", "𝄞")),
                // Any text but NUL (stdin carries it; an environment variable cannot) and lone surrogates (which
                // the presets validator rejects and no UTF-8 channel can carry).
                Gen.weighted(1, Gen.anyStrings(16)
                        .filter(s -> s.indexOf('\0') < 0 && s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF))));
    }

    static Gen<Map<String, String>> texts() {
        Gen<String> hostile = hostile();
        Gen<String[]> entry = random -> new String[] {hostile.next(random), hostile.next(random)};
        return entry.list(0, 4).map(entries -> {
            Map<String, String> m = new HashMap<>();
            entries.forEach(e -> m.put(e[0], e[1]));
            return m;
        });
    }

    static Gen<ProvisionRequest> requests() {
        Gen<Transition> transitions = Gen.of(Transition.CREATE, Transition.DELETE);
        Gen<Map<String, String>> texts = texts();
        return random -> {
            Transition transition = transitions.next(random);
            Map<String, String> parameters = texts.next(random);
            Map<String, String> outputs = texts.next(random);
            return new ProvisionRequest(transition, Requests.workspace(1), "prebuild-1", "alice",
                    new PresetId("python-dev", "v1", "small"), parameters,
                    transition == Transition.DELETE ? outputs : Map.of(), 1);
        };
    }

    /** A request and the outputs the provisioner replies with. */
    record Case(ProvisionRequest request, Map<String, String> outputs) {
    }

    static Gen<Case> cases() {
        Gen<ProvisionRequest> requests = requests();
        Gen<Map<String, String>> replies = texts();
        return random -> new Case(requests.next(random), replies.next(random));
    }

    // ---- properties -----------------------------------------------------------------------------------------

    @Test
    void theCommandGetsExactlyTheRequestOnStdinAndInItsEnvironment_argvIsOnlyTheConfiguredOne_nothingRuns() {
        Property.forAll(8401, 120, cases(), c -> commandGetsExactly(c.request(), c.outputs()));
    }

    private static void commandGetsExactly(ProvisionRequest request, Map<String, String> outputs) throws IOException {
        Files.writeString(dir.resolve("reply.json"), JSON.writeValueAsString(Map.of("outputs", outputs)), UTF_8);

        ProvisionResult result = command.provision(request).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();

        assertThat(result).as("%s", result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class,
                ok -> assertThat(ok.outputs()).isEqualTo(outputs));
        JsonNode stdin = JSON.readTree(dir.resolve("stdin.json").toFile());
        assertThat(JSON.convertValue(stdin.get("parameters"), new TypeReference<Map<String, String>>() { }))
                .isEqualTo(request.parameters());
        assertThat(JSON.convertValue(stdin.get("outputs"), new TypeReference<Map<String, String>>() { }))
                .isEqualTo(request.outputs());
        Map<String, String> env = environment(Files.readAllBytes(dir.resolve("env.bin")));
        expectVariables("WARMPOOL_PARAM_", request.parameters()).forEach((variable, value) ->
                assertThat(env.get(variable)).as(variable).isEqualTo(value));
        expectVariables("WARMPOOL_OUTPUT_", request.outputs()).forEach((variable, value) ->
                assertThat(env.get(variable)).as(variable).isEqualTo(value));
        List<String> argv = new ArrayList<>(List.of(new String(Files.readAllBytes(dir.resolve("args.bin")), UTF_8).split("\0")));
        assertThat(argv).isEqualTo(ARGV_TAIL);
        assertThat(marker).doesNotExist();
    }

    @Test
    void theHttpReceiverGetsExactlyTheRequestInTheSignedBody_andTheOutputsComeBackExactly() {
        Property.forAll(8402, 120, cases(), c -> httpReceiverGetsExactly(c.request(), c.outputs()));
    }

    private static void httpReceiverGetsExactly(ProvisionRequest request, Map<String, String> outputs) throws IOException {
        reply.set(JSON.writeValueAsString(Map.of("outputs", outputs)));

        ProvisionResult result = http.provision(request).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();

        assertThat(result).as("%s", result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class,
                ok -> assertThat(ok.outputs()).isEqualTo(outputs));
        JsonNode body = JSON.readTree(received.get());
        assertThat(JSON.convertValue(body.get("parameters"), new TypeReference<Map<String, String>>() { }))
                .isEqualTo(request.parameters());
        assertThat(JSON.convertValue(body.get("outputs"), new TypeReference<Map<String, String>>() { }))
                .isEqualTo(request.outputs());
        assertThat(marker).doesNotExist();
    }

    /** The variables a request must set: one per name whose suffix no other name shares (see CommandProvisioner). */
    static Map<String, String> expectVariables(String prefix, Map<String, String> values) {
        Map<String, List<String>> byVariable = new HashMap<>();
        values.keySet().forEach(name -> byVariable.computeIfAbsent(prefix + CommandProvisioner.variableSuffix(name),
                v -> new ArrayList<>()).add(name));
        Map<String, String> expected = new HashMap<>();
        byVariable.forEach((variable, names) -> {
            if (names.size() == 1) {
                expected.put(variable, values.get(names.get(0)));
            }
        });
        return expected;
    }

    /** {@code env -0} output: NUL-separated NAME=VALUE entries, decoded as UTF-8. */
    static Map<String, String> environment(byte[] bytes) {
        Map<String, String> env = new HashMap<>();
        for (String entry : new String(bytes, UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }
}
