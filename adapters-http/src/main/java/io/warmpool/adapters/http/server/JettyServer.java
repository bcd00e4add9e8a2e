package io.warmpool.adapters.http.server;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson;
import io.warmpool.adapters.http.HttpAddress;
import io.warmpool.adapters.http.HttpLimits;
import io.warmpool.adapters.http.TlsFiles;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.RequestContext;
import io.warmpool.adapters.http.web.Requests;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server (Javalin on Jetty) and its lifecycle: it listens on the given host only, bounds request bodies
 * ({@link Requests#MAX_BODY_BYTES}), and cuts slow and abusive clients off by the {@link HttpLimits} (issue 13:
 * header and body deadlines, an idle timeout, a connection cap). What it serves is added by {@link #start}'s caller.
 *
 * <p>With {@link TlsFiles} it serves HTTPS only (TLS 1.2 and 1.3), with {@code Strict-Transport-Security} on every
 * response, and reloads the certificate when its files change or on {@link #reloadTls()} (see TlsCertificates).
 *
 * <p>The constructor does no I/O. {@link #start} binds and serves; {@link #stop()} stops serving and releases the
 * port. A stopped server cannot be started again (create a new one).
 */
public final class JettyServer {

    private static final Logger LOG = LoggerFactory.getLogger(JettyServer.class);

    /** {@code Strict-Transport-Security: max-age} under TLS: a year, the common choice (no subdomains, no preload). */
    public static final long HSTS_MAX_AGE_SECONDS = 31_536_000;

    private final HttpAddress address;
    private final HttpLimits limits;
    private final Optional<TlsFiles> tlsFiles;
    private TlsCertificates tls;
    private Javalin app;
    private boolean stopped;

    /** Plain HTTP. */
    public JettyServer(HttpAddress address, HttpLimits limits) {
        this(address, limits, Optional.empty());
    }

    /** HTTPS when {@code tls} is present, else plain HTTP. */
    public JettyServer(HttpAddress address, HttpLimits limits, Optional<TlsFiles> tls) {
        this.address = Objects.requireNonNull(address, "address");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.tlsFiles = Objects.requireNonNull(tls, "tls");
    }

    /** Whether it serves HTTPS. */
    public boolean secure() {
        return tlsFiles.isPresent();
    }

    /**
     * Reads the TLS files again now (as on their change): when they load, new handshakes get the new certificate;
     * else a WARN and the current one stays. A no-op without TLS or when not running.
     *
     * @return whether a new certificate was loaded
     */
    public synchronized boolean reloadTls() {
        return tls != null && tls.reload();
    }

    /**
     * Binds to the address and serves what {@code setup} adds to the server's configuration (routes, handlers).
     *
     * @throws IllegalStateException when already started or stopped, or when the address cannot be bound
     */
    public synchronized void start(Consumer<JavalinConfig> setup) {
        if (app != null || stopped) {
            throw new IllegalStateException("the REST API was already started or stopped; create a new one");
        }
        if (tlsFiles.isPresent()) {
            try {
                tls = new TlsCertificates(tlsFiles.get());
            } catch (IllegalArgumentException e) {
                stopped = true;
                throw new IllegalStateException("cannot serve TLS: " + e.getMessage(), e);
            }
        }
        Javalin created = Javalin.create(config -> {
            configure(config);
            setup.accept(config);
        });
        try {
            created.start();
        } catch (RuntimeException e) {
            created.stop();
            stopped = true;
            throw new IllegalStateException("cannot listen on " + address + ": " + Failures.rootMessage(e), e);
        }
        app = created;
        if (tls != null) {
            tls.start();
        }
        LOG.debug("REST API listening on {}", boundAddress()); // bootstrap says it at INFO, with the scheme
    }

    /** Stops serving and releases the port. Idempotent; a no-op when never started. */
    public synchronized void stop() {
        stopped = true;
        if (tls != null) {
            tls.stop();
        }
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    /** @throws IllegalStateException when not running */
    public synchronized HttpAddress boundAddress() {
        return new HttpAddress(address.host(), running().port());
    }

    /**
     * Every HTTP route Javalin has registered (before- and after-handlers left out), read from Javalin's router
     * rather than from a list kept by hand, as {@code route.apply(method, path)}.
     *
     * @throws IllegalStateException when not running
     */
    public synchronized <R> List<R> routes(BiFunction<String, String, R> route) {
        return running().unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> route.apply(endpoint.method.name(), endpoint.path))
                .toList();
    }

    private Javalin running() {
        if (app == null) {
            throw new IllegalStateException("the REST API is not running");
        }
        return app;
    }

    /** The HTTP configuration under TLS: requests are secure, and every response says so for a year (HSTS). */
    private static HttpConfiguration https(HttpConfiguration http) {
        HttpConfiguration https = new HttpConfiguration(http);
        // No SNI host check: the Host check (HostCheck) decides which names are served, as without TLS.
        https.addCustomizer(new SecureRequestCustomizer(false, false, HSTS_MAX_AGE_SECONDS, false));
        return https;
    }

    private void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        // The version check compares the jar's age with the wall clock; a server's log is no place for it.
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = address.host();
        config.jetty.port = address.port();
        config.http.maxRequestSize = Requests.MAX_BODY_BYTES;
        config.http.prefer405over404 = true;
        // Slow and abusive clients (issue 13): a connection cap, an idle timeout, and deadlines for headers and
        // bodies, so that slow connections cannot hold the server's threads or sockets for long.
        config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(limits.idleTimeout().toMillis()));
        config.jetty.addConnector((server, http) -> {
            var connector = tls == null ? new ServerConnector(server, new HttpConnectionFactory(http))
                    : new ServerConnector(server, new SslConnectionFactory(tls.factory(), "http/1.1"),
                            new HttpConnectionFactory(https(http)));
            connector.setHost(address.host());
            connector.setPort(address.port());
            connector.setIdleTimeout(limits.idleTimeout().toMillis());
            // The kernel's queue of connections not yet accepted (Jetty's default leaves it to the JDK's 50): under a
            // burst of reconnecting clients a short queue drops SYNs, and an honest client waits a second to retry.
            connector.setAcceptQueueSize(1024);
            connector.addBean(new HeaderDeadline(limits.headerTimeout()));
            return connector;
        });
        config.jetty.modifyServer(server -> {
            server.addBean(new NetworkConnectionLimit(limits.maxConnections(), server));
            // Javalin puts its servlet context inside a wrapper it finds here.
            server.setHandler(new BodyDeadline(limits.bodyTimeout()));
        });
        config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
        // Runs last, after the after-handlers and the error mapping: the request's MDC ends here (RequestContext).
        config.requestLogger.http((ctx, ms) -> {
            LOG.atDebug().log(() -> ctx.method() + " " + ctx.path() + " " + ctx.statusCode() + " " + Math.round(ms) + " ms");
            RequestContext.close();
        });
    }
}
