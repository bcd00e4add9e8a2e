package io.warmpool.adapters.http.errors;

import io.javalin.http.Context;
import io.warmpool.adapters.http.HttpLimits;
import io.warmpool.adapters.http.security.TokenAuth;
import io.warmpool.adapters.http.web.Requests;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before an error response: reads and drops what is left of the request's body. A rejection before the handler
 * read the body (401, 403, 404, 405, 415, 421, a bad preset name in the path) would otherwise leave it unread, and
 * Jetty then closes the connection once the response is sent, without saying so: a client still sending its body
 * gets "broken pipe" instead of the answer, and a client that keeps connections alive sends its next request into a
 * closed socket. A body already read costs one read that finds its end.
 *
 * <p>The body is read without blocking a thread beyond a deadline: {@link HttpLimits#bodyTimeout()} for an
 * authenticated request, {@link HttpLimits#UNAUTHENTICATED_DRAIN} for one that is not, and of those at most
 * {@link HttpLimits#maxUnauthenticated()} at once. A body larger than {@link Requests#MAX_BODY_BYTES} is not read
 * (413), nor one that does not arrive in time or beyond the cap: the response then says {@code Connection: close},
 * and the slow client is disconnected once it is sent.
 */
public final class UnreadBody {

    private static final Logger LOG = LoggerFactory.getLogger(UnreadBody.class);

    private final Duration bodyTimeout;
    private final Semaphore unauthenticatedDrains;

    public UnreadBody(HttpLimits limits) {
        this.bodyTimeout = limits.bodyTimeout();
        this.unauthenticatedDrains = new Semaphore(limits.maxUnauthenticated());
    }

    /** Reads the rest of the body, or marks the response {@code Connection: close}. */
    public void finish(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared == 0 || (declared < 0 && ctx.header("Transfer-Encoding") == null)) {
            return;
        }
        if (declared > Requests.MAX_BODY_BYTES) {
            ctx.header("Connection", "close");
            return;
        }
        boolean authenticated = TokenAuth.isAuthenticated(ctx);
        if (!authenticated && !unauthenticatedDrains.tryAcquire()) {
            ctx.header("Connection", "close");
            return;
        }
        try {
            if (!drain(ctx, authenticated ? bodyTimeout : HttpLimits.UNAUTHENTICATED_DRAIN)) {
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
        long left = Requests.MAX_BODY_BYTES;
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
            LOG.trace("the rest of a request body could not be read", e);
            return false;
        }
    }
}
