package io.warmpool.adapters.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.json.JavalinJackson;
import io.warmpool.adapters.presets.PresetsYaml;
import io.warmpool.adapters.presets.TextInput;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.domain.Names;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.plan.PresetPlan;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.NanoTime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The inbound REST API of SPEC §5 and the operational endpoints {@code /healthz}, {@code /readyz} and
 * {@code /metrics}, on Javalin (Jetty) with Jackson. The routes and JSON shapes are the contract the CLI uses;
 * they are documented in {@code adapters-http/API.md}.
 *
 * <p>Security (SPEC §7): every {@code /api/} request needs {@code Authorization: Bearer <token>}, compared in
 * constant time, or the dashboard's session cookie ({@link DashboardAuth}); a mutating request authenticated by
 * the cookie must also carry {@value DashboardAuth#CSRF_HEADER} and come from the same origin; the server listens on the given host only; request bodies are bounded
 * ({@value #MAX_BODY_BYTES} bytes; a presets upload by {@link TextInput#MAX_PRESETS_BYTES}, and it must be text); error bodies are {@code {"error": …}} with a fitting status and never carry a
 * stack trace or an exception class — unexpected failures are logged here and answered with a generic 500. The
 * token is never logged.
 *
 * <p>Issue 13: on a loopback address a request must name this server in {@code Host} (else 421, every route); a
 * body sent to a JSON route must be {@code application/json} (else 415); slow clients are cut off by the
 * {@link HttpLimits} (header and body deadlines, a connection cap), and an unauthenticated request is answered
 * before its body is read. A client that goes away mid-request is one FINE line.
 *
 * <p>The dashboard ({@code /}, its assets under {@code /assets/}) is served from the classpath
 * ({@code /dashboard/}) with a Content-Security-Policy that allows only this origin; see {@link Dashboard}.
 *
 * <p>Lifecycle: the constructor does no I/O. {@link #start()} binds and serves; {@link #stop()} stops serving
 * and releases the port. A stopped API cannot be started again (create a new one). Owned by bootstrap.
 */
public final class RestApi {

    /** The largest request body accepted; larger ones get 413. */
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    /** {@code limit} of {@code GET /api/v1/workspaces} when none is given. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest {@code limit} of {@code GET /api/v1/workspaces}. */
    public static final int MAX_LIMIT = 1000;
    /** The {@code source} of a presets upload's error places when the request names none. */
    public static final String DEFAULT_SOURCE = "request";

    private static final Logger LOG = Logger.getLogger(RestApi.class.getName());
    private static final int MAX_SOURCE_LENGTH = 200;
    private static final String JSON = "application/json";
    private static final List<String> YAML_TYPES = List.of("application/yaml", "application/x-yaml", "text/yaml",
            "text/x-yaml", "text/plain", JSON);
    private static final String AUTHENTICATED = "warmpool.authenticated";
    /** The route {@code ./warmpool dashboard} calls for a one-time sign-in link. */
    public static final String SIGN_IN_CODES = "/api/v1/dashboard/sign-in-codes";
    private static final byte[] FALLBACK_ERROR = "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);

    /**
     * The use cases the API calls; bootstrap passes the application services.
     */
    public record UseCases(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                           ClaimPrebuildUseCase claim, PauseReconciliationUseCase reconciliation,
                           ReleaseWorkspaceUseCase release, PresetHistoryUseCase history) {

        /** @throws NullPointerException when any use case is missing */
        public UseCases {
            Objects.requireNonNull(inspect, "inspect");
            Objects.requireNonNull(apply, "apply");
            Objects.requireNonNull(operate, "operate");
            Objects.requireNonNull(claim, "claim");
            Objects.requireNonNull(reconciliation, "reconciliation");
            Objects.requireNonNull(release, "release");
            Objects.requireNonNull(history, "history");
        }

        /** Without history (tests and tools): no last pass, and the preset history routes answer 404. */
        public UseCases(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                        ClaimPrebuildUseCase claim, PauseReconciliationUseCase reconciliation,
                        ReleaseWorkspaceUseCase release) {
            this(inspect, apply, operate, claim, reconciliation, release, NO_HISTORY);
        }
    }

    private static final PresetHistoryUseCase NO_HISTORY = new PresetHistoryUseCase() {
        @Override
        public Optional<PresetHistoryPort.PassRecord> lastPass() {
            return Optional.empty();
        }

        @Override
        public PresetActivity activity(PresetRef ref, Duration history) {
            throw new NotFoundException("this server keeps no history");
        }

        @Override
        public List<PresetHistoryPort.PresetBuild> recentBuilds(PresetRef ref, int limit) {
            throw new NotFoundException("this server keeps no history");
        }
    };

    /** {@code limit} of a preset's builds when none is given. */
    public static final int DEFAULT_BUILDS = 20;
    /** {@code hours} of a preset's activity when none is given. */
    public static final int DEFAULT_HISTORY_HOURS = 6;

    private final HttpAddress address;
    private final HttpLimits limits;
    private final List<String> allowedHosts;
    private final SignInCodes signInCodes = new SignInCodes();
    private final Semaphore unauthenticatedDrains;
    private final UseCases useCases;
    private final byte[] tokenDigest;
    private final DashboardAuth dashboardAuth;
    private final ReadinessCheck readiness;
    private final MetricsExposition metrics;
    private final Clock clock;
    private final ObjectMapper mapper;

    private Javalin app;
    private boolean stopped;
    private volatile boolean loopback = true;

    /**
     * @param address   where to listen; port 0 takes a free port (see {@link #port()})
     * @param useCases  the application's use cases
     * @param token     the bearer token every {@code /api/} request must present; not blank
     * @param readiness what {@code /readyz} reports
     * @param metrics   what {@code /metrics} serves
     * @param clock     the service clock: when an {@code invalidate} took effect, and dashboard sessions' expiry
     * @throws IllegalArgumentException when the token is blank
     */
    public RestApi(HttpAddress address, UseCases useCases, String token, ReadinessCheck readiness,
                   MetricsExposition metrics, Clock clock) {
        this(address, HttpLimits.defaults(), List.of(), useCases, token, readiness, metrics, clock);
    }

    /**
     * @param address      where to listen; port 0 takes a free port (see {@link #port()})
     * @param limits       what one client may hold: timeouts, connections, unauthenticated requests waiting
     * @param allowedHosts further names (or {@code name:port}) a request's {@code Host} may give besides the
     *                     listening address (on loopback); on any other address, when not empty, the only ones
     * @param useCases     the application's use cases
     * @param token        the bearer token every {@code /api/} request must present; not blank
     * @param readiness    what {@code /readyz} reports
     * @param metrics      what {@code /metrics} serves
     * @param clock        the service clock: when an {@code invalidate} took effect, dashboard sessions' and sign-in
     *                     codes' expiry
     * @throws IllegalArgumentException when the token is blank or an allowed host is blank
     */
    public RestApi(HttpAddress address, HttpLimits limits, List<String> allowedHosts, UseCases useCases, String token,
                   ReadinessCheck readiness, MetricsExposition metrics, Clock clock) {
        this.address = Objects.requireNonNull(address, "address");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.allowedHosts = allowedHosts.stream().map(h -> {
            if (h.isBlank()) {
                throw new IllegalArgumentException("an allowed host must not be blank");
            }
            return h.trim().toLowerCase(Locale.ROOT);
        }).toList();
        this.unauthenticatedDrains = new Semaphore(limits.maxUnauthenticated());
        this.useCases = Objects.requireNonNull(useCases, "useCases");
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("the API token must not be blank");
        }
        // Only a digest is kept: comparing fixed-length digests keeps the comparison constant-time whatever
        // length the caller sends, and the token itself is not held in a field that could end up in a dump.
        this.tokenDigest = sha256(token);
        this.dashboardAuth = new DashboardAuth(token);
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * Binds to the address and starts serving.
     *
     * @throws IllegalStateException when already started or stopped, or when the address cannot be bound
     */
    public synchronized void start() {
        if (app != null || stopped) {
            throw new IllegalStateException("the REST API was already started or stopped; create a new one");
        }
        loopback = isLoopback(address.host());
        Javalin created = Javalin.create(this::configure);
        try {
            created.start();
        } catch (RuntimeException e) {
            created.stop();
            stopped = true;
            throw new IllegalStateException("cannot listen on " + address + ": " + rootMessage(e), e);
        }
        app = created;
        LOG.info(() -> "REST API listening on " + boundAddress());
    }

    /** Stops serving and releases the port. Idempotent; a no-op when never started. */
    public synchronized void stop() {
        stopped = true;
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    /**
     * The port actually bound (the system's choice when the address asked for port 0).
     *
     * @throws IllegalStateException when not running
     */
    public synchronized int port() {
        if (app == null) {
            throw new IllegalStateException("the REST API is not running");
        }
        return app.port();
    }

    /**
     * The address actually bound: the configured host and the {@link #port() actual port}.
     *
     * @throws IllegalStateException when not running
     */
    public synchronized HttpAddress boundAddress() {
        return new HttpAddress(address.host(), port());
    }

    /**
     * One HTTP route the server serves: a method and Javalin's path pattern.
     *
     * @param method e.g. {@code POST}
     * @param path   e.g. {@code /api/v1/presets/{template}/{preset}/claims}
     */
    public record Route(String method, String path) {
    }

    /**
     * Every HTTP route Javalin has registered (before- and after-handlers left out), read from Javalin's router
     * rather than from a list kept by hand, so that a test covering "every route" covers a new one as soon as it
     * is added.
     *
     * @throws IllegalStateException when not running
     */
    public synchronized List<Route> routes() {
        if (app == null) {
            throw new IllegalStateException("the REST API is not running");
        }
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> new Route(endpoint.method.name(), endpoint.path))
                .toList();
    }

    /**
     * A new one-time sign-in code of the dashboard (what {@code run} prints in its link {@code /?code=…}), valid for
     * {@link SignInCodes#TTL} by the service clock.
     */
    public SignInCodes.Issued newSignInCode() {
        return signInCodes.issue(clock.instant());
    }

    // ---- configuration --------------------------------------------------------------------------------------

    private void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        // The version check compares the jar's age with the wall clock; a server's log is no place for it.
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = address.host();
        config.jetty.port = address.port();
        config.http.maxRequestSize = MAX_BODY_BYTES;
        // Slow and abusive clients (issue 13): a connection cap, an idle timeout, and deadlines for headers and
        // bodies, so that slow connections cannot hold the server's threads or sockets for long.
        config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(limits.idleTimeout().toMillis()));
        config.jetty.addConnector((server, http) -> {
            var connector = new org.eclipse.jetty.server.ServerConnector(server,
                    new org.eclipse.jetty.server.HttpConnectionFactory(http));
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
            server.addBean(new org.eclipse.jetty.server.NetworkConnectionLimit(limits.maxConnections(), server));
            // Javalin puts its servlet context inside a wrapper it finds here.
            server.setHandler(new BodyDeadline(limits.bodyTimeout()));
        });
        config.http.prefer405over404 = true;
        // Jetty rejects some requests before Javalin sees them (a path with %00 or an encoded '/', a malformed
        // request line or header); its own error page is HTML. Answer those as JSON like every other error.
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        config.jsonMapper(new JavalinJackson(mapper, false));
        config.requestLogger.http((ctx, ms) -> LOG.fine(() ->
                ctx.method() + " " + ctx.path() + " " + ctx.statusCode() + " " + Math.round(ms) + " ms"));
        config.router.javaLangErrorHandler((res, error) -> {
            LOG.log(Level.SEVERE, "error while serving a request", error);
            try {
                res.setStatus(500);
                res.setContentType(JSON);
                res.getOutputStream().write(FALLBACK_ERROR);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "could not write the error response", e);
            }
        });

        var routes = config.routes;
        routes.before(this::checkHost);
        routes.before("/api/*", this::authenticate);
        routes.before("/api/*", RestApi::checkContentType);

        Dashboard dashboard = Dashboard.load();
        routes.get("/", ctx -> dashboard.index(ctx, dashboardAuth, signInCodes, clock.instant()));
        routes.get("/assets/{file}", dashboard::asset);

        routes.get("/healthz", this::healthz);
        routes.get("/readyz", this::readyz);
        routes.get("/metrics", this::metrics);

        routes.get("/api/v1/status", ctx -> {
            StatusReport status = useCases.inspect().status();
            json(ctx, 200, ApiJson.status(status, useCases.history().lastPass()));
        });
        routes.get("/api/v1/plan", ctx -> json(ctx, 200, ApiJson.plan(useCases.inspect().plan())));
        routes.get("/api/v1/presets", ctx -> json(ctx, 200,
                useCases.inspect().status().presets().stream().map(ApiJson::preset).toList()));
        routes.post("/api/v1/presets", this::applyPresets);
        routes.get("/api/v1/presets/{template}/{preset}", this::onePreset);
        routes.post("/api/v1/presets/{template}/{preset}/resume", this::resumePreset);
        routes.post("/api/v1/presets/{template}/{preset}/invalidate", this::invalidatePreset);
        routes.post("/api/v1/presets/{template}/{preset}/claims", this::claim);
        routes.get("/api/v1/presets/{template}/{preset}/activity", this::activity);
        routes.get("/api/v1/presets/{template}/{preset}/builds", this::presetBuilds);

        routes.get("/api/v1/reconciliation", ctx -> json(ctx, 200,
                new ApiJson.PausedView(useCases.reconciliation().isPaused())));
        routes.post("/api/v1/reconciliation/pause", ctx -> {
            useCases.reconciliation().pause();
            json(ctx, 200, new ApiJson.PausedView(true));
        });
        routes.post("/api/v1/reconciliation/resume", ctx -> {
            useCases.reconciliation().resume();
            json(ctx, 200, new ApiJson.PausedView(false));
        });

        routes.post(SIGN_IN_CODES, ctx -> {
            SignInCodes.Issued issued = signInCodes.issue(clock.instant());
            String host = Optional.ofNullable(ctx.header("Host")).orElse(boundAddress().toString());
            String path = "/?code=" + issued.code();
            json(ctx, 201, new ApiJson.SignInCodeView("http://" + host + path, path, issued.expiresAt()));
        });

        routes.get("/api/v1/workspaces", this::workspaces);
        routes.get("/api/v1/workspaces/{id}", ctx -> json(ctx, 200,
                ApiJson.workspace(useCases.inspect().workspace(workspaceId(ctx)))));
        routes.get("/api/v1/workspaces/{id}/builds", ctx -> json(ctx, 200,
                useCases.inspect().builds(workspaceId(ctx)).stream().map(ApiJson::build).toList()));
        routes.delete("/api/v1/workspaces/{id}", ctx -> {
            WorkspaceId id = workspaceId(ctx);
            useCases.release().release(id);
            json(ctx, 202, new ApiJson.ReleasedView(id.text()));
        });

        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), describe(e, ctx)));
        routes.exception(TextInput.RefusedException.class, this::refused);
        routes.exception(InvalidDefinitionException.class, (e, ctx) -> {
            finishUnreadBody(ctx);
            json(ctx, 400, ApiJson.invalid("invalid presets", e.errors()));
        });
        routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        routes.exception(NotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(ConflictException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
        routes.exception(StoreUnavailableException.class, (e, ctx) -> {
            // An outage fails every request: one line each at WARNING, the driver's cause (whose text we do not
            // control) only at FINE.
            LOG.warning(() -> "store unavailable during " + ctx.method() + " " + ctx.path() + ": " + e.getMessage());
            LOG.log(Level.FINE, "store unavailable: cause", e.getCause());
            // The port promises this message carries no SQL or secrets (StoreUnavailableException's contract).
            error(ctx, 503, e.getMessage());
        });
        routes.exception(Exception.class, (e, ctx) -> {
            if (hasCause(e, BodyDeadline.Expired.class)) {
                String message = "request body not received within " + BodyDeadline.describe(limits.bodyTimeout());
                LOG.fine(() -> ctx.method() + " " + ctx.path() + ": " + message + "; connection closed");
                ctx.header("Connection", "close");
                json(ctx, 408, new ApiJson.ErrorView(message));
                return;
            }
            if (isClientAbort(e)) {
                // The client went away mid-request: nothing to answer and nothing wrong here. One line, at FINE.
                LOG.fine(() -> "client aborted " + ctx.method() + " " + ctx.path() + ": " + rootMessage(e));
                ctx.header("Connection", "close");
                json(ctx, 400, new ApiJson.ErrorView("request body incomplete: the client closed the connection"));
                return;
            }
            LOG.log(Level.SEVERE, "unexpected failure during " + ctx.method() + " " + ctx.path(), e);
            error(ctx, 500, "internal error; see the service log");
        });
    }

    // ---- handlers -------------------------------------------------------------------------------------------

    /**
     * No DNS rebinding: on a loopback address, a request must name this server in its {@code Host} — the listening
     * address as {@code 127.0.0.1:port}, {@code localhost:port} or {@code [::1]:port}, or one of the allowed hosts
     * — or it is answered {@code 421} on every route. A page of another site whose name was made to resolve to
     * 127.0.0.1 sends its own name. On any other address only the allowed hosts are checked, when given. A request
     * without {@code Host} (HTTP/1.0) is let through: a browser always sends one.
     */
    private void checkHost(Context ctx) {
        if (!loopback && allowedHosts.isEmpty()) {
            return;
        }
        String host = ctx.header("Host");
        if (host == null || hostAllowed(host.trim().toLowerCase(Locale.ROOT), ctx.req().getLocalPort())) {
            return;
        }
        throw new HttpResponseException(421, "misdirected request: Host " + abbreviate(host) + " is not this server's "
                + "address" + (loopback ? " (" + address.host() + ":" + ctx.req().getLocalPort() + ", localhost)" : "")
                + "; add it to --allowed-hosts if it is a name of this server");
    }

    private boolean hostAllowed(String host, int port) {
        if (loopback) {
            String suffix = ":" + port;
            for (String name : List.of(address.host().toLowerCase(Locale.ROOT), "127.0.0.1", "localhost", "[::1]")) {
                String bracketed = name.contains(":") && !name.startsWith("[") ? "[" + name + "]" : name;
                if (host.equals(bracketed + suffix) || (port == 80 && host.equals(bracketed))) {
                    return true;
                }
            }
        }
        return allowedHosts.stream().anyMatch(allowed -> allowedHostMatches(allowed, host));
    }

    /** {@code name} allows that name on any port, {@code name:port} only that port. */
    static boolean allowedHostMatches(String allowed, String host) {
        if (allowed.equals(host)) {
            return true;
        }
        if (!host.startsWith(allowed + ":") || hasPort(allowed)) {
            return false;
        }
        String port = host.substring(allowed.length() + 1);
        return !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean hasPort(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > authority.lastIndexOf(']') && (authority.startsWith("[") || authority.indexOf(':') == colon);
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * JSON routes take {@code application/json} (a {@code charset} parameter allowed), the presets upload YAML
     * (or JSON, which is YAML); else {@code 415}. A POST without a body (pause, resume, invalidate, sign-in codes)
     * needs no type; a claim always has one.
     */
    private static void checkContentType(Context ctx) {
        String method = ctx.method().name();
        if (!(method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
            return;
        }
        boolean presets = ctx.path().equals("/api/v1/presets");
        boolean hasBody = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        if (!hasBody && !ctx.path().endsWith("/claims")) {
            return;
        }
        String type = Optional.ofNullable(ctx.header("Content-Type")).orElse("");
        String mediaType = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        List<String> accepted = presets ? YAML_TYPES : List.of(JSON);
        if (!accepted.contains(mediaType)) {
            throw new HttpResponseException(415, "unsupported Content-Type " + (type.isBlank() ? "(none)" : "'"
                    + abbreviate(type) + "'") + ": send " + (presets ? "Content-Type: application/yaml" : "Content-Type: "
                    + JSON));
        }
    }

    private void authenticate(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        String header = ctx.header("Authorization");
        String cookie = header == null ? ctx.cookie(DashboardAuth.COOKIE) : null;
        if (cookie != null) {
            if (dashboardAuth.validSession(cookie, clock.instant())) {
                ctx.attribute(AUTHENTICATED, true);
                if (mutating(ctx.method().name())) {
                    requireSameOrigin(ctx);
                }
                return;
            }
            throw new UnauthorizedResponse("missing bearer token, and the dashboard session has expired or is not "
                    + "valid: open the sign-in link again");
        }
        String prefix = "bearer ";
        if (header == null || header.length() < prefix.length()
                || !header.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"warmpool\"");
            throw new UnauthorizedResponse("missing bearer token; send the header Authorization: Bearer <token>");
        }
        byte[] presented = sha256(header.substring(prefix.length()).trim());
        if (!MessageDigest.isEqual(presented, tokenDigest)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"warmpool\", error=\"invalid_token\"");
            throw new UnauthorizedResponse("invalid bearer token");
        }
        ctx.attribute(AUTHENTICATED, true);
    }

    private static boolean mutating(String method) {
        return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

    /**
     * A request authenticated by the session cookie changes something: it must carry the header a cross-site
     * form or a simple cross-origin request cannot send, and, where the browser says where it comes from, come
     * from this origin. SameSite=Strict alone would still let a sibling origin of the same site (another port of
     * this host) through.
     */
    private static void requireSameOrigin(Context ctx) {
        if (!"1".equals(ctx.header(DashboardAuth.CSRF_HEADER))) {
            throw new ForbiddenResponse("cross-site request refused: a request signed in by the dashboard's cookie "
                    + "must send the header " + DashboardAuth.CSRF_HEADER + ": 1");
        }
        String origin = ctx.header("Origin");
        String host = ctx.header("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            throw new ForbiddenResponse("cross-site request refused: Origin " + abbreviate(origin)
                    + " is not this server");
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            throw new ForbiddenResponse("cross-site request refused: Sec-Fetch-Site is " + abbreviate(site));
        }
    }

    private void activity(Context ctx) {
        PresetRef ref = presetRef(ctx);
        int hours = intParam(ctx, "hours", DEFAULT_HISTORY_HOURS, 1, (int) PresetHistoryUseCase.MAX_HISTORY.toHours());
        json(ctx, 200, ApiJson.activity(useCases.history().activity(ref, Duration.ofHours(hours))));
    }

    private void presetBuilds(Context ctx) {
        PresetRef ref = presetRef(ctx);
        int limit = intParam(ctx, "limit", DEFAULT_BUILDS, 1, PresetHistoryUseCase.MAX_BUILDS);
        json(ctx, 200, useCases.history().recentBuilds(ref, limit).stream().map(ApiJson::presetBuild).toList());
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            value = min - 1;
        }
        if (value < min || value > max) {
            throw new BadRequestResponse(name + " must be a whole number between " + min + " and " + max
                    + ", got '" + abbreviate(text) + "'");
        }
        return value;
    }

    private void healthz(Context ctx) {
        // A failing liveness check must not get the service restarted: only a definite "not live" does.
        ReadinessCheck.Result result = probe("liveness", readiness::live, ReadinessCheck.Result.ready("ok"));
        if (result.ready()) {
            json(ctx, 200, new ApiJson.HealthView("ok"));
        } else {
            json(ctx, 503, new ApiJson.ReadyView(false, result.detail()));
        }
    }

    /** One probe's answer; a probe that throws is logged and answered with {@code onFailure}. */
    private static ReadinessCheck.Result probe(String what, java.util.function.Supplier<ReadinessCheck.Result> check,
                                               ReadinessCheck.Result onFailure) {
        try {
            return Objects.requireNonNull(check.get(), what + " result");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, what + " check failed", e);
            return onFailure;
        }
    }

    private void readyz(Context ctx) {
        ReadinessCheck.Result result = probe("readiness", readiness::check,
                ReadinessCheck.Result.notReady("readiness check failed; see the service log"));
        json(ctx, result.ready() ? 200 : 503, new ApiJson.ReadyView(result.ready(), result.detail()));
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.writeTo(out);
        ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
    }

    private void applyPresets(Context ctx) {
        String source = Optional.ofNullable(ctx.queryParam("source")).orElse(DEFAULT_SOURCE);
        if (source.isBlank() || source.length() > MAX_SOURCE_LENGTH || source.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequestResponse("source must be 1 to " + MAX_SOURCE_LENGTH + " printable characters");
        }
        PresetsInput input = PresetsYaml.parse(presetsText(ctx, source), source);
        json(ctx, 200, ApiJson.applied(useCases.apply().apply(input)));
    }

    /**
     * The body of a presets upload, bounded by {@link TextInput#MAX_PRESETS_BYTES} (not the smaller limit of the
     * other routes: a presets file the CLI accepts must be accepted here too). A declared length above the limit is
     * refused before a byte is read; a body without one is read to the limit + 1 at most.
     */
    private static String presetsText(Context ctx, String source) {
        String name = DEFAULT_SOURCE.equals(source) ? "the request body" : source;
        if (ctx.req().getContentLengthLong() > TextInput.MAX_PRESETS_BYTES) {
            throw TextInput.tooLarge(name, TextInput.MAX_PRESETS_BYTES);
        }
        try {
            return TextInput.read(ctx.req().getInputStream(), TextInput.MAX_PRESETS_BYTES, name);
        } catch (IOException e) {
            if (hasCause(e, BodyDeadline.Expired.class) || isClientAbort(e)) {
                throw new java.io.UncheckedIOException(e); // 408, or one FINE line: see the Exception handler
            }
            throw new BadRequestResponse("unreadable request body");
        }
    }

    /** A refused presets upload: 413 or 400, with the one error naming its place like every other rejection. */
    private void refused(TextInput.RefusedException e, Context ctx) {
        boolean tooLarge = e.reason() == TextInput.RefusedException.Reason.TOO_LARGE;
        if (tooLarge) {
            // The rest of the body is not read: say that the connection ends with this answer.
            ctx.header("Connection", "close");
        } else {
            finishUnreadBody(ctx);
        }
        String source = Optional.ofNullable(ctx.queryParam("source")).orElse(DEFAULT_SOURCE);
        json(ctx, tooLarge ? 413 : 400, new ApiJson.InvalidView(e.getMessage(),
                List.of(new ApiJson.ErrorItem(source, "file", e.problem()))));
    }

    private void onePreset(Context ctx) {
        PresetRef ref = presetRef(ctx);
        List<PresetPlan> versions = useCases.inspect().status().presets().stream()
                .filter(p -> p.id().template().equals(ref.template()) && p.id().preset().equals(ref.preset()))
                .toList();
        Optional<PresetPlan> chosen = versions.stream().filter(p -> p.state().active()).findFirst()
                .or(() -> versions.size() == 1 ? Optional.of(versions.get(0)) : Optional.empty());
        if (chosen.isEmpty()) {
            throw new NotFoundException(versions.isEmpty()
                    ? "preset " + ref + " does not exist"
                    : "preset " + ref + " has no active version (versions " + versions.stream()
                            .map(p -> p.id().version()).toList() + "); GET /api/v1/presets lists each of them");
        }
        json(ctx, 200, ApiJson.preset(chosen.get()));
    }

    private void resumePreset(Context ctx) {
        PresetRef ref = presetRef(ctx);
        json(ctx, 200, ApiJson.resumed(ref.toString(), useCases.operate().resume(ref)));
    }

    private void invalidatePreset(Context ctx) {
        PresetRef ref = presetRef(ctx);
        PresetId id = useCases.operate().invalidate(ref);
        // The use case does not return the instant it stored; the service clock read right after the call is
        // when the invalidation is certainly in effect (at most a few milliseconds after the stored instant).
        json(ctx, 200, new ApiJson.InvalidatedView(id.ref().toString(), id.version(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS)));
    }

    private void claim(Context ctx) {
        PresetRef ref = presetRef(ctx);
        JsonNode body = jsonObject(ctx, "{\"owner\":\"alice\",\"name\":\"my-workspace\"}");
        rejectUnknownFields(body, List.of("owner", "name"));
        String owner = optionalText(body, "owner");
        String name = optionalText(body, "name");
        ClaimPrebuildUseCase.Attempt attempt = useCases.claim().claim(new ClaimCommand(ref, owner, Optional.ofNullable(name)));
        if (attempt instanceof ClaimPrebuildUseCase.Claimed claimed) {
            json(ctx, 201, ApiJson.claimed(claimed.workspace()));
        } else {
            error(ctx, 409, "no prebuilt workspace available for " + ref);
        }
    }

    private void workspaces(Context ctx) {
        String presetText = ctx.queryParam("preset");
        PresetRef preset = presetText == null ? null : PresetRef.parse(presetText);
        String owner = ctx.queryParam("owner");
        if (owner != null) {
            Names.requireValid("owner", owner);
        }
        String limitText = ctx.queryParam("limit");
        int limit = DEFAULT_LIMIT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new BadRequestResponse("limit must be a whole number between 1 and " + MAX_LIMIT
                        + ", got '" + abbreviate(limitText) + "'");
            }
        }
        json(ctx, 200, useCases.inspect().workspaces(preset, owner, limit).stream().map(ApiJson::workspace).toList());
    }

    // ---- request parsing ------------------------------------------------------------------------------------

    private static PresetRef presetRef(Context ctx) {
        return PresetRef.parse(ctx.pathParam("template") + "/" + ctx.pathParam("preset"));
    }

    private static WorkspaceId workspaceId(Context ctx) {
        return WorkspaceId.parse(ctx.pathParam("id"));
    }

    private JsonNode jsonObject(Context ctx, String example) {
        byte[] bytes = ctx.bodyAsBytes();
        JsonNode node;
        try {
            node = bytes.length == 0 ? null : mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new BadRequestResponse("malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestResponse("unreadable request body");
        }
        if (node == null || !node.isObject()) {
            throw new BadRequestResponse("the request body must be a JSON object such as " + example);
        }
        return node;
    }

    private static void rejectUnknownFields(JsonNode body, List<String> known) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!known.contains(field)) {
                throw new BadRequestResponse("unknown field '" + abbreviate(field) + "'; expected " + String.join(", ", known));
            }
        }
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequestResponse(field + " must be a JSON string");
        }
        return value.textValue();
    }

    // ---- responses ------------------------------------------------------------------------------------------

    private void json(Context ctx, int status, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.log(Level.SEVERE, "could not write a JSON response", e);
            status = 500;
            bytes = FALLBACK_ERROR;
        }
        ctx.status(status).contentType(JSON).result(bytes);
    }

    private void error(Context ctx, int status, String message) {
        finishUnreadBody(ctx);
        json(ctx, status, new ApiJson.ErrorView(message == null || message.isBlank()
                ? HttpStatus.forStatus(status).getMessage().toLowerCase(Locale.ROOT) : message));
    }

    /**
     * Before an error response: reads and drops what is left of the request's body. A rejection before the
     * handler read the body (401, 403, 404, 405, 415, 421, a bad preset name in the path) would otherwise leave it
     * unread, and Jetty then closes the connection once the response is sent, without saying so: a client still
     * sending its body gets "broken pipe" instead of the answer, and a client that keeps connections alive sends its
     * next request into a closed socket. A body already read costs one read that finds its end.
     *
     * <p>The body is read without blocking a thread beyond a deadline: {@link HttpLimits#bodyTimeout()} for an
     * authenticated request, {@link HttpLimits#UNAUTHENTICATED_DRAIN} for one that is not, and of those at most
     * {@link HttpLimits#maxUnauthenticated()} at once. A body larger than {@link #MAX_BODY_BYTES} is not read
     * (413), nor one that does not arrive in time or beyond the cap: the response then says
     * {@code Connection: close}, and the slow client is disconnected once it is sent.
     */
    private void finishUnreadBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared == 0 || (declared < 0 && ctx.header("Transfer-Encoding") == null)) {
            return;
        }
        if (declared > MAX_BODY_BYTES) {
            ctx.header("Connection", "close");
            return;
        }
        boolean authenticated = Boolean.TRUE.equals(ctx.attribute(AUTHENTICATED));
        if (!authenticated && !unauthenticatedDrains.tryAcquire()) {
            ctx.header("Connection", "close");
            return;
        }
        try {
            if (!drain(ctx, authenticated ? limits.bodyTimeout() : HttpLimits.UNAUTHENTICATED_DRAIN)) {
                ctx.header("Connection", "close");
            }
        } finally {
            if (!authenticated) {
                unauthenticatedDrains.release();
            }
        }
    }

    /** Reads and drops the rest of the body within {@code wait}; whether all of it (≤ 1 MiB) was read. */
    private static boolean drain(Context ctx, Duration wait) {
        org.eclipse.jetty.server.Request request =
                org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return false;
        }
        long deadline = NanoTime.now() + wait.toNanos();
        long left = MAX_BODY_BYTES;
        try {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    long remaining = deadline - NanoTime.now();
                    if (remaining <= 0) {
                        return false;
                    }
                    CountDownLatch available = new CountDownLatch(1);
                    request.demand(available::countDown);
                    if (!available.await(remaining, TimeUnit.NANOSECONDS)) {
                        return false;
                    }
                    continue;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    return false;
                }
                left -= chunk.remaining();
                boolean last = chunk.isLast();
                chunk.release();
                if (left < 0) {
                    return false;
                }
                if (last) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.log(Level.FINEST, "the rest of a request body could not be read", e);
            return false;
        }
    }

    /** Whether {@code e} says the client went away mid-request (closed or reset its connection, ended early). */
    static boolean isClientAbort(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.jetty.io.EofException || t instanceof java.io.EOFException
                    || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof IOException && (message.contains("broken pipe") || message.contains("connection reset")
                    || message.contains("early eof"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Our own wording for what Javalin itself rejects, so every error reads alike. */
    private static String describe(HttpResponseException e, Context ctx) {
        String route = ctx.method() + " " + abbreviate(ctx.path());
        return switch (e.getStatus()) {
            case 404 -> "no such route: " + route;
            case 405 -> "method not allowed: " + route;
            case 413 -> "request body larger than " + MAX_BODY_BYTES + " bytes";
            default -> e.getMessage();
        };
    }

    /**
     * Jetty's error handler for what Jetty itself rejects: {@code {"error": …}} with the status Jetty chose, never
     * HTML and never a stack trace. Jetty's reason is used when it is a short printable text (its reasons are
     * fixed phrases such as "Ambiguous URI path encoding"); the request's own text is never echoed.
     */
    static final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                              org.eclipse.jetty.util.Callback callback) {
            int status = response.getStatus() < 400 ? 500 : response.getStatus();
            response.setStatus(status);
            response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, JSON);
            response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CACHE_CONTROL, "no-store");
            // Jetty drops the connection after a request it rejects this early, without saying so; a client that
            // reuses it would see its next request fail with no answer at all. Say so.
            response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close");
            Object reason = request.getAttribute(ERROR_MESSAGE);
            response.write(true, ByteBuffer.wrap(body(status, reason == null ? null : reason.toString())), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
            fields.put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, JSON);
            fields.put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close");
            return ByteBuffer.wrap(body(status, reason));
        }

        static byte[] body(int status, String reason) {
            String what = reason != null && reason.length() <= 120 && reason.chars().allMatch(c -> c >= 0x20 && c < 0x7f)
                    ? reason : HttpStatus.forStatus(status).getMessage();
            String message = "request rejected before routing: " + what.toLowerCase(Locale.ROOT);
            try {
                return new ObjectMapper().writeValueAsBytes(new ApiJson.ErrorView(message));
            } catch (JsonProcessingException e) {
                return FALLBACK_ERROR;
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
