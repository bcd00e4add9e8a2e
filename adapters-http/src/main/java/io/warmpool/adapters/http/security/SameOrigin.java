package io.warmpool.adapters.http.security;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.warmpool.adapters.http.web.Requests;

/**
 * No cross-site requests (CSRF): a request authenticated by the session cookie that changes something must carry
 * the header a cross-site form or a simple cross-origin request cannot send ({@value DashboardAuth#CSRF_HEADER}),
 * and, where the browser says where it comes from, come from this origin. SameSite=Strict alone would still let a
 * sibling origin of the same site (another port of this host) through.
 */
final class SameOrigin {

    private SameOrigin() {
    }

    /** @throws ForbiddenResponse when the request may come from another site */
    static void require(Context ctx) {
        if (!"1".equals(ctx.header(DashboardAuth.CSRF_HEADER))) {
            throw new ForbiddenResponse("cross-site request refused: a request signed in by the dashboard's cookie "
                    + "must send the header " + DashboardAuth.CSRF_HEADER + ": 1");
        }
        String origin = ctx.header("Origin");
        String host = ctx.header("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            throw new ForbiddenResponse("cross-site request refused: Origin " + Requests.abbreviate(origin)
                    + " is not this server");
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            throw new ForbiddenResponse("cross-site request refused: Sec-Fetch-Site is " + Requests.abbreviate(site));
        }
    }
}
