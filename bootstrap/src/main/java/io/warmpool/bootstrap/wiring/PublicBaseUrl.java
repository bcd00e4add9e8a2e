package io.warmpool.bootstrap.wiring;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The service's URL as workspaces reach it ({@code --public-url}), for the agent ready route (SPEC R10 agent). When
 * not configured: {@code http://} ({@code https://} under TLS) and the address the API listens on, once it listens (a port 0 is known only then),
 * else the configured {@code --http-addr}.
 */
public final class PublicBaseUrl {

    private final Optional<String> configured;
    private volatile String listening;

    public PublicBaseUrl(Optional<String> configured, InetSocketAddress httpAddr) {
        this(configured, "http", httpAddr);
    }

    /** @param scheme {@code http}, or {@code https} under TLS */
    public PublicBaseUrl(Optional<String> configured, String scheme, InetSocketAddress httpAddr) {
        this.configured = configured;
        this.listening = scheme + "://" + httpAddr.getHostString() + ":" + httpAddr.getPort();
    }

    /** The API listens at {@code url}: the default from now on. */
    void listening(String url) {
        this.listening = url;
    }

    public String get() {
        return configured.orElse(listening);
    }
}
