package io.warmpool.bootstrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.ApiToken;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every client command shares: where the service is and how to authenticate. */
public final class ClientOptions {

    @Option(names = "--server", paramLabel = "URL", description = "URL of the running service (default: http://127.0.0.1:8080; env WARMPOOL_SERVER)")
    String server;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "where the service keeps its generated API token (default: ./.warmpool; env WARMPOOL_STATE_DIR)")
    String stateDir;

    @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the API token (default: "
            + "WARMPOOL_TOKEN, else the token the service stored in its state directory; env WARMPOOL_TOKEN_FILE)")
    String tokenFile;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "PEM file of the CA certificate(s) to trust for an "
            + "https:// server instead of the system's trust store (env WARMPOOL_CA_CERT)")
    String caCert;

    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (default: ./warmpool.yaml)")
    Path configFile = Path.of("warmpool.yaml");

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    Config config() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        if (server != null) {
            flags.put(Setting.SERVER, server);
        }
        if (stateDir != null) {
            flags.put(Setting.STATE_DIR, stateDir);
        }
        if (tokenFile != null) {
            flags.put(Setting.TOKEN_FILE, tokenFile);
        }
        if (caCert != null) {
            flags.put(Setting.CA_CERT, caCert);
        }
        return Config.load(flags, System.getenv(), configFile);
    }

    ApiClient client() {
        Config config = config();
        return new ApiClient(serverUri(config), token(config), trust(config));
    }

    /** The service's URL, as configured ({@code --server}, {@code WARMPOOL_SERVER}, the file, the default). */
    URI serverUri() {
        return serverUri(config());
    }

    /** Whether {@code --server} was given on the command line (not taken from the environment, a file or the default). */
    boolean serverGiven() {
        return server != null;
    }

    /** A one-time sign-in link of the dashboard and when it expires (an instant, as the service said it). */
    record SignInLink(String url, String expiresAt) {
    }

    /**
     * A new one-time sign-in link of the dashboard: the running service issues the code (an authenticated API call),
     * the link is this client's server URL with it.
     */
    SignInLink dashboardLink() {
        Config config = config();
        URI uri = serverUri(config);
        String token = token(config);
        if (token == null) {
            throw config.problem(Setting.TOKEN, "is needed to ask for a sign-in link: give --token-file or WARMPOOL_TOKEN, or run this "
                    + "where the service's state directory is (--state-dir)");
        }
        JsonNode issued = new ApiClient(uri, token, trust(config)).post(io.warmpool.adapters.http.RestApi.SIGN_IN_CODES,
                "application/json", "");
        String base = uri.toString().replaceAll("/+$", "");
        return new SignInLink(base + issued.path("path").asText(), issued.path("expiresAt").asText(null));
    }

    /** The CA certificates of {@code --ca-cert} as the only ones trusted, or the system's trust store. */
    private static java.util.Optional<javax.net.ssl.SSLContext> trust(Config config) {
        return config.text(Setting.CA_CERT).map(t -> {
            try {
                return ApiClient.trusting(config.path(Setting.CA_CERT));
            } catch (IllegalArgumentException e) {
                throw config.problem(Setting.CA_CERT, e.getMessage());
            }
        });
    }

    private static URI serverUri(Config config) {
        String url = config.string(Setting.SERVER);
        URI uri;
        try {
            uri = URI.create(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw config.problem(Setting.SERVER, "'" + url + "' is not a URL such as http://127.0.0.1:8080");
        }
        return uri;
    }

    private String token(Config config) {
        Optional<String> given = config.secret(Setting.TOKEN);
        if (command != null) {
            // With --output json stderr stays JSON: a warning is an object of its own, before any error object.
            boolean json = OutputOption.json(command);
            config.warnings().forEach(w -> command.commandLine().getErr().println(
                    json ? Problems.line(Problems.warning(w)) : "warning: " + w));
        }
        return given.orElseGet(() -> {
            try {
                return ApiToken.read(config.path(Setting.STATE_DIR)).orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
    }
}
