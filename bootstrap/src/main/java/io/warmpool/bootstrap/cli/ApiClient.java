package io.warmpool.bootstrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CLI's side of the REST API (adapters-http/API.md): one request, a JSON answer, errors as
 * {@link ApiException} with the server's message ({@code detail} of a problem, else {@code error}), its answer and
 * the exit code it maps to ({@link ExitCodes}).
 */
public final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Exit code of a claim that found nothing available (SPEC §5). */
    public static final int EXIT_NOTHING_AVAILABLE = ExitCodes.NOTHING_AVAILABLE;
    /** Exit code when the service cannot be reached (SPEC §5). */
    public static final int EXIT_UNREACHABLE = ExitCodes.UNREACHABLE;
    /** The error {@code code} of a claim's miss, as the REST API answers it (adapters-http API.md). */
    static final String NO_PREBUILD_AVAILABLE = "no_prebuild_available";

    private final URI server;
    private final String token;
    private final HttpClient http;

    /** Trusting the system's trust store for an {@code https://} server. */
    public ApiClient(URI server, String token) {
        this(server, token, java.util.Optional.empty());
    }

    /** @param trust the TLS context to verify an {@code https://} server with, or empty for the system's trust store */
    public ApiClient(URI server, String token, java.util.Optional<SSLContext> trust) {
        this.server = server;
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        trust.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /**
     * A TLS context that trusts only the CA certificates of a PEM file ({@code --ca-cert}).
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new IllegalArgumentException(caFile + " holds no -----BEGIN CERTIFICATE----- block");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + caFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(caFile + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    public JsonNode post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    public JsonNode postJson(String path, Object body) {
        return postJson(path, body, java.util.Map.of());
    }

    /** A JSON POST with extra request headers (e.g. {@code Idempotency-Key}). */
    public JsonNode postJson(String path, Object body, java.util.Map<String, String> headers) {
        return postJson(path, body, headers, Duration.ofSeconds(60));
    }

    /** A JSON POST with extra request headers, waiting for the answer up to {@code timeout}. */
    public JsonNode postJson(String path, Object body, java.util.Map<String, String> headers, Duration timeout) {
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return send(request, timeout);
    }

    /** As {@link #postJson(String, Object)}, waiting for the answer up to {@code timeout} (a waiting claim). */
    public JsonNode postJson(String path, Object body, Duration timeout) {
        try {
            return send(HttpRequest.newBuilder(resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)), timeout);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(resolve(path)).DELETE());
    }

    private URI resolve(String path) {
        String base = server.toString().replaceAll("/+$", "");
        return URI.create(base + path);
    }

    private JsonNode send(HttpRequest.Builder request) {
        return send(request, Duration.ofSeconds(60));
    }

    private JsonNode send(HttpRequest.Builder request, Duration timeout) {
        request.timeout(timeout).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
            throw new ApiException(EXIT_UNREACHABLE, "cannot reach the warmpool service at " + server
                    + " — is `./warmpool run` running? (set --server or WARMPOOL_SERVER)", null);
        } catch (SSLException e) {
            // Not reached securely: the same exit as unreachable (4), with the reason and the way out.
            throw new ApiException(EXIT_UNREACHABLE, "cannot reach the warmpool service at " + server + " securely: "
                    + tlsReason(e) + " — give the CA certificate that signed the server's with --ca-cert FILE "
                    + "(or WARMPOOL_CA_CERT)", null);
        } catch (IOException e) {
            throw new ApiException(1, "request to " + server + " failed: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(1, "interrupted", null);
        }
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return body;
        }
        String message = body != null && body.path("detail").isTextual() ? body.get("detail").asText()
                : body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + status;
        int exit = status == 400 || status == 413 || status == 415 || status == 422 ? ExitCodes.USAGE : ExitCodes.FAILURE;
        if (body != null && (NO_PREBUILD_AVAILABLE.equals(body.path("code").asText(null))
                || Problems.NO_PREBUILD.equals(body.path("type").asText(null)))) {
            exit = EXIT_NOTHING_AVAILABLE; // a claim's miss (SPEC §5), told by its code or type, not its text
        }
        if (status == 401) {
            message = message + " — the token is read from WARMPOOL_TOKEN or the state directory's api-token";
        }
        throw new ApiException(exit, message, body, status);
    }

    /** The innermost message of a TLS failure (e.g. "unable to find valid certification path to requested target"). */
    private static String tlsReason(SSLException e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.contains("certification path") || message.contains("PKIX")
                ? "the server's certificate is not trusted (" + message + ")" : "TLS failed (" + message + ")";
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A failed API call: the message to print and the exit code (1 failure, 2 invalid input, 3 a claim found nothing
     * available, 4 the service cannot be reached); when the service answered, its HTTP status and its answer.
     */
    public static final class ApiException extends RuntimeException {
        private final int exitCode;
        private final transient JsonNode body;
        private final int status;

        /** A failure on this side: no answer from the service. */
        public ApiException(int exitCode, String message, JsonNode body) {
            this(exitCode, message, body, 0);
        }

        /** The service answered {@code status} (0: it did not answer) with {@code body} (null: not JSON). */
        public ApiException(int exitCode, String message, JsonNode body, int status) {
            super(message);
            this.exitCode = exitCode;
            this.body = body;
            this.status = status;
        }

        /** The HTTP status the service answered, or 0 when it did not answer. */
        public int status() {
            return status;
        }

        public int exitCode() {
            return exitCode;
        }

        public JsonNode body() {
            return body;
        }
    }
}
