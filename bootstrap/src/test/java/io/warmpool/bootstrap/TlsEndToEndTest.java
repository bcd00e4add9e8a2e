package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.warmpool.bootstrap.config.Setting;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS end to end (issue 19): the real service started with {@code --tls-cert}/{@code --tls-key} made in the test by a
 * CA of its own ({@link TestCertificates}, keytool). HTTPS only, TLS 1.2+, HSTS on every answer, a {@code Secure}
 * dashboard cookie and {@code https} links; the CLI trusts {@code --ca-cert} and refuses an untrusted server with exit
 * 4; a renewed certificate is served without a restart, and a broken one is refused with a WARN, the old one staying.
 */
class TlsEndToEndTest {

    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 1}
            """;
    private static final String HSTS = "max-age=31536000";

    @TempDir
    Path dir;

    @Test
    void theServiceSpeaksOnlyTls12Plus_withHsts_aSecureCookie_andReloadsARenewedCertificate_keepingItOverABrokenOne()
            throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir);
        TestCertificates.Issued first = ca.issue("warmpool-one", "EC");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        first.writeTo(cert, key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));

        try (InProcessService s = InProcessService.start(dir, PRESETS, "create_latency: 20ms\n",
                Map.of(Setting.TLS_CERT, cert.toString(), Setting.TLS_KEY, key.toString(), Setting.SEED, "1"))) {
            assertThat(s.server()).startsWith("https://127.0.0.1:");
            int port = URI.create(s.server()).getPort();

            // HTTPS for a client trusting the CA: health and the API answer, each with HSTS (an error answer too)
            HttpResponse<String> health = get(ca, s.server() + "/healthz", null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("Strict-Transport-Security")).hasValue(HSTS);
            assertThat(peer(health)).isEqualTo(first.leaf());
            HttpResponse<String> status = get(ca, s.server() + "/api/v1/status", s.token());
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            assertThat(status.headers().firstValue("Strict-Transport-Security")).hasValue(HSTS);
            HttpResponse<String> unauthenticated = get(ca, s.server() + "/api/v1/status", null);
            assertThat(unauthenticated.statusCode()).isEqualTo(401);
            assertThat(unauthenticated.headers().firstValue("Strict-Transport-Security")).hasValue(HSTS);

            // TLS 1.2 and 1.3 are served; TLS 1.1 is not (the JDK's own defaults refuse it on both sides too: the
            // server's exclusion is defence in depth for a JVM whose java.security re-enables it)
            assertThat(handshake(ca, port, "TLSv1.2")).isEqualTo("TLSv1.2");
            assertThat(handshake(ca, port, "TLSv1.3")).isEqualTo("TLSv1.3");
            assertThatThrownBy(() -> handshake(ca, port, "TLSv1.1")).isInstanceOf(IOException.class);

            // plain HTTP to the port gets no answer
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

            // the CLI: trusting --ca-cert it works; with the system's trust store it refuses, exit 4 with the reason
            String[] client = {"--server", s.server(), "--state-dir", s.stateDir().toString()};
            CliRun trusted = CliRun.of(new String[] {"status", "--ca-cert", ca.caPem().toString()}, client);
            assertThat(trusted.exit()).as(trusted.err()).isZero();
            assertThat(trusted.out()).contains("python-dev");
            CliRun untrusted = CliRun.of(new String[] {"status"}, client);
            assertThat(untrusted.exit()).isEqualTo(4);
            assertThat(untrusted.err()).contains("cannot reach the warmpool service at " + s.server() + " securely")
                    .contains("not trusted").contains("--ca-cert");

            // the dashboard: https links, and the session cookie is Secure
            assertThat(s.service().signInUrl()).startsWith(s.server() + "/?code=");
            CliRun link = CliRun.of(new String[] {"dashboard", "--ca-cert", ca.caPem().toString()}, client);
            assertThat(link.exit()).as(link.err()).isZero();
            String url = link.out().lines().filter(l -> l.contains("/?code=")).findFirst().orElseThrow().strip();
            HttpResponse<String> signIn = get(ca, url.substring(url.indexOf("https://")), null);
            assertThat(signIn.statusCode()).isEqualTo(303);
            assertThat(signIn.headers().firstValue("Set-Cookie")).hasValueSatisfying(c ->
                    assertThat(c).startsWith("warmpool_session=").contains("; HttpOnly").endsWith("; Secure"));
            assertThat(signIn.headers().firstValue("Strict-Transport-Security")).hasValue(HSTS);

            ListAppender<ILoggingEvent> logs = capture();
            try {
                // a renewed certificate (another key, another subject) is served without a restart
                TestCertificates.Issued second = ca.issue("warmpool-two", "RSA");
                second.writeTo(cert, key);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(peer(get(ca, s.server() + "/healthz", null))).isEqualTo(second.leaf()));

                // a broken replacement is refused with a WARN, and the renewed certificate stays
                Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logs.list).anySatisfy(e -> {
                    assertThat(e.getLevel().toString()).isEqualTo("WARN");
                    assertThat(e.getFormattedMessage()).contains("TLS certificate not reloaded, the current one stays")
                            .contains(cert.toString());
                }));
                assertThat(peer(get(ca, s.server() + "/healthz", null))).isEqualTo(second.leaf());
                // SIGHUP's reload says so too
                assertThat(s.service().reloadTls()).isFalse();
                assertThat(peer(get(ca, s.server() + "/healthz", null))).isEqualTo(second.leaf());

                // and SIGHUP's reload takes the files at once when they are good again
                first.writeTo(cert, key);
                assertThat(s.service().reloadTls()).isTrue();
                assertThat(peer(get(ca, s.server() + "/healthz", null))).isEqualTo(first.leaf());
                assertThat(logs.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("PRIVATE KEY"));
            } finally {
                ((Logger) LoggerFactory.getLogger(TLS_LOGGER)).detachAppender(logs);
            }
        }
    }

    @Test
    void aCertificateWithoutItsKey_orAKeyOfAnotherCertificate_stopsTheStartWithExit2() throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir);
        TestCertificates.Issued one = ca.issue("one", "EC");
        TestCertificates.Issued other = ca.issue("other", "EC");
        Path cert = Files.writeString(dir.resolve("one.pem"), one.certificatePem());
        Path otherKey = Files.writeString(dir.resolve("other.key"), other.keyPem());
        String[] common = {"--state-dir", dir.resolve("state").toString(), "--http-addr", "127.0.0.1:0"};

        CliRun alone = CliRun.of(new String[] {"run", "--tls-cert", cert.toString()}, common);
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("--tls-key").contains("is required with --tls-cert");

        CliRun mismatched = CliRun.of(new String[] {"run", "--tls-cert", cert.toString(), "--tls-key", otherKey.toString()},
                common);
        assertThat(mismatched.exit()).isEqualTo(2);
        assertThat(mismatched.err()).contains("is not the key of the first certificate in " + cert);
        assertThat(Files.exists(dir.resolve("state"))).as("nothing was started").isFalse();
    }

    private static final String TLS_LOGGER = "io.warmpool.adapters.http.server.TlsCertificates";

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.start();
        ((Logger) LoggerFactory.getLogger(TLS_LOGGER)).addAppender(list);
        return list;
    }

    /** One GET on a new connection (a new TLS context: no session resumed from an earlier certificate). */
    private static HttpResponse<String> get(TestCertificates ca, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpClient client = HttpClient.newBuilder().sslContext(ca.trustingContext()).build();
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static X509Certificate peer(HttpResponse<?> response) throws Exception {
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    /** A handshake offering only {@code protocol}; the protocol agreed. */
    private static String handshake(TestCertificates ca, int port, String protocol) throws Exception {
        try (SSLSocket socket = (SSLSocket) ca.trustingContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }
}
