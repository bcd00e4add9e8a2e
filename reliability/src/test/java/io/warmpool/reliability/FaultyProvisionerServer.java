package io.warmpool.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local webhook for the {@code http} provisioner that injects faults, from a seeded source: each request
 * (attempt) fails transiently (503) with probability {@code transient}, hangs beyond the provisioner's request
 * timeout with probability {@code hang} (then answers 503 to nobody), else answers 200 {@code {}}. While
 * {@link #outage(boolean) an outage} is on, every request gets 503 at once. Signed requests only: a request
 * without the HMAC headers gets 401 (counted, so a test can require zero).
 */
final class FaultyProvisionerServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "faulty-provisioner");
        t.setDaemon(true);
        return t;
    });
    private final Random random;
    private final double transientRate;
    private final double hangRate;
    private final Duration hang;
    private volatile boolean outage;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    FaultyProvisionerServer(long seed, double transientRate, double hangRate, Duration hang) {
        this.random = new Random(seed);
        this.transientRate = transientRate;
        this.hangRate = hangRate;
        this.hang = hang;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hook", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    void outage(boolean on) {
        outage = on;
    }

    /** Requests by outcome: ok, transient, hang, outage, unsigned. */
    Map<String, Long> counts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void count(String outcome) {
        counts.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestHeaders().getFirst("X-Warmpool-Signature") == null
                    || exchange.getRequestHeaders().getFirst("X-Warmpool-Timestamp") == null) {
                count("unsigned");
                reply(exchange, 401, "{\"error\":\"unsigned\"}");
                return;
            }
            if (outage) {
                count("outage");
                reply(exchange, 503, "{\"error\":\"outage\"}");
                return;
            }
            double r;
            synchronized (random) {
                r = random.nextDouble();
            }
            if (r < hangRate) {
                count("hang");
                try {
                    Thread.sleep(hang.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 503, "{\"error\":\"hung\"}");
            } else if (r < hangRate + transientRate) {
                count("transient");
                reply(exchange, 503, "{\"error\":\"transient\"}");
            } else {
                count("ok");
                reply(exchange, 200, "{}");
            }
        } catch (IOException e) {
            // the client gave up (a hang past its timeout)
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
