package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process, as a shell runs it: what a command writes reaches stdout before the JVM exits, also what it
 * {@code print}s without a line end (the PrintWriters auto-flush on {@code println} only). The in-process tests
 * ({@link CliRun}) read a StringWriter and cannot see this. The service is a stand-in answering a dry run.
 */
class CliProcessOutputTest {

    static final String DRY_RUN = """
            {"dryRun": true, "changes": [{"action": "change", "target": "python-dev/small", "field": "prebuilds.instances",
             "from": "3", "to": "4"}], "templates": 1, "versionsCreated": 0, "presetsCreated": 0, "presetsUpdated": 1}""";

    @TempDir
    Path dir;
    HttpServer server;

    @BeforeEach
    void standIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/presets", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = DRY_RUN.getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theDryRunsDiff_reachesStdout_ofTheProcess() throws Exception {
        Path presets = Files.writeString(dir.resolve("presets.yaml"), "templates: []\n");
        Path token = Files.writeString(dir.resolve("token"), "stand-in-t0ken");
        Process cli = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.warmpool.bootstrap.Main",
                "presets", "apply", presets.toString(), "--dry-run",
                "--server", "http://127.0.0.1:" + server.getAddress().getPort(), "--token-file", token.toString(),
                "--state-dir", dir.resolve("state").toString()))
                .directory(dir.toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        String out = new String(cli.getInputStream().readAllBytes(), UTF_8);
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).as(Files.readString(dir.resolve("stderr"))).isZero();
        assertThat(out).contains("dry run of " + presets + " (nothing applied)",
                "~ python-dev/small: prebuilds.instances 3 → 4");
    }
}
