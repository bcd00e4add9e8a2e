package io.warmpool.adapters.http.dashboard;

import io.javalin.config.RoutesConfig;
import io.warmpool.adapters.http.security.DashboardAuth;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The dashboard ({@code /} and its assets, see {@link Dashboard}) and its one-time sign-in links:
 * {@code POST} {@value #SIGN_IN_CODES} issues one ({@code ./warmpool dashboard} calls it), {@code GET /?code=…}
 * exchanges it for a session cookie.
 */
public final class DashboardRoutes implements Resource {

    /** The route {@code ./warmpool dashboard} calls for a one-time sign-in link. */
    public static final String SIGN_IN_CODES = "/api/v1/dashboard/sign-in-codes";

    private final DashboardAuth sessions;
    private final SignInCodes codes;
    private final Clock clock;
    private final Supplier<String> boundAddress;

    /**
     * @param clock        the service clock: sessions' and sign-in codes' expiry
     * @param boundAddress where the server listens, for a link asked for without a {@code Host}
     */
    public DashboardRoutes(DashboardAuth sessions, SignInCodes codes, Clock clock, Supplier<String> boundAddress) {
        this.sessions = sessions;
        this.codes = codes;
        this.clock = clock;
        this.boundAddress = boundAddress;
    }

    /**
     * A one-time sign-in link: {@code url} as this request reached the server, {@code path} to append to another
     * base URL.
     */
    record SignInCodeView(String url, String path, Instant expiresAt) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        Dashboard dashboard = Dashboard.load();
        routes.get("/", ctx -> dashboard.index(ctx, sessions, codes, clock.instant()));
        routes.get("/assets/{file}", dashboard::asset);
        routes.post(SIGN_IN_CODES, ctx -> {
            SignInCodes.Issued issued = codes.issue(clock.instant());
            String host = Optional.ofNullable(ctx.header("Host")).orElseGet(boundAddress);
            String path = "/?code=" + issued.code();
            Json.send(ctx, 201, new SignInCodeView(ctx.scheme() + "://" + host + path, path, issued.expiresAt()));
        });
    }
}
