package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client commands take the API token from {@code --token-file} (SPEC §7: no secret on the command line), and say
 * so on stderr when that file is readable by other users. A stand-in server records the Authorization header.
 */
class ClientTokenFileTest {

    static final String TOKEN = "client-file-t0ken-0123456789";

    @TempDir
    Path dir;

    HttpServer server;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void server() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"paused\": false}".getBytes(StandardCharsets.UTF_8);
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

    String[] args(String command, Path tokenFile) {
        return new String[] {command, "--server", "http://127.0.0.1:" + server.getAddress().getPort(),
                "--state-dir", dir.resolve("no-state").toString(), "--token-file", tokenFile.toString()};
    }

    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {String.valueOf(exit), out.toString(), err.toString()};
    }

    @Test
    void givenATokenFile_theClientSendsItsContent_withoutTheNewline_andWarnsOfNothing() throws IOException {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        String[] result = run(args("pause", file));

        assertThat(result[0]).as(result[2]).isEqualTo("0");
        assertThat(authorizations).containsExactly("Bearer " + TOKEN);
        assertThat(result[2]).isEmpty();
    }

    @Test
    void givenATokenFileReadableByOthers_itIsUsed_withAWarningThatNamesTheFileOnly() throws IOException {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        String[] result = run(args("pause", file));

        assertThat(result[0]).isEqualTo("0");
        assertThat(authorizations).containsExactly("Bearer " + TOKEN);
        assertThat(result[2]).isEqualTo("warning: --token-file: " + file + " is readable by other users (rw-r--r--); "
                + "chmod 600 it" + System.lineSeparator()).doesNotContain(TOKEN);
    }
}
