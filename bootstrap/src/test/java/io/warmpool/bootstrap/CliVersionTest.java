package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warmpool version} and {@code --version} (issue 18): the client's build from {@link BuildInfo}, the service's
 * from {@code GET /api/v1/version} — a stand-in service answers what a current, an older (404) or a failing one
 * would — and the errors a script sees: the service's problem passed through, old-style {@code {"error"}} answers
 * typed by their status.
 */
class CliVersionTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    HttpServer server;
    final List<String> paths = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A stand-in service answering every request with {@code status} and {@code body} (as {@code contentType}). */
    String serve(int status, String contentType, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Path token() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "stand-in-t0ken");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A configuration file naming the server, so that it is not given with --server. */
    Path config(String url) throws IOException {
        return Files.writeString(dir.resolve("warmpool.yaml"), "server: " + url + "\n");
    }

    CliRun cli(String... args) throws IOException {
        return CliRun.of(args, "--token-file", token().toString(), "--state-dir", dir.resolve("state").toString());
    }

    @Test
    void theVersionFlag_isThisBuildsVersionAndRevision() {
        CliRun run = CliRun.of(new String[] {"--version"});

        assertThat(run.exit()).isZero();
        assertThat(run.out().strip()).isEqualTo(BuildInfo.current().toString()).startsWith("warmpool ")
                .contains(" (revision ");
        assertThat(CliRun.of(new String[] {"status", "--version"}).out().strip()).isEqualTo(BuildInfo.current().toString());
    }

    @Test
    void aCurrentService_isAskedForItsVersion() throws IOException {
        String url = serve(200, "application/json", "{\"version\": \"9.9.9\", \"revision\": \"abcdef123456\"}");

        CliRun text = cli("version", "--server", url);
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).isEqualTo("client: " + BuildInfo.current() + "\n"
                + "server: warmpool 9.9.9 (revision abcdef123456) at " + url + "\n");
        assertThat(paths).containsExactly("GET /api/v1/version");

        JsonNode json = JSON.readTree(cli("version", "--server", url, "--output", "json").out());
        assertThat(json.get("client").get("version").asText()).isEqualTo(BuildInfo.current().version());
        assertThat(json.get("client").get("revision").asText()).isEqualTo(BuildInfo.current().revision());
        assertThat(json.get("server").get("version").asText()).isEqualTo("9.9.9");
        assertThat(json.get("server").get("revision").asText()).isEqualTo("abcdef123456");
        assertThat(json.get("server").get("reachable").asBoolean()).isTrue();
        assertThat(json.get("server").get("detail").isNull()).isTrue();
    }

    @Test
    void aServiceOlderThanTheEndpoint_isUnknown_notAnError() throws IOException {
        String url = serve(404, "application/json", "{\"error\": \"not found\"}");

        CliRun text = cli("version", "--server", url);
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("server: unknown (older than this endpoint) at " + url);

        JsonNode json = JSON.readTree(cli("version", "--server", url, "-o", "json").out());
        assertThat(json.get("server").get("version").isNull()).isTrue();
        assertThat(json.get("server").get("reachable").asBoolean()).isTrue();
        assertThat(json.get("server").get("detail").asText()).isEqualTo("older than this endpoint");
    }

    @Test
    void anUnreachableServiceNotAskedFor_isReported_andTheExitIs0() throws IOException {
        // The server comes from the configuration file, not --server: the client's version is what was asked.
        CliRun text = cli("version", "--config", config("http://127.0.0.1:9").toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("client: " + BuildInfo.current(), "server: unknown (cannot be reached) at http://127.0.0.1:9");

        JsonNode json = JSON.readTree(cli("version", "--config", config("http://127.0.0.1:9").toString(), "-o", "json").out());
        assertThat(json.get("server").get("reachable").asBoolean()).isFalse();
        assertThat(json.get("server").get("detail").asText()).isEqualTo("cannot be reached");
    }

    @Test
    void aServiceAskedForWithServer_thatFails_isTheCommandsFailure() throws IOException {
        String url = serve(500, "application/json", "{\"error\": \"internal error; see the service log\"}");

        CliRun run = cli("version", "--server", url, "--output", "json");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        JsonNode problem = JSON.readTree(run.err());
        assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:internal");
        assertThat(problem.get("status").asInt()).isEqualTo(500);
        assertThat(problem.get("detail").asText()).isEqualTo("internal error; see the service log");
    }

    @Test
    void clientOnly_asksNoService() throws IOException {
        String url = serve(200, "application/json", "{}");

        JsonNode json = JSON.readTree(cli("version", "--client", "--server", url, "--output", "json").out());

        assertThat(json.get("server").isNull()).isTrue();
        assertThat(json.get("client").get("version").asText()).isEqualTo(BuildInfo.current().version());
        assertThat(paths).isEmpty();
    }

    @Test
    void aProblemAnswer_passesThroughWithEveryField_andA400IsExit2() throws IOException {
        String url = serve(400, "application/problem+json", """
                {"type": "urn:warmpool:problem:invalid-presets", "title": "Invalid presets", "status": 400,
                 "detail": "invalid presets", "error": "invalid presets",
                 "errors": [{"source": "p.yaml:3", "field": "prebuilds.instances", "message": "must be a whole number"}]}
                """);

        CliRun run = cli("presets", "invalidate", "t/p", "--server", url, "--output", "json");

        assertThat(run.exit()).isEqualTo(2);
        JsonNode problem = JSON.readTree(run.err());
        assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:invalid-presets");
        assertThat(problem.get("title").asText()).isEqualTo("Invalid presets");
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").get(0).get("source").asText()).isEqualTo("p.yaml:3");
        assertThat(problem.get("errors").get(0).get("message").asText()).isEqualTo("must be a whole number");
    }

    @Test
    void anOldStyleErrorAnswer_getsTheTypeAndTitleOfItsStatus() throws IOException {
        String url = serve(429, "application/json", "{\"error\": \"too many waiting claims\"}");

        CliRun run = cli("claim", "t/p", "--owner", "a", "--server", url, "--output", "json");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode problem = JSON.readTree(run.err());
        assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:too-many-requests");
        assertThat(problem.get("title").asText()).isEqualTo("Too many requests");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asText()).isEqualTo("too many waiting claims");
        assertThat(problem.get("error").asText()).isEqualTo("too many waiting claims");
    }

    @Test
    void anAnswerThatIsNotJson_isAboutBlank_withItsStatus() throws IOException {
        // Not the API's answer (a proxy's page, say): nothing more is known than its status (RFC 9457 about:blank).
        String url = serve(502, "text/html", "<html>bad gateway</html>");

        CliRun run = cli("status", "--server", url, "--output", "json");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode problem = JSON.readTree(run.err());
        assertThat(problem.get("type").asText()).isEqualTo("about:blank");
        assertThat(problem.get("title").asText()).isEqualTo("HTTP 502");
        assertThat(problem.get("status").asInt()).isEqualTo(502);
        assertThat(problem.get("detail").asText()).isEqualTo("HTTP 502");
    }
}
