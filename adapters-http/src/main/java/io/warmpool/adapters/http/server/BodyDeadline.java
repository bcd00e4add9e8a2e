package io.warmpool.adapters.http.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The body read deadline: a request's body must have arrived completely {@code timeout} after the server first
 * asked for it; after that every read fails with {@link Expired} (the API answers {@code 408} and closes the
 * connection). Jetty's idle timeout restarts with every byte, and its minimum data rate refuses an honest client
 * that pauses before a small body; a total deadline is what an operator can reason about.
 *
 * <p>A wait for content ({@code demand}) is woken at the deadline by Jetty's scheduler, so a blocked reader does
 * not wait for the idle timeout either.
 */
public final class BodyDeadline extends Handler.Wrapper {

    /**
     * A body that did not arrive in time. Not a {@link java.util.concurrent.TimeoutException}: Javalin answers
     * those itself, with an empty text body, before the API's error handler sees them.
     */
    public static final class Expired extends java.io.IOException {
        Expired(Duration timeout) {
            super("request body not received within " + describe(timeout));
        }
    }

    private final Duration timeout;

    /** {@code 30 s}, or {@code 800 ms} below a whole second. */
    public static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    BodyDeadline(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        DeadlineRequest wrapped = new DeadlineRequest(request);
        // Once the exchange is over, a pending wake-up must not call into the connection's next request.
        Callback finishing = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                wrapped.finish();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                wrapped.finish();
                super.failed(x);
            }
        };
        return super.handle(wrapped, response, finishing);
    }

    private final class DeadlineRequest extends Request.Wrapper {
        private final Object lock = new Object();
        private long deadline;
        private boolean started;
        private volatile Content.Chunk failure;
        private volatile boolean finished;
        private Scheduler.Task wake;

        void finish() {
            finished = true;
            synchronized (lock) {
                if (wake != null) {
                    wake.cancel();
                }
            }
        }

        DeadlineRequest(Request wrapped) {
            super(wrapped);
        }

        private long remainingNanos() {
            synchronized (lock) {
                long now = NanoTime.now();
                if (!started) {
                    started = true;
                    deadline = now + timeout.toNanos();
                }
                return deadline - now;
            }
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk failed = failure;
            if (failed != null) {
                return failed;
            }
            if (remainingNanos() <= 0) {
                Content.Chunk chunk = super.read();
                if (chunk != null && chunk.isLast() && !Content.Chunk.isFailure(chunk)) {
                    return chunk; // it did arrive in time
                }
                if (chunk != null) {
                    chunk.release();
                }
                failed = Content.Chunk.from(new Expired(timeout), true);
                failure = failed;
                return failed;
            }
            return super.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            long remaining = remainingNanos();
            if (failure != null || remaining <= 0) {
                getContext().execute(demandCallback);
                return;
            }
            AtomicBoolean called = new AtomicBoolean();
            Runnable once = () -> {
                if (called.compareAndSet(false, true)) {
                    demandCallback.run();
                }
            };
            Scheduler.Task task = getComponents().getScheduler().schedule(() -> {
                if (!finished) {
                    once.run();
                }
            }, remaining, TimeUnit.NANOSECONDS);
            synchronized (lock) {
                wake = task;
            }
            super.demand(() -> {
                task.cancel();
                once.run();
            });
        }
    }
}
