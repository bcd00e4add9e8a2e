package io.warmpool.bootstrap;

import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The real service — embedded PostgreSQL under {@code dir/state}, simulated provisioner, workers, reconciler,
 * REST API on a free loopback port — started in this JVM as {@code run} starts it ({@link Composition#service}),
 * for the end-to-end tests that drive it from outside (CLI, REST, a browser).
 */
public final class InProcessService implements AutoCloseable {

    private final WarmpoolService service;
    private final Path stateDir;
    private final String server;
    private final String token;

    private InProcessService(WarmpoolService service, Path stateDir) throws IOException {
        this.service = service;
        this.stateDir = stateDir;
        this.server = service.apiUrl();
        this.token = Files.readString(stateDir.resolve("api-token")).trim();
    }

    /**
     * Writes {@code presets.yaml} and {@code simulated.yaml} into {@code dir} and starts the service with them,
     * its state under {@code dir/state}; {@code settings} adds or overrides flags (intervals, seed, …).
     */
    public static InProcessService start(Path dir, String presetsYaml, String simulatedYaml, Map<Setting, String> settings)
            throws IOException {
        Path presets = Files.writeString(dir.resolve("presets.yaml"), presetsYaml);
        Path simulated = Files.writeString(dir.resolve("simulated.yaml"), simulatedYaml);
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.STATE_DIR, dir.resolve("state").toString());
        flags.put(Setting.HTTP_ADDR, "127.0.0.1:0");
        flags.put(Setting.PRESETS, presets.toString());
        flags.put(Setting.SIMULATED_CONFIG, simulated.toString());
        flags.putAll(settings);
        WarmpoolService service = Composition.service(Config.load(flags, Map.of(), null),
                new PrintStream(new ByteArrayOutputStream()), false);
        service.start();
        return new InProcessService(service, dir.resolve("state"));
    }

    public WarmpoolService service() {
        return service;
    }

    /** {@code http://127.0.0.1:PORT} ({@code https://} under TLS). */
    public String server() {
        return server;
    }

    /** The API token the service generated under its state directory. */
    public String token() {
        return token;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** One request as given (headers as name, value pairs), on a connection of its own. */
    public HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        service.close();
    }
}
