package io.warmpool.adapters.http.dashboard;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.warmpool.adapters.http.security.DashboardAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator dashboard: plain HTML, CSS and JavaScript modules from the classpath ({@code /dashboard/}),
 * nothing fetched from elsewhere. {@code GET /} signs a browser in with a one-time code ({@code ?code=…}, see
 * {@link SignInCodes}; the API token in the URL is refused), shows the sign-in page to a browser without a session, and the dashboard to one with a session; the page then reads the API with the
 * session cookie. Assets are public (they hold no data).
 *
 * <p>Every page and asset is sent with a Content-Security-Policy that allows scripts, styles, images and
 * connections from this origin only, forbids framing, and with {@code Referrer-Policy: no-referrer}.
 */
final class Dashboard {

    /** What a page may load: this origin only. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private static final List<String> ASSETS = List.of("app.js", "api.js", "format.js", "chart.js", "style.css",
            "favicon.svg");
    private static final String NOT_SIGNED_IN = "This dashboard needs a sign-in link.";
    private static final String SPENT_CODE = "That sign-in link is not valid any more: each link signs in once and "
            + "expires after 10 minutes. Run ./warmpool dashboard for a new one.";
    private static final String TOKEN_IN_URL = "The API token is not accepted in a URL (it would stay in the browser's "
            + "history). Run ./warmpool dashboard for a one-time sign-in link.";

    private record Asset(byte[] bytes, String contentType) {
    }

    private final byte[] index;
    private final String signIn;
    private final Map<String, Asset> assets;

    private Dashboard(byte[] index, String signIn, Map<String, Asset> assets) {
        this.index = index;
        this.signIn = signIn;
        this.assets = assets;
    }

    /** Reads the pages and assets from the classpath. @throws UncheckedIOException when one is missing */
    static Dashboard load() {
        Map<String, Asset> assets = new LinkedHashMap<>();
        for (String name : ASSETS) {
            assets.put(name, new Asset(read("assets/" + name), contentType(name)));
        }
        return new Dashboard(read("index.html"), new String(read("signin.html"), StandardCharsets.UTF_8), Map.copyOf(assets));
    }

    /** {@code GET /}: sign in with {@code ?code=}, else the dashboard or the sign-in page. */
    void index(Context ctx, DashboardAuth auth, SignInCodes codes, Instant now) {
        if (ctx.queryParam("token") != null) {
            page(ctx, 401, signInPage(TOKEN_IN_URL));
            return;
        }
        String code = ctx.queryParam("code");
        if (code != null) {
            if (codes.redeem(code, now)) {
                // 303 to the bare path: the spent code leaves the address bar (and the history entry the page keeps).
                secure(ctx);
                ctx.header("Set-Cookie", auth.sessionCookieHeader(now, "https".equals(ctx.scheme())));
                ctx.header("Location", "/");
                ctx.status(303);
                return;
            }
            page(ctx, 401, signInPage(SPENT_CODE));
            return;
        }
        if (auth.validSession(ctx.cookie(DashboardAuth.COOKIE), now)) {
            page(ctx, 200, index);
        } else {
            page(ctx, 401, signInPage(NOT_SIGNED_IN));
        }
    }

    /** {@code GET /assets/{file}}: one of the known assets, else 404. */
    void asset(Context ctx) {
        Asset asset = assets.get(ctx.pathParam("file"));
        if (asset == null) {
            throw new NotFoundResponse();
        }
        secure(ctx);
        ctx.header("Cache-Control", "no-cache");
        ctx.status(200).contentType(asset.contentType()).result(asset.bytes());
    }

    private byte[] signInPage(String message) {
        return signIn.replace("{{message}}", escape(message)).getBytes(StandardCharsets.UTF_8);
    }

    private static void page(Context ctx, int status, byte[] html) {
        secure(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.status(status).contentType("text/html; charset=utf-8").result(html);
    }

    private static void secure(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    private static String contentType(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        throw new IllegalArgumentException("no content type for " + name);
    }

    private static byte[] read(String path) {
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + path)) {
            if (in == null) {
                throw new IOException("missing from the classpath: /dashboard/" + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + path + ": " + e.getMessage(), e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
