package io.warmpool.adapters.http.server;

import io.javalin.http.Context;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * A request that is answered late on purpose (a claim that waits, SPEC R12): its connection's idle timeout is raised
 * by the wait for as long as the request lasts, and put back when it completes.
 *
 * <p>Why: a suspended request sends and receives nothing, so Jetty's idle timeout ({@code --http-idle-timeout})
 * expires again and again while it waits. Those expiries are harmless until one falls on the instant the answer is
 * written — which happens whenever the wait is a multiple of the idle timeout (a 2m wait, a 30s timeout): the answer
 * was then cut after its headers ({@code WaitingClaimsEndToEndTest} saw a 503's body lost in CI).
 */
public final class LongRequests {

    private LongRequests() {
    }

    /**
     * Raises the idle timeout of the request's connection by {@code wait} until the request completes.
     *
     * @param ctx  the request, served by Javalin on Jetty
     * @param wait how much later than usual it may be answered
     */
    public static void mayTake(Context ctx, Duration wait) {
        Request request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return; // not served by Jetty's servlet layer (no such case in this server): nothing to raise
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long usual = endPoint.getIdleTimeout();
        if (usual <= 0) {
            return; // no idle timeout at all
        }
        endPoint.setIdleTimeout(usual + wait.toMillis());
        Request.addCompletionListener(request, failure -> endPoint.setIdleTimeout(usual));
    }
}
