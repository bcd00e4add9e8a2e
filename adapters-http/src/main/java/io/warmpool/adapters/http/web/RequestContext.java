package io.warmpool.adapters.http.web;

import io.javalin.http.Context;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The request's logging context (MDC): {@code request}, its id, on every record logged while it is served, and
 * {@code actor}, the name of the credential that authenticated it ({@link #ACTOR}). Opened by the server's first
 * before-handler and cleared by its request logger, which runs last; Jetty's threads are pooled, so a request never
 * sees a value the previous one left.
 *
 * <p>The id is the client's {@code X-Request-Id} when it is a short token ({@code [A-Za-z0-9._:-]{1,64}}, so a
 * header cannot forge a log line), else {@code req-<n>}, numbered per process; it is sent back in
 * {@code X-Request-Id}.
 */
public final class RequestContext {

    /** The MDC key of the request id. */
    public static final String REQUEST = "request";
    /** The MDC key of the authenticating credential's name: {@code admin} (the API token), {@code dashboard}. */
    public static final String ACTOR = "actor";
    /** The header a client may give its own id in, and the server answers it in. */
    public static final String HEADER = "X-Request-Id";

    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final AtomicLong next = new AtomicLong();

    /** The first before-handler: a fresh MDC with the request's id. */
    public void open(Context ctx) {
        MDC.clear();
        String given = ctx.header(HEADER);
        String id = given != null && CLIENT_ID.matcher(given).matches() ? given : "req-" + next.incrementAndGet();
        MDC.put(REQUEST, id);
        ctx.header(HEADER, id);
    }

    /** Names the credential that authenticated the request ({@link #ACTOR}). */
    public static void actor(String name) {
        MDC.put(ACTOR, name);
    }

    /** After the request (its request logger): nothing of it stays on the pooled thread. */
    public static void close() {
        MDC.clear();
    }
}
