package io.warmpool.adapters.http;

import io.javalin.config.JavalinConfig;
import io.warmpool.adapters.http.builds.BuildCallbackRoutes;
import io.warmpool.adapters.http.claims.ClaimRoutes;
import io.warmpool.adapters.http.dashboard.DashboardRoutes;
import io.warmpool.adapters.http.dashboard.SignInCodes;
import io.warmpool.adapters.http.errors.ErrorMapping;
import io.warmpool.adapters.http.errors.UnreadBody;
import io.warmpool.adapters.http.operations.OperationsRoutes;
import io.warmpool.adapters.http.operations.VersionRoute;
import io.warmpool.adapters.http.presets.PresetHistoryRoutes;
import io.warmpool.adapters.http.presets.PresetRoutes;
import io.warmpool.adapters.http.presets.PresetsUpload;
import io.warmpool.adapters.http.reconciliation.ReconciliationRoutes;
import io.warmpool.adapters.http.security.ContentTypes;
import io.warmpool.adapters.http.security.DashboardAuth;
import io.warmpool.adapters.http.security.HostCheck;
import io.warmpool.adapters.http.security.TokenAuth;
import io.warmpool.adapters.http.web.RequestContext;
import io.warmpool.adapters.http.workspaces.AgentReadyRoute;
import io.warmpool.adapters.http.server.JettyServer;
import io.warmpool.adapters.http.web.QueryParameters;
import io.warmpool.adapters.http.web.Requests;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.adapters.http.workspaces.WorkspaceRoutes;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The inbound REST API of SPEC §5 and the operational endpoints, on Javalin (Jetty) with Jackson: the one entry
 * point bootstrap creates. The routes and JSON shapes are the contract the CLI uses, documented in
 * {@code adapters-http/API.md}. This class only puts the parts together (the package's layout is in its
 * {@code package-info}).
 *
 * <p>Lifecycle: the constructor does no I/O. {@link #start()} binds and serves; {@link #stop()} stops serving and
 * releases the port. A stopped API cannot be started again (create a new one). Owned by bootstrap.
 */
public final class RestApi {

    /** The largest request body accepted (a presets upload has {@code TextInput.MAX_PRESETS_BYTES}); else 413. */
    public static final long MAX_BODY_BYTES = Requests.MAX_BODY_BYTES;
    /** The route {@code ./warmpool dashboard} calls for a one-time sign-in link. */
    public static final String SIGN_IN_CODES = DashboardRoutes.SIGN_IN_CODES;

    /** The use cases the API calls; bootstrap passes the application services. */
    public record UseCases(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                           ClaimPrebuildUseCase claim, PauseReconciliationUseCase reconciliation,
                           ReleaseWorkspaceUseCase release, PresetHistoryUseCase history,
                           CompleteBuildUseCase builds, io.warmpool.application.port.in.MarkReadyUseCase ready) {

        /** Without the agent ready route's use case: every ready call is unauthenticated (401). */
        public UseCases(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                        ClaimPrebuildUseCase claim, PauseReconciliationUseCase reconciliation,
                        ReleaseWorkspaceUseCase release, PresetHistoryUseCase history, CompleteBuildUseCase builds) {
            this(inspect, apply, operate, claim, reconciliation, release, history, builds, NO_READY);
        }

        /** @throws NullPointerException when any use case is missing */
        public UseCases {
            Objects.requireNonNull(ready, "ready");
            Objects.requireNonNull(inspect, "inspect");
            Objects.requireNonNull(apply, "apply");
            Objects.requireNonNull(operate, "operate");
            Objects.requireNonNull(claim, "claim");
            Objects.requireNonNull(reconciliation, "reconciliation");
            Objects.requireNonNull(release, "release");
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(builds, "builds");
        }

        /** Without build callbacks: every {@code POST /api/v1/builds/{id}/complete} is rejected (401). */
        public UseCases(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                        ClaimPrebuildUseCase claim, PauseReconciliationUseCase reconciliation,
                        ReleaseWorkspaceUseCase release, PresetHistoryUseCase history) {
            this(inspect, apply, operate, claim, reconciliation, release, history, NO_CALLBACKS, NO_READY);
        }

        /** Without history (tests and tools): no last pass, and the preset history routes answer 404. */
        public UseCases(InspectUseCase inspect, ApplyPresetsUseCase apply, OperatePresetsUseCase operate,
                        ClaimPrebuildUseCase claim, PauseReconciliationUseCase reconciliation,
                        ReleaseWorkspaceUseCase release) {
            this(inspect, apply, operate, claim, reconciliation, release, new NoHistory(), NO_CALLBACKS, NO_READY);
        }
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
     * What {@code GET /api/v1/version} answers: the build's version and git revision (bootstrap's {@code BuildInfo}).
     *
     * @param version  e.g. {@code 0.1.0-SNAPSHOT}
     * @param revision the 12-character git abbreviation, with {@code -dirty} when the tree was modified, or
     *                 {@code unknown}
     */
    public record Version(String version, String revision) {
        /** For tests and tools that have no build information. */
        public static final Version UNKNOWN = new Version("unknown", "unknown");

        public Version {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(revision, "revision");
        }
    }

    private static final io.warmpool.application.port.in.MarkReadyUseCase NO_READY =
            (workspace, bearer) -> io.warmpool.application.port.in.MarkReadyUseCase.Outcome.UNAUTHENTICATED;

    private static final CompleteBuildUseCase NO_CALLBACKS = callback -> {
        throw new CompleteBuildUseCase.CallbackRejectedException("this service accepts no build callbacks");
    };

    private final HttpAddress address;
    private final List<String> allowedHosts;
    private final JettyServer server;
    private final TokenAuth auth;
    private final RequestContext requests = new RequestContext();
    private final DashboardAuth sessions;
    private final SignInCodes signInCodes = new SignInCodes();
    private final UnreadBody unreadBody;
    private final ErrorMapping errors;
    private final List<Resource> resources;
    private final Clock clock;

    /** With {@link HttpLimits#defaults()} and no further allowed hosts; see the full constructor. */
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
     * @param token        the bearer token every {@code /api/} request must present (but build callbacks, which are
     *                     signed instead); not blank
     * @param readiness    what {@code /readyz} reports
     * @param metrics      what {@code /metrics} serves
     * @param clock        the service clock: when an {@code invalidate} took effect, dashboard sessions' and sign-in
     *                     codes' expiry
     * @throws IllegalArgumentException when the token is blank or an allowed host is blank
     */
    public RestApi(HttpAddress address, HttpLimits limits, List<String> allowedHosts, UseCases useCases, String token,
                   ReadinessCheck readiness, MetricsExposition metrics, Clock clock) {
        this(address, limits, allowedHosts, useCases, token, readiness, metrics, clock, Version.UNKNOWN);
    }

    /**
     * As above, with the build's version for {@code GET /api/v1/version}.
     *
     * @param version the build's version and revision
     */
    public RestApi(HttpAddress address, HttpLimits limits, List<String> allowedHosts, UseCases useCases, String token,
                   ReadinessCheck readiness, MetricsExposition metrics, Clock clock, Version version) {
        this(address, limits, java.util.Optional.empty(), allowedHosts, useCases, token, readiness, metrics, clock, version);
    }

    /**
     * As above, serving HTTPS with the certificate and key of {@code tls} when present (TLS 1.2+, HSTS, a
     * {@code Secure} dashboard cookie; the files are reloaded when they change, see {@link #reloadTls()}).
     *
     * @param tls the PEM certificate chain and private key, or empty for plain HTTP
     */
    public RestApi(HttpAddress address, HttpLimits limits, java.util.Optional<TlsFiles> tls, List<String> allowedHosts,
                   UseCases useCases, String token, ReadinessCheck readiness, MetricsExposition metrics, Clock clock,
                   Version version) {
        Objects.requireNonNull(version, "version");
        this.address = Objects.requireNonNull(address, "address");
        this.allowedHosts = HostCheck.normalize(allowedHosts);
        Objects.requireNonNull(useCases, "useCases");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.server = new JettyServer(address, limits, tls);
        this.sessions = new DashboardAuth(Objects.requireNonNull(token, "token"));
        this.auth = new TokenAuth(token, sessions, clock);
        this.unreadBody = new UnreadBody(limits);
        this.errors = new ErrorMapping(unreadBody, limits.bodyTimeout());
        this.resources = List.of(
                new DashboardRoutes(sessions, signInCodes, clock, () -> boundAddress().toString()),
                new OperationsRoutes(Objects.requireNonNull(readiness, "readiness"),
                        Objects.requireNonNull(metrics, "metrics")),
                new ReconciliationRoutes(useCases.inspect(), useCases.reconciliation(), useCases.history()),
                new PresetRoutes(useCases.inspect(), useCases.operate(), clock),
                new PresetsUpload(useCases.apply(), unreadBody),
                new ClaimRoutes(useCases.claim()),
                new PresetHistoryRoutes(useCases.history()),
                new WorkspaceRoutes(useCases.inspect(), useCases.release()),
                new BuildCallbackRoutes(useCases.builds()),
                new AgentReadyRoute(useCases.ready()),
                new VersionRoute(version.version(), version.revision()),
                new io.warmpool.adapters.http.openapi.OpenApiRoute());
    }

    /**
     * Binds to the address and starts serving.
     *
     * @throws IllegalStateException when already started or stopped, or when the address cannot be bound
     */
    public void start() {
        server.start(this::configure);
    }

    private void configure(JavalinConfig config) {
        errors.installIn(config);
        config.routes.before(requests::open);
        HostCheck hosts = HostCheck.forAddress(address.host(), allowedHosts);
        config.routes.before(hosts::check);
        // A build callback authenticates by its signature (checked by the use case), and the agent ready route by the
        // workspace's agent token (R10), not by the API token; an agent token is no API token anywhere else.
        config.routes.before("/api/*", ctx -> {
            if (!BuildCallbackRoutes.isCallback(ctx) && !AgentReadyRoute.matches(ctx)) {
                auth.authenticate(ctx);
            }
        });
        config.routes.before("/api/*", ContentTypes::check);
        config.routes.beforeMatched(QueryParameters::check);
        resources.forEach(resource -> resource.addTo(config.routes));
    }

    /** Whether it serves HTTPS ({@code https://} links). */
    public boolean secure() {
        return server.secure();
    }

    /**
     * Reads the TLS certificate and key again (bootstrap calls it on {@code SIGHUP}; a change of the files is noticed
     * within a second anyway): new handshakes get the new certificate; files that do not load leave the current one
     * with a WARN. A no-op without TLS.
     *
     * @return whether a new certificate was loaded
     */
    public boolean reloadTls() {
        return server.reloadTls();
    }

    /** Stops serving and releases the port. Idempotent; a no-op when never started. */
    public void stop() {
        server.stop();
    }

    /**
     * The port actually bound (the system's choice when the address asked for port 0).
     *
     * @throws IllegalStateException when not running
     */
    public int port() {
        return server.boundAddress().port();
    }

    /**
     * The address actually bound: the configured host and the {@link #port() actual port}.
     *
     * @throws IllegalStateException when not running
     */
    public HttpAddress boundAddress() {
        return server.boundAddress();
    }

    /**
     * Every HTTP route the server serves (before- and after-handlers left out), read from Javalin's router rather
     * than from a list kept by hand, so that a test covering "every route" covers a new one as soon as it is added.
     *
     * @throws IllegalStateException when not running
     */
    public List<Route> routes() {
        return server.routes(Route::new);
    }

    /**
     * A new one-time sign-in code of the dashboard (what {@code run} prints in its link {@code /?code=…}), valid for
     * {@link SignInCodes#TTL} by the service clock.
     */
    public SignInCodes.Issued newSignInCode() {
        return signInCodes.issue(clock.instant());
    }
}
