package io.warmpool.bootstrap.wiring;

import io.warmpool.adapters.http.HttpLimits;
import io.warmpool.adapters.http.TlsFiles;
import io.warmpool.adapters.http.server.PemKeyStore;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.config.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the REST API's HTTP server grants one client (issue 13: slow and abusive clients) and which {@code Host}
 * names it answers besides its listening address (no DNS rebinding).
 *
 * @param limits       timeouts and connection caps
 * @param allowedHosts names (or {@code name:port}) a request's {@code Host} may give besides the loopback address
 * @param tls          the certificate and key to serve HTTPS with ({@code --tls-cert}, {@code --tls-key}), or empty
 */
public record HttpServerSettings(HttpLimits limits, List<String> allowedHosts, Optional<TlsFiles> tls) {

    public HttpServerSettings {
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** Plain HTTP. */
    public HttpServerSettings(HttpLimits limits, List<String> allowedHosts) {
        this(limits, allowedHosts, Optional.empty());
    }

    /** {@code https} under TLS, else {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** Every problem at once, each naming its setting. @throws ConfigException */
    static HttpServerSettings from(Config c) {
        List<String> problems = new ArrayList<>();
        HttpLimits defaults = HttpLimits.defaults();
        Duration idle = get(problems, () -> c.positiveDuration(Setting.HTTP_IDLE_TIMEOUT), defaults.idleTimeout());
        Duration header = get(problems, () -> c.positiveDuration(Setting.HTTP_HEADER_TIMEOUT), defaults.headerTimeout());
        Duration body = get(problems, () -> c.positiveDuration(Setting.HTTP_BODY_TIMEOUT), defaults.bodyTimeout());
        int connections = get(problems, () -> c.integer(Setting.HTTP_MAX_CONNECTIONS, 16, 1_000_000), defaults.maxConnections());
        int unauthenticated = get(problems, () -> c.integer(Setting.HTTP_MAX_UNAUTHENTICATED, 1, 100_000),
                defaults.maxUnauthenticated());
        List<String> hosts = get(problems, () -> allowedHosts(c), List.of());
        Optional<TlsFiles> tls = get(problems, () -> tls(c), Optional.empty());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new HttpServerSettings(new HttpLimits(idle, header, body, connections, unauthenticated), hosts, tls);
    }

    /** Both files or neither; when given, loaded once now so that a bad pair stops the start (exit 2). */
    private static Optional<TlsFiles> tls(Config c) {
        boolean cert = c.text(Setting.TLS_CERT).isPresent();
        boolean key = c.text(Setting.TLS_KEY).isPresent();
        if (!cert && !key) {
            return Optional.empty();
        }
        if (cert != key) {
            Setting missing = cert ? Setting.TLS_KEY : Setting.TLS_CERT;
            throw c.problem(missing, "is required with " + (cert ? Setting.TLS_CERT : Setting.TLS_KEY).flag()
                    + ": TLS needs both the certificate and its private key (PEM files)");
        }
        TlsFiles files = new TlsFiles(c.path(Setting.TLS_CERT), c.path(Setting.TLS_KEY));
        try {
            PemKeyStore.load(files);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(Setting.TLS_CERT.flag() + ", " + Setting.TLS_KEY.flag() + ": " + e.getMessage()));
        }
        c.warnIfReadableByOthers(Setting.TLS_KEY, files.privateKey());
        return Optional.of(files);
    }

    /** A comma-separated list (or, from the file, a YAML list) of host names, each optionally with {@code :port}. */
    private static List<String> allowedHosts(Config c) {
        return c.text(Setting.ALLOWED_HOSTS).map(text -> {
            List<String> hosts = Arrays.stream(text.replaceAll("^\\[|]$", "").split(","))
                    .map(h -> h.trim().replaceAll("^\"|\"$", "").toLowerCase(Locale.ROOT))
                    .filter(h -> !h.isEmpty()).toList();
            for (String host : hosts) {
                if (!host.matches("[a-z0-9._-]+(:[0-9]{1,5})?|\\[[0-9a-f:.]+](:[0-9]{1,5})?")) {
                    throw c.problem(Setting.ALLOWED_HOSTS, "'" + host + "' is not a host name or name:port such as "
                            + "warmpool.example.org or warmpool.example.org:8443");
                }
            }
            return hosts;
        }).orElse(List.of());
    }

    private static <T> T get(List<String> problems, java.util.function.Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return fallback;
        }
    }
}
