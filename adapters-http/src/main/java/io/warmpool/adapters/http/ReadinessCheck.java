package io.warmpool.adapters.http;

import java.util.Objects;

/**
 * Whether the service can take requests now, for {@code GET /readyz} (for example: the database is reachable and
 * its migrations are applied). Supplied by bootstrap, which knows what "ready" takes.
 *
 * <p>Contract: {@link #check()} is called once per {@code /readyz} request, on an HTTP worker thread, so it should
 * answer within a second or two and be safe to call concurrently. It may throw; the API then answers "not ready"
 * with a generic detail and logs the exception, so a failing check never leaks its exception to the caller.
 */
@FunctionalInterface
public interface ReadinessCheck {

    /** Checks readiness now. */
    Result check();

    /**
     * Whether the process is worth keeping, for {@code GET /healthz} (liveness): not ready is often temporary (the
     * database restarting), not live means only a restart of the service can help (its embedded database cannot be
     * brought back). Same contract as {@link #check()}: fast, concurrent, may throw. Live by default.
     */
    default Result live() {
        return Result.ready("ok");
    }

    /**
     * The answer of one check.
     *
     * @param ready  whether requests can be served
     * @param detail a short human-readable reason, for operators (never a secret or a stack trace)
     */
    record Result(boolean ready, String detail) {

        public Result {
            Objects.requireNonNull(detail, "detail");
        }

        /** Ready, with {@code detail}. */
        public static Result ready(String detail) {
            return new Result(true, detail);
        }

        /** Not ready, because of {@code detail}. */
        public static Result notReady(String detail) {
            return new Result(false, detail);
        }
    }

    /** A check that always says ready; for tests and for setups with nothing to wait for. */
    ReadinessCheck ALWAYS = () -> Result.ready("ok");
}
