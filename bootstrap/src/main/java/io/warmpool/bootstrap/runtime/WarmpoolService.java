package io.warmpool.bootstrap.runtime;

import com.google.inject.Injector;
import java.util.List;

/**
 * The running service: its long-running parts ({@link Lifecycle}, in the order bootstrap's {@code ServiceModule}
 * registers them — the database, the presets applied at start, the provisioner, the timer, the workers, the API,
 * the reconcile loop, the live view's ticker) started in order and stopped in reverse: the loop finishes its pass and
 * releases the lock, workers finish their jobs within a bound, the database stops last.
 */
public final class WarmpoolService implements AutoCloseable {

    private final Lifecycles parts;
    private final PublishedApi api;
    private final Injector injector;

    /**
     * @param parts    the parts in start order
     * @param api      the API among them, for its address and sign-in links
     * @param injector the injector that built the parts, for tests and tools that need a use case of the running service
     */
    public WarmpoolService(List<Lifecycle> parts, PublishedApi api, Injector injector) {
        if (!parts.contains(api)) {
            throw new IllegalArgumentException("the API must be one of the parts");
        }
        this.parts = new Lifecycles(parts);
        this.api = api;
        this.injector = injector;
    }

    /** Starts everything; on failure stops what had started and rethrows. */
    public void start() {
        parts.start();
    }

    /** Where the API listens once started, e.g. {@code 127.0.0.1:8080} (the real port when 0 was asked for). */
    public String apiAddress() {
        return api.listening().address();
    }

    /** The API's URL once started: {@code http://<address>}, or {@code https://<address>} under TLS. */
    public String apiUrl() {
        return api.listening().url();
    }

    /** A new one-time sign-in link of the dashboard once started. */
    public String signInUrl() {
        return api.listening().signInUrl();
    }

    /**
     * Reads the API's TLS certificate and key again once started (on {@code SIGHUP}): new connections get the new
     * certificate; files that do not load leave the current one with a WARN. A no-op without TLS.
     *
     * @return whether a new certificate was loaded
     */
    public boolean reloadTls() {
        return api.listening().reloadTls();
    }

    /** The injector, for tests and tools that need a use case of the running service. */
    public Injector injector() {
        return injector;
    }

    /** The parts in start order (they stop in reverse). */
    public List<Lifecycle> parts() {
        return parts.parts();
    }

    /** Stops in reverse order of start. Safe to call twice. */
    @Override
    public void close() {
        parts.stop();
    }

    /** The HTTP API's server, bound by the API module. */
    public interface ApiServer extends AutoCloseable {
        void start();

        /** The address it listens on, e.g. {@code 127.0.0.1:8080}. */
        String address();

        /** {@code http://<address>}, or {@code https://<address>} under TLS. */
        String url();

        /** A new one-time sign-in link of the dashboard, {@code <url>/?code=…} (valid 10 minutes, once). */
        String signInUrl();

        /** Reads the TLS certificate and key again (SIGHUP); a no-op without TLS. @return whether a new one loaded */
        boolean reloadTls();

        @Override
        void close();
    }
}
