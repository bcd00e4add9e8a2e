package io.warmpool.bootstrap.runtime;

import io.warmpool.bootstrap.runtime.WarmpoolService.ApiServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API as a part of the service: starting it listens, logs the address and shows the dashboard's sign-in
 * link; stopping it closes the server.
 */
public final class PublishedApi implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PublishedApi.class);

    private final ApiServer server;
    private final LiveView view;
    private volatile boolean listening;

    public PublishedApi(ApiServer server, LiveView view) {
        this.server = server;
        this.view = view;
    }

    @Override
    public void start() {
        server.start();
        listening = true;
        LOG.info("API listening on " + server.url());
        view.signIn(server.signInUrl());
    }

    @Override
    public void stop() {
        listening = false;
        server.close();
    }

    /** The server, once it listens. */
    ApiServer listening() {
        if (!listening) {
            throw new IllegalStateException("the service is not started");
        }
        return server;
    }

    @Override
    public String toString() {
        return "API";
    }
}
