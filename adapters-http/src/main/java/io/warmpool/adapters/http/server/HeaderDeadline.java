package io.warmpool.adapters.http.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The header read deadline Jetty does not have: a connection whose request line and headers are still incomplete
 * {@code timeout} after their first byte is closed. Jetty's idle timeout alone restarts with every byte, so a client
 * sending one header byte every few seconds would keep its connection forever.
 *
 * <p>Each HTTP/1.1 connection is looked at every {@code period} (a quarter of the timeout, at most one second) by
 * Jetty's scheduler, without a thread of its own: its parser's state says whether it is between the first and the
 * last byte of a request's headers. A connection is therefore closed between {@code timeout} and
 * {@code timeout + 2 × period} after its headers started. Connections waiting for their first byte are left to the
 * idle timeout. Added to the connector as a bean, it is a {@link Connection.Listener} of every connection.
 */
final class HeaderDeadline implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long timeoutNanos;
    private final long periodMillis;

    HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.periodMillis = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            new Watch(http, http.getConnector().getScheduler()).schedule();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        // The watch sees the closed end point at its next look and stops.
    }

    private final class Watch implements Runnable {
        private final HttpConnection connection;
        private final Scheduler scheduler;
        private long headersSince = -1;

        Watch(HttpConnection connection, Scheduler scheduler) {
            this.connection = connection;
            this.scheduler = scheduler;
        }

        void schedule() {
            scheduler.schedule(this, periodMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            if (!connection.getEndPoint().isOpen()) {
                return;
            }
            // Read from another thread than the parser's: a stale state only delays the verdict by one period.
            HttpParser parser = connection.getParser();
            boolean inHeaders = !parser.isStart() && parser.inHeaderState();
            long now = NanoTime.now();
            if (!inHeaders) {
                headersSince = -1;
            } else if (headersSince < 0) {
                headersSince = now;
            } else if (NanoTime.elapsed(headersSince, now) >= timeoutNanos) {
                LOG.atDebug().log(() -> "closing " + connection.getEndPoint().getRemoteSocketAddress()
                        + ": request headers incomplete after " + Duration.ofNanos(timeoutNanos));
                connection.getEndPoint().close(new TimeoutException("request headers not received in time"));
                return;
            }
            schedule();
        }
    }
}
