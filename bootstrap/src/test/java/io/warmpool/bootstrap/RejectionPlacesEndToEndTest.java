package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rejection of a presets file names its place (SPEC §7), on the real service: in the REST API's JSON
 * ({@code errors[].source}, never empty) and in the CLI's error output, for each kind of rejection — not text, too
 * large, not YAML, the wrong shape, a rule broken, and a parameter change on a stored version (found by the
 * database adapter, long after the file was parsed; that it is found again each time shows the stored
 * parameters unchanged) — and the stored presets stay as they were.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RejectionPlacesEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 1}
            """;

    @TempDir
    static Path dir;

    static InProcessService running;

    @BeforeAll
    static void start() throws Exception {
        running = InProcessService.start(dir, PRESETS, "create_latency: 10ms\ndelete_latency: 10ms\n",
                Map.of(Setting.RECONCILE_INTERVAL, "1h", Setting.SEED, "7"));
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    static HttpResponse<String> upload(String source, byte[] body) throws Exception {
        if (body.length > io.warmpool.adapters.http.RestApi.MAX_BODY_BYTES) {
            // Ask first (Expect: 100-continue), as curl does: a 413 answered while 16 MiB are still on their way can
            // otherwise reach the client as a reset connection ("header parser received no bytes").
            return io.warmpool.adapters.http.ExpectContinue.send(URI.create(running.server()), "POST",
                    "/api/v1/presets?source=" + source, body, "Authorization", "Bearer " + running.token(),
                    "Content-Type", "application/yaml");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(running.server() + "/api/v1/presets?source=" + source))
                .header("Authorization", "Bearer " + running.token())
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of("changed parameters", 400, "changed.yaml:5", PRESETS.replace("cpu: \"2\"", "cpu: \"4\"").getBytes()),
                Arguments.of("a broken rule", 400, "rule.yaml:5", PRESETS.replace("name: small", "name: Small").getBytes()),
                Arguments.of("the wrong shape", 400, "shape.yaml:7", PRESETS.replace("instances: 1", "instances: lots").getBytes()),
                Arguments.of("not YAML", 400, "syntax.yaml:3", "templates:\n  - name: [\n".getBytes()),
                Arguments.of("no templates", 400, "empty.yaml:1", "# nothing\n".getBytes()),
                Arguments.of("not text", 400, "binary.yaml", new byte[] {'t', ':', (byte) 0xFF}),
                Arguments.of("too large", 413, "large.yaml", new byte[16 * 1024 * 1024 + 1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void everyRejectionOverTheApi_namesItsPlace_andChangesNothing(String kind, int status, String place, byte[] body)
            throws Exception {
        String source = place.replaceAll(":\\d+$", "");

        HttpResponse<String> response = upload(source, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode errors = JSON.readTree(response.body()).get("errors");
        assertThat(errors).as(response.body()).isNotEmpty();
        errors.forEach(e -> assertThat(e.get("source").asText()).as(response.body()).isNotEmpty());
        assertThat(errors.get(0).get("source").asText()).isEqualTo(place);
        assertThat(storedPresets()).isEqualTo("python-dev/small@v1");
    }

    @Test
    void aParameterChangeRejectedByTheStore_namesTheFileAndLineInTheCli() throws Exception {
        Path changed = Files.writeString(dir.resolve("changed.yaml"), PRESETS.replace("cpu: \"2\"", "cpu: \"4\""));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new String[] {"presets", "apply", changed.toString(), "--server", running.server(),
                "--state-dir", running.stateDir().toString()}, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(changed + ":5: template python-dev, version v1, preset small, parameters: "
                + "cannot change on an existing version");
    }

    static String storedPresets() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(running.server() + "/api/v1/presets"))
                .header("Authorization", "Bearer " + running.token()).build();
        JsonNode presets = JSON.readTree(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body());
        StringBuilder sb = new StringBuilder();
        presets.forEach(p -> sb.append(sb.length() == 0 ? "" : ", ").append(p.get("preset").asText())
                .append('@').append(p.get("version").asText()));
        return sb.toString();
    }
}
